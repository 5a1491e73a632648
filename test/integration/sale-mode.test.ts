// Exclusive or shared by value (issue #28): buyers answer a bid for an exclusive lead and a
// `shared_bid` for a shared one; the campaign sells each lead the way that pays more, posts the other
// way if the first sells nothing (within the post deadline, never to a buyer already tried), and the
// trace's `sale_mode` event says which won and why. Posts tell the buyer how it bought the lead.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkInvariants } from "../../src/db/invariants";
import { ADMIN, demoLead, gateway, leadReaches, onlyContracts, postLead, received, seedDemo, setBuyers, sql } from "../support/helpers";

interface SaleMode {
  first: string;
  exclusive_cents: number;
  shared_cents: number;
  shared_buyers: number;
  why: string;
  sold_as: string | null;
  fell_back: boolean;
}

async function sell() {
  const res = await (await postLead(demoLead())).json<{ lead_id: string; status: string; price: number; buyers: string[] }>();
  await leadReaches(res.lead_id, ["sold", "unsold"]);
  const trace = await (
    await gateway(`/admin/leads/${res.lead_id}`, { headers: ADMIN })
  ).json<{ trace: { events: { kind: string; detail: SaleMode }[]; posts: { contract: string; outcome: string; price: number }[] } }>();
  const mode = trace.trace.events.find((e) => e.kind === "sale_mode")?.detail;
  return { ...res, mode, posts: trace.trace.posts };
}

const postedTo = async (buyer: string, leadId: string) =>
  (await received(buyer))
    .filter((r) => r.kind === "post")
    .map((r) => JSON.parse(r.body) as { lead_id: string; price: number; exclusive: boolean })
    .filter((b) => b.lead_id === leadId);

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET exclusive = 0, max_buyers = 3, sell_by_value = 1, retry_max_attempts = 0");
  await sql("UPDATE contracts SET bid_adjust_bps = 10000");
  await onlyContracts("ct_alpha", "ct_bravo", "ct_charlie");
});

afterEach(async () => {
  const results = await checkInvariants(async (q) => (await env.DB.prepare(q).all<Record<string, unknown>>()).results);
  expect(results.filter((r) => !r.ok)).toEqual([]);
});

describe("exclusive or shared by value", () => {
  it("three shared bids worth more than the best exclusive one: sold shared, each buyer at its shared price", async () => {
    await setBuyers({ alpha: { bid: 40, sharedBid: 18 }, bravo: { bid: 25, sharedBid: 18 }, charlie: { bid: 20, sharedBid: 18 } });
    const sale = await sell();
    expect(sale).toMatchObject({ status: "sold", price: 54 });
    expect(sale.buyers).toHaveLength(3);
    expect(sale.mode).toMatchObject({
      first: "shared",
      exclusive_cents: 4000,
      shared_cents: 5400,
      shared_buyers: 3,
      sold_as: "shared",
      fell_back: false,
    });
    expect(sale.mode!.why).toBe("3 shared buyers at $54.00 beat one exclusive buyer at $40.00");
    expect(await postedTo("alpha", sale.lead_id)).toEqual([expect.objectContaining({ price: 18, exclusive: false })]);
  });

  it("one exclusive bid worth more than the shared set: sold exclusively at its bid", async () => {
    await setBuyers({ alpha: { bid: 40, sharedBid: 10 }, bravo: { bid: 20, sharedBid: 12 }, charlie: { bid: 20, sharedBid: 12 } });
    const sale = await sell();
    expect(sale).toMatchObject({ status: "sold", price: 40, buyers: ["Alpha Insurance"] });
    expect(sale.mode).toMatchObject({ first: "exclusive", exclusive_cents: 4000, shared_cents: 3400, sold_as: "exclusive" });
    expect(await postedTo("alpha", sale.lead_id)).toEqual([expect.objectContaining({ price: 40, exclusive: true })]);
    expect(await postedTo("bravo", sale.lead_id)).toEqual([]);
  });

  it("the better way selling nothing falls back to the other, without the buyer that rejected it", async () => {
    await setBuyers({
      alpha: { bid: 40, sharedBid: 10, post: "reject" },
      bravo: { bid: 20, sharedBid: 12 },
      charlie: { bid: 20, sharedBid: 12 },
    });
    const sale = await sell();
    expect(sale).toMatchObject({ status: "sold", price: 24 });
    expect(sale.mode).toMatchObject({ first: "exclusive", sold_as: "shared", fell_back: true });
    expect(sale.posts.map((p) => [p.contract, p.outcome, p.price])).toEqual(
      expect.arrayContaining([
        ["ct_alpha", "rejected", 40],
        ["ct_bravo", "accepted", 12],
        ["ct_charlie", "accepted", 12],
      ]),
    );
    expect(await postedTo("alpha", sale.lead_id)).toHaveLength(1);
  });

  it("a buyer answering only `bid` offers it for both; a contract's shared_price_bps prices its shared lead", async () => {
    await sql("UPDATE contracts SET shared_price_bps = 5000 WHERE id = 'ct_alpha'");
    await setBuyers({ alpha: { bid: 30 }, bravo: { bid: 14 }, charlie: { bid: 14 } });
    // Exclusive: $30. Shared: alpha $15 (half its bid) + bravo $14 + charlie $14 = $43.
    const sale = await sell();
    expect(sale).toMatchObject({ status: "sold", price: 43 });
    expect(sale.mode).toMatchObject({ first: "shared", exclusive_cents: 3000, shared_cents: 4300 });
  });

  it("the floor applies to each shared bid on its own", async () => {
    await sql("UPDATE campaigns SET floor_cents = 1500");
    await setBuyers({ alpha: { bid: 30, sharedBid: 14 }, bravo: { bid: 20, sharedBid: 14 }, charlie: { bid: 20, sharedBid: 16 } });
    // Only charlie's shared bid reaches the $15 floor: $16 shared against $30 exclusive.
    const sale = await sell();
    expect(sale).toMatchObject({ price: 30 });
    expect(sale.mode).toMatchObject({ first: "exclusive", shared_cents: 1600, shared_buyers: 1 });
  });
});
