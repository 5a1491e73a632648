// Price rules by field (issue #27), end to end through the worker: a fixed-price buyer pays one price
// in TX and another elsewhere, the ranking, the payout and the cap budget all see the rule's price,
// the trace says which rule priced the sale; a ZIP list uploaded through the admin API refuses its
// leads before any ping or post; a bidder's bid is multiplied by field.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { DEMO_SECRET } from "../../demo/constants";
import {
  ADMIN,
  demoLead,
  eventually,
  gateway,
  leadReaches,
  onlyContracts,
  postLead,
  received,
  seedDemo,
  setBuyers,
  sql,
} from "../support/helpers";

type Answer = { lead_id: string; status: string; price: number; payout: number; buyer: string | null };

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 0");
  await setBuyers({ alpha: { bid: 18 }, delta: {}, kilo: {} });
});

async function fixedBuyer(priceRules: unknown[], extra: Record<string, number> = {}) {
  await sql(`INSERT INTO buyers (id, name) VALUES ('buy_kilo', 'Kilo Direct')`);
  await sql(
    `INSERT INTO contracts (id, buyer_id, campaign_id, name, post_url, secret, pricing, fixed_price_cents, price_rules, budget_day_cents)
     VALUES ('ct_kilo', 'buy_kilo', 'cmp_auto', 'Kilo', ?, ?, 'fixed', 1800, ?, ?)`,
    `${env.BUYERS_URL}/b/kilo/post`,
    DEMO_SECRET,
    JSON.stringify(priceRules),
    extra.budget_day_cents ?? null,
  );
  await onlyContracts("ct_kilo");
}

async function sell(lead: Record<string, unknown>): Promise<Answer> {
  const a = await (await postLead(lead)).json<Answer>();
  await leadReaches(a.lead_id, ["sold", "unsold"]);
  return a;
}
const eventDetail = (leadId: string, kind: string) =>
  eventually(async () => {
    const row = await env.DB.prepare("SELECT detail FROM lead_events WHERE lead_id = ? AND kind = ?")
      .bind(leadId, kind)
      .first<{ detail: string }>();
    return row && (JSON.parse(row.detail) as Record<string, unknown>);
  });
const postOf = (leadId: string) =>
  eventually(() => env.DB.prepare("SELECT * FROM posts WHERE lead_id = ?").bind(leadId).first<Record<string, unknown>>());

