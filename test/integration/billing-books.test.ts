// Issue #25, the books: money in (deposits, adjustments, Stripe), bad input refused with nothing
// booked, statements that reconcile with the records to the cent, invoices that close a period, and
// publisher payables net of clawbacks.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { checkInvariants, formatInvariants } from "../../src/db/invariants";
import { admin, checkoutPaid, depositTo, ledgerSum, sendStripe, stripeDelivery } from "../support/billing";
import { demoLead, eventually, gateway, onlyContracts, postLead, seedDemo, setBuyers, sql } from "../support/helpers";

const entries = async () => Number((await env.DB.prepare("SELECT COUNT(*) AS n FROM ledger_entries").first<{ n: number }>())?.n ?? 0);
const FROM = "2020-01-01";
const TO = () => new Date(Date.now() + 60_000).toISOString();

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 0, dedupe_window_s = 0");
  await onlyContracts("ct_alpha");
  await setBuyers({ alpha: { bid: 20 } });
});

describe("money in", () => {
  it("a deposit is booked once per reference; the same reference again books nothing", async () => {
    const first = await depositTo("buy_alpha", 2500, "chk-1", { by: "ops@example.com" });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      entry_key: "deposit:buy_alpha:chk-1",
      booked: true,
      amount_cents: 2500,
      balance: { balance_cents: 2500 },
    });
    const again = await depositTo("buy_alpha", 2500, "chk-1");
    expect(await again.json()).toMatchObject({ booked: false });
    expect((await depositTo("buy_alpha", 999, "chk-1")).status).toBe(409);
    expect(await ledgerSum("buyer:buy_alpha")).toBe(2500);
    expect(await ledgerSum("cash")).toBe(-2500);
  });

  it("bad input gets a clear 4xx naming the field, and books nothing", async () => {
    const cases: [string, unknown, number, string][] = [
      ["/admin/buyers/buy_alpha/deposits", { amount_cents: -100, reference: "x" }, 422, "amount_cents"],
      ["/admin/buyers/buy_alpha/deposits", { amount_cents: 10.5, reference: "x" }, 422, "amount_cents"],
      ["/admin/buyers/buy_alpha/deposits", { amount_cents: "100", reference: "x" }, 422, "amount_cents"],
      ["/admin/buyers/buy_alpha/deposits", { amount_cents: 100 }, 422, "reference"],
      ["/admin/buyers/buy_alpha/deposits", { amount_cents: 100, reference: "x", booked_at: "tomorrow" }, 422, "booked_at"],
      ["/admin/buyers/buy_nobody/deposits", { amount_cents: 100, reference: "x" }, 404, ""],
      ["/admin/buyers/buy_alpha/adjustments", { kind: "gift", amount_cents: 100, reference: "x", reason: "r", by: "me" }, 422, "kind"],
      ["/admin/buyers/buy_alpha/adjustments", { kind: "credit", amount_cents: 100, reference: "x", by: "me" }, 422, "reason"],
      ["/admin/sources/src_nobody/payments", { amount_cents: 100, reference: "x" }, 404, ""],
    ];
    for (const [path, body, status, field] of cases) {
      const res = await admin(path, "POST", body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      const err = (await res.json()) as { fields: { path: string }[] };
      if (field) expect(err.fields.map((f) => f.path)).toContain(field);
    }
    expect(await entries()).toBe(0);
  });

  it("Stripe: a forged, stale or replayed event books nothing; a redelivery is acknowledged; other events are ignored; an unknown buyer is refused", async () => {
    const event = checkoutPaid("evt_a", "buy_alpha", 4000);
    expect((await sendStripe(await stripeDelivery(event, { secret: "whsec_not_ours" }))).status).toBe(400);
    expect((await sendStripe(await stripeDelivery(event, { timestamp: Math.floor(Date.now() / 1000) - 3600 }))).status).toBe(400);
    const unsigned = await sendStripe({ payload: JSON.stringify(event), header: "" });
    expect(unsigned.status).toBe(400);
    expect(((await unsigned.json()) as { error: string }).error).toBe("bad_signature");
    expect(await entries()).toBe(0);
    const delivery = await stripeDelivery(event, { timestamp: Math.floor(Date.now() / 1000) - 10 });
    expect(await (await sendStripe(delivery)).json()).toMatchObject({ outcome: "credited", amount_cents: 4000 });
    const replay = await sendStripe(delivery);
    expect(replay.status).toBe(409);
    expect(((await replay.json()) as { error: string }).error).toBe("webhook_replayed");
    // Stripe redelivers with a fresh signature: acknowledged, nothing more booked.
    expect(await (await sendStripe(await stripeDelivery(event))).json()).toMatchObject({ outcome: "duplicate" });
    // The same payment's PaymentIntent event: its own event id, the same payment: nothing more.
    const pi = {
      id: "evt_b",
      object: "event",
      type: "payment_intent.succeeded",
      data: {
        object: { id: "pi_evt_a", object: "payment_intent", amount_received: 4000, currency: "usd", metadata: { buyer_id: "buy_alpha" } },
      },
    };
    expect((await sendStripe(await stripeDelivery(pi))).status).toBe(200);
    expect(await ledgerSum("buyer:buy_alpha")).toBe(4000);
    const other = await sendStripe(await stripeDelivery({ id: "evt_c", object: "event", type: "invoice.paid", data: { object: {} } }));
    expect(await other.json()).toMatchObject({ outcome: "ignored", reason: "event type invoice.paid" });
    expect((await sendStripe(await stripeDelivery(checkoutPaid("evt_d", "buy_nobody", 100)))).status).toBe(404);
    expect(await ledgerSum("buyer:buy_alpha")).toBe(4000);
    expect(await ledgerSum()).toBe(0);
  });
});

