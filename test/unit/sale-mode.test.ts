// Exclusive or shared by value, pure (issue #28): a buyer's shared price, the best shared set, which
// way pays more; and the wire: `shared_bid` in native answers, `shared_bid_path` in templates.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { qualifyBid, rankBids, type Bid } from "../../src/auction/ranking";
import { bestSharedSet, chooseSaleMode, sharedPriceCents } from "../../src/auction/sale-mode";
import { readNativePing, readTemplatePing } from "../../src/buyers/answers";
import { ResponseRulesSchema } from "../../src/rules/schemas";
import { contract } from "./fixtures";

const bidOf = (id: string, buyer: string, cents: number, adjustBps = 10_000): Bid => {
  const q = qualifyBid(contract({ id, buyerId: buyer, bidAdjustBps: adjustBps }), cents, 0, { token: null, pingId: null, latencyMs: 0 });
  if (!q.ok) throw new Error(q.reason);
  return q.bid;
};

describe("which way pays more", () => {
  it("$40 exclusive loses to three shared bids of $18; the reverse too", () => {
    const exclusive = [bidOf("a", "A", 4000)];
    const shared = rankBids([bidOf("a", "A", 1800), bidOf("b", "B", 1800), bidOf("c", "C", 1800)]);
    expect(chooseSaleMode(exclusive, shared, 3)).toMatchObject({
      first: "shared",
      exclusiveCents: 4000,
      sharedCents: 5400,
      sharedBuyers: 3,
    });
    expect(chooseSaleMode(exclusive, shared, 2)).toMatchObject({ first: "exclusive", sharedCents: 3600 });
    expect(chooseSaleMode([], [], 3)).toMatchObject({ first: "exclusive", why: "no bids" });
  });

  it("a tie goes to exclusive; ranking adjustments count on both sides", () => {
    expect(chooseSaleMode([bidOf("a", "A", 3000)], rankBids([bidOf("b", "B", 1500), bidOf("c", "C", 1500)]), 3).first).toBe("exclusive");
    // B's shared $20 ranks at $10 (adjust 0.5): $10 + $15 < $30.
    const shared = rankBids([bidOf("b", "B", 2000, 5000), bidOf("c", "C", 1500)]);
    expect(chooseSaleMode([bidOf("a", "A", 3000)], shared, 3)).toMatchObject({ first: "exclusive", sharedCents: 2500 });
  });

  it("a shared price: the answer's, else the contract's share of the bid, else the bid", () => {
    expect(sharedPriceCents(contract({ id: "x", sharedPriceBps: 6000 }), 2000, 900)).toBe(900);
    expect(sharedPriceCents(contract({ id: "x", sharedPriceBps: 6000 }), 2000, null)).toBeNull();
    expect(sharedPriceCents(contract({ id: "x", sharedPriceBps: 6000 }), 2001)).toBe(1200);
    expect(sharedPriceCents(contract({ id: "x" }), 2000)).toBe(2000);
  });

  const bids = fc.array(fc.record({ buyer: fc.constantFrom("A", "B", "C", "D", "E"), cents: fc.integer({ min: 1, max: 50_000 }) }), {
    maxLength: 8,
  });

  it("property: the shared set is the best sum of at most max_buyers bids from distinct buyers", () => {
    fc.assert(
      fc.property(bids, fc.integer({ min: 1, max: 5 }), (raw, maxBuyers) => {
        const ranked = rankBids(raw.map((r, i) => bidOf(`k${i}`, r.buyer, r.cents)));
        const set = bestSharedSet(ranked, maxBuyers);
        expect(new Set(set.map((b) => b.contract.buyerId)).size).toBe(set.length);
        expect(set.length).toBeLessThanOrEqual(maxBuyers);
        // Brute force: each buyer's best bid, the top max_buyers of them.
        const best = new Map<string, number>();
        for (const r of raw) best.set(r.buyer, Math.max(best.get(r.buyer) ?? 0, r.cents));
        const top = [...best.values()].sort((a, b) => b - a).slice(0, maxBuyers);
        expect(set.reduce((s, b) => s + b.effectiveCents, 0)).toBe(top.reduce((s, c) => s + c, 0));
      }),
    );
  });

  it("property: the way chosen first is worth at least the other", () => {
    fc.assert(
      fc.property(bids, bids, fc.integer({ min: 1, max: 5 }), (ex, sh, maxBuyers) => {
        const exclusive = rankBids(ex.map((r, i) => bidOf(`e${i}`, r.buyer, r.cents)));
        const shared = rankBids(sh.map((r, i) => bidOf(`s${i}`, r.buyer, r.cents)));
        const c = chooseSaleMode(exclusive, shared, maxBuyers);
        expect(c.first === "shared" ? c.sharedCents > c.exclusiveCents : c.exclusiveCents >= c.sharedCents).toBe(true);
      }),
    );
  });
});

describe("a shared price on the wire", () => {
  const answer = (body: unknown) => ({ status: 200, body: JSON.stringify(body) });

  it("native: `shared_bid` beside `bid` (0: no shared bid; malformed: the answer is invalid; absent: none named)", () => {
    expect(readNativePing(answer({ bid: 40, shared_bid: 18.5 }))).toEqual({
      kind: "bid",
      bidCents: 4000,
      token: null,
      sharedBidCents: 1850,
    });
    expect(readNativePing(answer({ bid: 40, shared_bid: 0 }))).toMatchObject({ kind: "bid", sharedBidCents: null });
    expect(readNativePing(answer({ bid: 40 }))).not.toHaveProperty("sharedBidCents");
    expect(readNativePing(answer({ bid: 40, shared_bid: "18" }))).toMatchObject({
      kind: "invalid",
      reason: expect.stringContaining("shared_bid"),
    });
    expect(readNativePing(answer({ bid: 40, shared_bid: -1 }))).toMatchObject({ kind: "invalid" });
    expect(readNativePing(answer({ bid: 0, shared_bid: 10 }))).toMatchObject({ kind: "no_bid" });
  });

  it("templates: `shared_bid_path`, in the template's bid unit", () => {
    const rules = ResponseRulesSchema.parse({ bid_path: "price", shared_bid_path: "shared.price", bid_unit: "cents" });
    expect(readTemplatePing(rules, answer({ price: 4000, shared: { price: "1800" } }))).toMatchObject({
      bidCents: 4000,
      sharedBidCents: 1800,
    });
    expect(readTemplatePing(rules, { status: 200, body: "price=4000" })).not.toHaveProperty("sharedBidCents");
  });

  it("property: any dollar amount a buyer may bid reads back as its cents", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 1_000_000 }), (bid, shared) => {
        const a = readNativePing(answer({ bid: bid / 100, shared_bid: shared / 100 }));
        expect(a).toMatchObject({ kind: "bid", bidCents: bid, sharedBidCents: shared });
      }),
    );
  });
});