describe("price rules", () => {
  const TX = { name: "Texas", when: [{ field: "state", op: "eq", value: "TX" }], price_cents: 2500 };

  it("a TX/else rule sells TX leads at one price and others at another: payout, posts and the trace see the rule's price", async () => {
    await fixedBuyer([TX]);
    const tx = await sell(demoLead({ state: "TX", zip: "75001" }));
    expect(tx).toMatchObject({ status: "sold", price: 25, payout: 17.5, buyer: "Kilo Direct" });
    expect(await postOf(tx.lead_id)).toMatchObject({
      price_cents: 2500,
      payout_cents: 1750,
      reason: "price rule 1 (Texas): 1800c -> 2500c",
    });
    expect((await eventDetail(tx.lead_id, "auction")).priced_by).toEqual([
      { contract: "ct_kilo", rule: 1, name: "Texas", base_cents: 1800, price_cents: 2500 },
    ]);
    const post = (await received("kilo")).find((r) => r.body.includes(tx.lead_id))!;
    expect(JSON.parse(post.body)).toMatchObject({ price: 25 }); // the buyer is told the price it pays

    const ca = await sell(demoLead({ state: "CA" }));
    expect(ca).toMatchObject({ status: "sold", price: 18, payout: 12.6 });
    expect(await postOf(ca.lead_id)).toMatchObject({ price_cents: 1800, reason: null });
  });

  it("the cap budget sees the rule's price", async () => {
    await fixedBuyer([TX], { budget_day_cents: 4300 });
    expect((await sell(demoLead({ state: "TX" }))).status).toBe("sold");
    const spend = async () => {
      const caps = await (
        await gateway("/admin/caps", { headers: ADMIN })
      ).json<{ contracts: { contract: string; day: { spend_cents: number } }[] }>();
      return caps.contracts.find((c) => c.contract === "ct_kilo")?.day.spend_cents;
    };
    expect(await eventually(async () => (await spend()) === 2500)).toBe(true); // the rule's price, not the fixed 1800
    // 2500 more would pass the 4300 budget: the lead is not sold to Kilo.
    const over = await sell(demoLead({ state: "TX" }));
    expect(over.status).toBe("unsold");
    expect(await postOf(over.lead_id)).toMatchObject({ outcome: "cap_full", price_cents: 2500 });
  });

  it("a ZIP list uploaded through the admin API refuses its leads before any ping or post; a list in use can't be deleted", async () => {
    const zips = Array.from({ length: 10_000 }, (_, i) => String(10_000 + i * 8).padStart(5, "0"));
    const csv = ["zip", ...zips, "94107-0001"].join("\n");
    const put = await gateway("/admin/lists/blocked_zips?kind=zip&header=true", {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "text/csv" },
      body: csv,
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ name: "blocked_zips", kind: "zip", count: 10_001, created: true });
    await fixedBuyer([{ name: "no-go", when: [{ field: "zip", op: "in_list", list: "blocked_zips" }], refuse: true }]);
    await sql("UPDATE contracts SET status = 'active' WHERE id = 'ct_alpha'");

    const refused = await sell(demoLead({ zip: "94107" }));
    expect(refused).toMatchObject({ status: "sold", buyer: "Alpha Insurance", price: 18 });
    const row = await eventually(() =>
      env.DB.prepare("SELECT outcome, reason FROM pings WHERE lead_id = ? AND contract_id = 'ct_kilo'").bind(refused.lead_id).first(),
    );
    expect(row).toEqual({ outcome: "skipped", reason: "price rule 1 (no-go): refuses the lead" });
    expect((await received("kilo")).filter((r) => r.body.includes(refused.lead_id))).toEqual([]);
    expect(await sell(demoLead({ zip: "60601" }))).toMatchObject({ status: "sold", buyer: "Kilo Direct", price: 18 });

    const lists = await (await gateway("/admin/lists", { headers: ADMIN })).json<{ lists: unknown[] }>();
    expect(lists.lists).toEqual([
      { name: "blocked_zips", kind: "zip", count: 10_001, updated_at: expect.any(String), used_by: ["ct_kilo"] },
    ]);
    const del = await gateway("/admin/lists/blocked_zips", { method: "DELETE", headers: ADMIN });
    expect(del.status).toBe(409);
    expect(await del.json()).toMatchObject({ error: "list_in_use" });

    // The rules API judges the contract with the list it names: no false "no value list", and it can be edited.
    const shown = await gateway("/admin/contracts/ct_kilo", { headers: ADMIN });
    const contract = await shown.json<{ problems: unknown[]; version: number }>();
    expect(contract.problems).toEqual([]);
    const patched = await gateway("/admin/contracts/ct_kilo", {
      method: "PATCH",
      headers: { ...ADMIN, "content-type": "application/json", "if-match": `"${contract.version}"` },
      body: JSON.stringify({ name: "Kilo Direct - no blocked ZIPs" }),
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
  });

  it("a bad upload is a 422 naming its lines; an unknown list a 404; only the admin may upload", async () => {
    const bad = await gateway("/admin/lists/z?kind=zip", {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "text/csv" },
      body: "94107\nnope\n",
    });
    expect(bad.status).toBe(422);
    expect((await bad.json<{ fields: unknown[] }>()).fields).toEqual([{ path: "body.line.2", message: 'not a ZIP code: "nope"' }]);
    expect(
      (await gateway("/admin/lists/BAD-NAME", { method: "PUT", headers: { ...ADMIN, "content-type": "text/csv" }, body: "x" })).status,
    ).toBe(422);
    const json = await gateway("/admin/lists/z", {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: '{"values":["94107"]}',
    });
    expect(json.status).toBe(415);
    expect((await gateway("/admin/lists/missing", { headers: ADMIN })).status).toBe(404);
    expect((await gateway("/admin/lists/z", { method: "PUT", body: "94107" })).status).toBe(401);
  });

  it("a bidder's bid multiplied by field ranks and sells at the rule's price", async () => {
    await onlyContracts("ct_alpha");
    await sql(
      "UPDATE contracts SET price_rules = ? WHERE id = 'ct_alpha'",
      JSON.stringify([{ name: "homeowners", when: [{ field: "homeowner", op: "eq", value: true }], multiply_bps: 12_000 }]),
    );
    const a = await sell(demoLead({ homeowner: true }));
    expect(a).toMatchObject({ status: "sold", price: 21.6 });
    const ping = await eventually(() =>
      env.DB.prepare("SELECT * FROM pings WHERE lead_id = ?").bind(a.lead_id).first<Record<string, unknown>>(),
    );
    expect(ping).toMatchObject({
      outcome: "bid",
      bid_cents: 1800,
      effective_cents: 2160,
      reason: "price rule 1 (homeowners): 1800c -> 2160c",
    });
    expect(await sell(demoLead({ homeowner: false }))).toMatchObject({ price: 18 });
  });
});