interface Statement {
  opening_cents: number;
  closing_cents: number;
  entries_count: number;
  entries: { kind: string; amount_cents: number; balance_cents: number }[];
}

describe("statements, invoices and payables", () => {
  it("statements reconcile with the records to the cent, in JSON and streamed CSV; payables net of clawbacks", async () => {
    await depositTo("buy_alpha", 10_000, "wire-1");
    await sql("UPDATE contracts SET return_cap_bps = 10000 WHERE id = 'ct_alpha'");
    const sold: string[] = [];
    for (let i = 0; i < 5; i++) sold.push(((await (await postLead(demoLead())).json()) as { lead_id: string }).lead_id);
    await eventually(
      async () =>
        Number((await env.DB.prepare("SELECT COUNT(*) AS n FROM posts WHERE outcome = 'accepted'").first<{ n: number }>())?.n) === 5,
    );
    const ret = await admin("/admin/returns", "POST", { lead_id: sold[0], contract_id: "ct_alpha", reason: "bad_data" });
    expect(ret.status).toBe(200);
    const st = (await (await admin(`/admin/buyers/buy_alpha/statement?from=${FROM}&to=${encodeURIComponent(TO())}`)).json()) as Statement;
    const sales = (await env.DB.prepare(
      "SELECT COALESCE(SUM(price_cents), 0) AS c FROM posts WHERE contract_id = 'ct_alpha' AND outcome = 'accepted'",
    ).first<{ c: number }>())!.c;
    const credits = (await env.DB.prepare("SELECT COALESCE(SUM(price_cents), 0) AS c FROM returns WHERE status = 'approved'").first<{
      c: number;
    }>())!.c;
    expect(st.opening_cents).toBe(0);
    expect(st.entries_count).toBe(7);
    expect(st.closing_cents).toBe(10_000 - sales + credits);
    expect(st.entries.filter((e) => e.kind === "sale").reduce((a, e) => a - e.amount_cents, 0)).toBe(sales);
    expect(st.entries.at(-1)!.balance_cents).toBe(st.closing_cents);
    // …and with the buyer report, to the cent: revenue less what returns credited back.
    const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${encodeURIComponent(TO())}`;
    const report = (await (await admin(`/admin/reports/buyers?${range}`)).json()) as {
      contracts: { contract: string; revenue: number; returned: number; net_revenue: number }[];
    };
    const alpha = report.contracts.find((r) => r.contract === "ct_alpha")!;
    expect(Math.round(alpha.revenue * 100)).toBe(sales);
    expect(Math.round(alpha.returned * 100)).toBe(credits);
    expect(st.closing_cents - st.opening_cents - 10_000).toBe(-Math.round(alpha.net_revenue * 100));
    const csv = await (await admin(`/admin/buyers/buy_alpha/statement?from=${FROM}&to=${encodeURIComponent(TO())}&format=csv`)).text();
    const rows = csv.trim().split("\r\n");
    expect(rows[0]).toMatch(/^at,kind,entry_key,amount/);
    expect(rows).toHaveLength(1 + 1 + 7 + 1);
    expect(rows.at(-1)).toContain(`,closing,,`);
    expect(rows.at(-1)!.endsWith(`,${st.closing_cents},${st.closing_cents},,,,,,`)).toBe(true);
    // The publisher: payouts earned less the clawback, as JSON and as a CSV to pay from.
    const payouts = (await env.DB.prepare("SELECT COALESCE(SUM(payout_cents), 0) AS c FROM posts WHERE outcome = 'accepted'").first<{
      c: number;
    }>())!.c;
    const clawback = (await env.DB.prepare("SELECT COALESCE(SUM(clawback_cents), 0) AS c FROM returns WHERE status = 'approved'").first<{
      c: number;
    }>())!.c;
    const pay = (await (await admin(`/admin/payables?from=${FROM}&to=${encodeURIComponent(TO())}`)).json()) as {
      sources: { source_id: string; net_cents: number; owed_cents: number }[];
    };
    const partner = pay.sources.find((s) => s.source_id === "src_partner")!;
    expect(partner.net_cents).toBe(payouts - clawback);
    expect(partner.owed_cents).toBe(payouts - clawback);
    // …which is the source report's net payout, to the cent.
    const summary = (await (await gateway(`/v1/reports/summary?${range}`, { headers: { "x-api-key": "demo-server-key" } })).json()) as {
      net_payout: number;
    };
    expect(Math.round(summary.net_payout * 100)).toBe(partner.net_cents);
    expect(await (await admin(`/admin/payables?from=${FROM}&to=${encodeURIComponent(TO())}&format=csv`)).text()).toContain(`src_partner,`);
    const results = await checkInvariants(async (q) => (await env.DB.prepare(q).all<Record<string, unknown>>()).results);
    expect(formatInvariants(results)).not.toContain("FAIL");
  });

  it("an invoice closes a period: numbered, immutable, its period refuses backdated bookings and a second invoice", async () => {
    const t0 = Date.now() - 10_000;
    await depositTo("buy_alpha", 5000, "w1", { booked_at: String(t0) });
    await (await postLead(demoLead())).json();
    await eventually(
      async () =>
        Number((await env.DB.prepare("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'sale'").first<{ n: number }>())?.n) > 0,
    );
    const to = Date.now();
    const res = await admin("/admin/invoices", "POST", { buyer_id: "buy_alpha", from: String(t0 - 1000), to: String(to) });
    expect(res.status).toBe(201);
    const inv = (await res.json()) as {
      invoice_id: string;
      number: string;
      charges_cents: number;
      payments_cents: number;
      closing_cents: number;
      lines: { leads: number }[];
    };
    expect(inv.number).toMatch(/^INV-\d{6}$/);
    expect(inv.payments_cents).toBe(5000);
    expect(inv.lines[0]!.leads).toBe(1);
    expect(inv.closing_cents).toBe(5000 - inv.charges_cents);
    // Closed: a backdated booking into it, or a second invoice over it, is refused; nothing booked.
    const before = await entries();
    const late = await depositTo("buy_alpha", 100, "w2", { booked_at: String(t0 + 1) });
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: string }).error).toBe("period_closed");
    expect((await admin("/admin/invoices", "POST", { buyer_id: "buy_alpha", from: String(t0), to: String(to - 1) })).status).toBe(409);
    expect((await admin("/admin/invoices", "POST", { buyer_id: "buy_alpha", from: String(to), to: String(to + 3_600_000) })).status).toBe(
      422,
    );
    expect((await admin("/admin/invoices", "POST", { buyer_id: "buy_nobody", from: "2020-01-01", to: "2020-02-01" })).status).toBe(404);
    expect(await entries()).toBe(before);
    // The same invoice every time, in each format.
    const again = (await (await admin(`/admin/invoices/${inv.invoice_id}`)).json()) as typeof inv;
    expect(again).toEqual(inv);
    expect(await (await admin(`/admin/invoices/${inv.invoice_id}?format=csv`)).text()).toContain(`${inv.number},`);
    const page = await admin(`/admin/invoices/${inv.invoice_id}?format=html`);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain(`Invoice ${inv.number}`);
    expect(await env.DB.prepare("SELECT kind FROM billing_events WHERE kind = 'invoice_issued'").first()).not.toBeNull();
  });
});
