import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { selectEligible } from "../../src/auction/eligibility";
import { splitSales, sumSplits } from "../../src/auction/pricing";
import { fixedPriceBids, qualifyBid, rankBids, type Bid } from "../../src/auction/ranking";
import { dollarsToCents } from "../../src/lib/money";
import { campaign, contract } from "./fixtures";

const bid = (c: ReturnType<typeof contract>, cents: number, latencyMs = 10): Bid => {
  const q = qualifyBid(c, cents, 0, { token: null, pingId: null, latencyMs });
  if (!q.ok) throw new Error(q.reason);
  return q.bid;
};

describe("ranking", () => {
  it("ranks by effective bid (bid x adjustment factor), but the buyer pays its own bid", () => {
    const a = bid(contract({ id: "a", bidAdjustBps: 5000 }), 2000); // effective 1000
    const b = bid(contract({ id: "b" }), 1500);
    const ranked = rankBids([a, b]);
    expect(ranked.map((x) => x.contract.id)).toEqual(["b", "a"]);
    expect(ranked[1]).toMatchObject({ bidCents: 2000, effectiveCents: 1000 });
  });

  it("breaks ties by priority, then by the faster ping", () => {
    const slow = bid(contract({ id: "slow" }), 1000, 90);
    const fast = bid(contract({ id: "fast" }), 1000, 20);
    const vip = bid(contract({ id: "vip", priority: 5 }), 1000, 200);
    expect(rankBids([slow, fast, vip]).map((x) => x.contract.id)).toEqual(["vip", "fast", "slow"]);
  });

  it("drops bids below the floor or the contract minimum, and records why", () => {
    const c = contract({ id: "c", minBidCents: 800, bidAdjustBps: 8000 });
    expect(qualifyBid(c, 700, 0, { token: null, pingId: null, latencyMs: 0 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("minimum"),
    });
    // 1000 x 0.8 = 800 effective, floor 900: out.
    expect(qualifyBid(c, 1000, 900, { token: null, pingId: null, latencyMs: 0 })).toMatchObject({ ok: false, effectiveCents: 800 });
    expect(qualifyBid(c, 1200, 900, { token: null, pingId: null, latencyMs: 0 }).ok).toBe(true);
  });

  it("fallback contracts are exempt from the campaign floor, not from their own minimum", () => {
    const fb = contract({ id: "fb", fallback: true, minBidCents: 300 });
    expect(qualifyBid(fb, 400, 500, { token: null, pingId: null, latencyMs: 0 }).ok).toBe(true);
    expect(qualifyBid(fb, 200, 500, { token: null, pingId: null, latencyMs: 0 }).ok).toBe(false);
  });

  it("joins fixed-price contracts at their price, subject to the floor", () => {
    const r = fixedPriceBids(
      [contract({ id: "f1", pricing: "fixed", fixedPriceCents: 900 }), contract({ id: "f2", pricing: "fixed", fixedPriceCents: 300 })],
      campaign({ floorCents: 500 }),
      {},
    );
    expect(r.bids.map((b) => [b.contract.id, b.bidCents])).toEqual([["f1", 900]]);
    expect(r.rejected.map((x) => x.contract.id)).toEqual(["f2"]);
  });

  it("property: ranking is a permutation sorted by effective bid", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 20_000 })), { minLength: 1, maxLength: 30 }),
        (specs) => {
          const bids = specs.map(([cents, bps], i) => bid(contract({ id: `c${i}`, bidAdjustBps: bps }), Math.max(cents, 10_000)));
          const ranked = rankBids(bids);
          expect(ranked).toHaveLength(bids.length);
          for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1]!.effectiveCents).toBeGreaterThanOrEqual(ranked[i]!.effectiveCents);
        },
      ),
    );
  });
});

describe("eligibility", () => {
  it("skips with a reason: filters, schedule, caps, earlier purchase, earlier attempt, fallback, fan-out", () => {
    const contracts = [
      contract({ id: "ok", priority: 9 }),
      contract({ id: "filtered", filters: [{ field: "zip", op: "eq", value: "10001" }] }),
      contract({ id: "closed", schedule: { windows: [{ days: ["sun"], start: "00:00", end: "00:01" }] } }),
      contract({ id: "full" }),
      contract({ id: "bought", dedupeKey: "buyer:x" }),
      contract({ id: "tried" }),
      contract({ id: "fallback", fallback: true }),
      contract({ id: "fixed", pricing: "fixed", fixedPriceCents: 500 }),
      contract({ id: "overflow", priority: -1 }),
      contract({ id: "second", priority: 1 }),
    ];
    const r = selectEligible({
      contracts,
      lead: { zip: "94107" },
      now: Date.parse("2026-11-23T12:00:00Z"),
      capFull: (id) => (id === "full" ? "cap reached" : undefined),
      alreadyBought: new Set(["buyer:x"]),
      exclude: new Set(["tried"]),
      includeFallback: false,
      maxFanout: 2,
    });
    expect(r.ping.map((c) => c.id)).toEqual(["ok", "second"]);
    expect(r.fixed.map((c) => c.id)).toEqual(["fixed"]);
    expect(Object.fromEntries(r.skipped.map((s) => [s.contract.id, s.reason]))).toEqual({
      filtered: "filter zip eq",
      closed: "outside schedule",
      full: "cap reached",
      bought: "buyer already bought or rejected this consumer",
      tried: "already tried for this lead",
      fallback: "fallback contract (retry rounds only)",
      overflow: "fan-out limit (2 pings per lead)",
    });
  });
});

describe("money", () => {
  it("converts dollars to integer cents without float artefacts", () => {
    expect(dollarsToCents(1.005)).toBe(101);
    expect(dollarsToCents(12.5)).toBe(1250);
    expect(dollarsToCents("7.25")).toBe(725);
    expect(dollarsToCents(Number.NaN)).toBeUndefined();
    expect(dollarsToCents(Infinity)).toBeUndefined();
    expect(dollarsToCents("12abc")).toBeUndefined();
    expect(dollarsToCents(1e300)).toBeUndefined();
  });

  it("property: every sale splits exactly into payout + margin, payout never above price", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("share" as const, "fixed" as const),
        fc.integer({ min: 0, max: 20_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 5 }),
        (payoutType, payoutValue, prices) => {
          const splits = splitSales(
            { payoutType, payoutValue: payoutType === "share" ? Math.min(payoutValue, 10_000) : payoutValue },
            prices,
          );
          for (const s of splits) {
            expect(s.payoutCents + s.marginCents).toBe(s.priceCents);
            expect(s.payoutCents).toBeLessThanOrEqual(s.priceCents);
            expect(s.payoutCents).toBeGreaterThanOrEqual(0);
            expect(Number.isInteger(s.payoutCents)).toBe(true);
          }
          const total = sumSplits(splits);
          if (payoutType === "fixed") expect(total.payoutCents).toBe(Math.min(payoutValue, total.priceCents));
        },
      ),
    );
  });
});
