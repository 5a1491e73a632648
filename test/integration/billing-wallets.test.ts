// Issue #25, wallets in the auction: a prepaid buyer never spends more than it has, at 16-way
// concurrency, is not pinged once its balance can't cover its minimum bid (the trace says why), and
// comes back when money lands (a deposit, a signed Stripe event); a credit buyer never passes its limit.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { checkInvariants, formatInvariants } from "../../src/db/invariants";
import { admin, checkoutPaid, depositTo, ledgerSum, sendStripe, stripeDelivery } from "../support/billing";
import { demoLead, eventually, onlyContracts, postLead, seedDemo, setBuyers, sql } from "../support/helpers";
import { subscribe } from "../support/webhooks";

const alphaSales = async () =>
  (await env.DB.prepare(
    "SELECT COUNT(*) AS n, COALESCE(SUM(price_cents), 0) AS c FROM posts WHERE contract_id = 'ct_alpha' AND outcome = 'accepted'",
  ).first<{
    n: number;
    c: number;
  }>())!;

async function burst(leads: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < leads) {
      next++;
      await (await postLead(demoLead())).json();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const settled = () =>
  eventually(async () => {
    const r = await env.DB.prepare("SELECT COUNT(*) AS n FROM leads WHERE status IN ('received','auctioning')").first<{ n: number }>();
    return r?.n === 0;
  }, 15_000);

/** The alpha ping row of a lead: skipped with the wallet's reason, or pinged. */
const alphaPing = (leadId: string) =>
  env.DB.prepare("SELECT outcome, reason FROM pings WHERE lead_id = ? AND contract_id = 'ct_alpha'")
    .bind(leadId)
    .first<{ outcome: string; reason: string | null }>();

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 0, dedupe_window_s = 0, ping_timeout_ms = 4000, post_deadline_ms = 8000");
  await onlyContracts("ct_alpha", "ct_charlie");
  await sql("UPDATE contracts SET timeout_ms = 3000, post_timeout_ms = 4000, min_bid_cents = 2500 WHERE id = 'ct_alpha'");
  await sql("UPDATE contracts SET timeout_ms = 3000, post_timeout_ms = 4000 WHERE id = 'ct_charlie'");
  await setBuyers({ alpha: { bid: 29, bidSpread: 2 }, charlie: { bid: 10 } });
});

describe("a prepaid buyer in the auction", () => {
  it(
    "with $50 and bids near $30 at 16-way concurrency buys at most $50, is then not pinged, and comes back after a deposit",
    { timeout: 120_000 },
    async () => {
      await subscribe({ events: ["buyer.balance_low", "buyer.paused_for_balance", "buyer.resumed"] });
      await sql("UPDATE buyers SET billing = 'prepaid', low_balance_cents = 3000 WHERE id = 'buy_alpha'");
      expect((await depositTo("buy_alpha", 5000, "wire-1")).status).toBe(200);
      await burst(40, 16);
      await settled();
      const spent = await alphaSales();
      expect(spent.c).toBeLessThanOrEqual(5000);
      expect(spent.n).toBeGreaterThanOrEqual(1);
      // $50 less one sale near $30 can't cover the $25 minimum bid twice: alpha is out, and says why.
      const out = (await (await postLead(demoLead())).json()) as { lead_id: string };
      await settled();
      const ping = await alphaPing(out.lead_id);
      expect(ping?.outcome).toBe("skipped");
      // Learned from a block its money can't fill (the minimum price) or a post it couldn't pay (its last price).
      expect(ping?.reason).toMatch(
        /^wallet: balance can't cover (the minimum price|its last price) \(\$\d+\.\d\d available, \$\d+\.\d\d needed\)$/,
      );
      // A deposit lands: the next lead is pinged and sold to alpha again.
      expect((await depositTo("buy_alpha", 10_000, "wire-2")).status).toBe(200);
      const back = (await (await postLead(demoLead())).json()) as { lead_id: string; buyer: string };
      await settled();
      expect(await alphaPing(back.lead_id)).toMatchObject({ outcome: "bid" });
      expect(back.buyer).toBe("Alpha Insurance");
      expect((await alphaSales()).c).toBeLessThanOrEqual(15_000);
      // The balance crossing its $30 threshold, and both turns, were recorded as money events, and told to the webhooks.
      const events = await env.DB.prepare("SELECT kind FROM billing_events WHERE buyer_id = 'buy_alpha' ORDER BY id").all<{
        kind: string;
      }>();
      expect(events.results.map((e) => e.kind)).toEqual(expect.arrayContaining(["balance_low", "paused_for_balance", "resumed"]));
      const told = await eventually(async () => {
        const rows = await env.DB.prepare("SELECT type, body FROM webhook_events ORDER BY created_at").all<{
          type: string;
          body: string;
        }>();
        const types = new Set(rows.results.map((r) => r.type));
        return ["buyer.balance_low", "buyer.paused_for_balance", "buyer.resumed"].every((t) => types.has(t)) ? rows.results : undefined;
      });
      const paused = JSON.parse(told.find((r) => r.type === "buyer.paused_for_balance")!.body) as Record<string, unknown>;
      expect(paused).toMatchObject({ buyer_id: "buy_alpha", limit_cents: 2500 });
      expect(Number.isInteger(paused.balance_cents)).toBe(true);
      const results = await checkInvariants(async (q) => (await env.DB.prepare(q).all<Record<string, unknown>>()).results);
      expect(formatInvariants(results)).not.toContain("FAIL");
      expect(await ledgerSum()).toBe(0);
    },
  );

  it("a signed Stripe top-up brings it back; the replayed event credits nothing more", async () => {
    await sql("UPDATE buyers SET billing = 'prepaid' WHERE id = 'buy_alpha'");
    // The first lead teaches the isolate that alpha has nothing (its wallet refuses); the next skips it.
    await (await postLead(demoLead())).json();
    const broke = (await (await postLead(demoLead())).json()) as { lead_id: string; buyer: string | null };
    await settled();
    expect((await alphaPing(broke.lead_id))?.outcome).toBe("skipped");
    const delivery = await stripeDelivery(checkoutPaid("evt_topup_1", "buy_alpha", 6000));
    const res = await sendStripe(delivery);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: "credited", buyer_id: "buy_alpha", amount_cents: 6000 });
    const replay = await sendStripe(delivery);
    expect(replay.status).toBe(409);
    expect(await ledgerSum("buyer:buy_alpha")).toBe(6000);
    const back = (await (await postLead(demoLead())).json()) as { buyer: string };
    expect(back.buyer).toBe("Alpha Insurance");
  });
});

describe("a return", () => {
  it("approved, credits a prepaid buyer's wallet at once: it buys again", async () => {
    await sql("UPDATE buyers SET billing = 'prepaid' WHERE id = 'buy_alpha'");
    await sql("UPDATE contracts SET return_cap_bps = 10000 WHERE id = 'ct_alpha'");
    await depositTo("buy_alpha", 3100, "w");
    const first = (await (await postLead(demoLead())).json()) as { lead_id: string; buyer: string };
    expect(first.buyer).toBe("Alpha Insurance");
    await settled();
    // What is left can't pay another: the next lead goes to charlie.
    expect(((await (await postLead(demoLead())).json()) as { buyer: string }).buyer).toBe("Charlie Auto");
    const ret = await admin("/admin/returns", "POST", { lead_id: first.lead_id, contract_id: "ct_alpha", reason: "bad_data" });
    expect(await ret.json()).toMatchObject({ status: "approved" });
    expect(((await (await postLead(demoLead())).json()) as { buyer: string }).buyer).toBe("Alpha Insurance");
  });
});

describe("a credit buyer", () => {
  it("never owes more than its limit, however many leads arrive at once", { timeout: 120_000 }, async () => {
    await sql("UPDATE buyers SET billing = 'credit', credit_limit_cents = 9000 WHERE id = 'buy_alpha'");
    await burst(30, 16);
    await settled();
    const spent = await alphaSales();
    expect(spent.c).toBeLessThanOrEqual(9000);
    expect(spent.n).toBeGreaterThanOrEqual(2);
    expect(await ledgerSum("buyer:buy_alpha")).toBeGreaterThanOrEqual(-9000);
    const results = await checkInvariants(async (q) => (await env.DB.prepare(q).all<Record<string, unknown>>()).results);
    expect(formatInvariants(results)).not.toContain("FAIL");
  });
});
