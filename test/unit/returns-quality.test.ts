// The pure rules of returns, the quality score and experiment assignment.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_POSITIVE_BONUS, MIN_SCORE, NEUTRAL, qualityOf } from "../../src/auction/quality";
import { assignVariant, differenceInterval, meanInterval } from "../../src/experiments/assign";
import { decideReturn, withinReturnCap } from "../../src/returns/policy";

const W = { returnWeight: 100, rejectWeight: 25, failureWeight: 25, positiveWeight: 10 };

describe("quality score", () => {
  it("follows the stated formula", () => {
    // 20 % returns, 10 % rejects, 4 % failures, 30 % positive: 10000 - (2000 + 250 + 100) + 300 = 7950
    expect(
      qualityOf({ purchases: 100, returns: 20, accepted: 90, rejected: 10, requests: 500, failures: 20, positive: 30 }, W).scoreBps,
    ).toBe(7950);
  });

  it("stays in [MIN_SCORE, 1.0], never rises above neutral, and is neutral without enough history", () => {
    fc.assert(
      fc.property(
        fc.nat(1000),
        fc.nat(1000),
        fc.nat(1000),
        fc.nat(1000),
        fc.nat(5000),
        fc.nat(5000),
        (purchases, returns, rejected, positive, requests, failures) => {
          const q = qualityOf({ purchases, returns, accepted: purchases, rejected, requests, failures, positive }, W);
          expect(q.scoreBps).toBeGreaterThanOrEqual(MIN_SCORE);
          expect(q.scoreBps).toBeLessThanOrEqual(NEUTRAL);
          if (purchases + rejected < 10) expect(q.scoreBps).toBe(NEUTRAL);
        },
      ),
    );
  });

  it("self-reported positive feedback adds at most MAX_POSITIVE_BONUS, whatever its weight, and never hides returns", () => {
    fc.assert(
      fc.property(
        fc.nat(1000),
        fc.nat(1000),
        fc.nat(1000),
        fc.nat(1000),
        fc.nat(5000),
        fc.record({ returnWeight: fc.nat(200), rejectWeight: fc.nat(200), failureWeight: fc.nat(200), positiveWeight: fc.nat(100_000) }),
        (purchases, returnsRaw, rejected, positive, requests, w) => {
          const returns = Math.min(returnsRaw, purchases);
          const stats = { purchases, returns, accepted: purchases, rejected, requests, failures: 0, positive };
          const withFeedback = qualityOf(stats, w).scoreBps;
          const without = qualityOf({ ...stats, positive: 0 }, w).scoreBps;
          expect(withFeedback - without).toBeGreaterThanOrEqual(0);
          expect(withFeedback - without).toBeLessThanOrEqual(MAX_POSITIVE_BONUS);
          // More returns never raise the score, however much positive feedback comes with them.
          if (returns < purchases) expect(qualityOf({ ...stats, returns: returns + 1 }, w).scoreBps).toBeLessThanOrEqual(withFeedback);
        },
      ),
    );
    // Half returned, every lead "converted", positive weight 1000: 0.50 + 0.05, not back to 1.00.
    const gamed = { purchases: 10, returns: 5, accepted: 10, rejected: 0, requests: 20, failures: 0, positive: 10 };
    expect(qualityOf(gamed, { ...W, positiveWeight: 1000 }).scoreBps).toBe(5000 + MAX_POSITIVE_BONUS);
  });
});

describe("return cap", () => {
  it("one return at a time, the cap lets in exactly floor(cap x max(1, purchases)) and agrees with decideReturn", () => {
    const rules = { windowH: 72, capBps: 0, reasons: ["bad_data"], autoApprove: ["bad_data"] };
    const req = { reason: "bad_data", soldAt: 0, now: 1, alreadyReturned: false, priceCents: 100, payoutCents: 70, clawback: true };
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(500), (capBps, purchases) => {
        // Cap at most 100 %: never more returns than max(1, purchases), so the loop ends.
        let filed = 0;
        while (withinReturnCap(capBps, filed, purchases)) {
          expect(decideReturn({ ...rules, capBps }, { ...req, purchases30d: purchases, returns30d: filed }).ok).toBe(true);
          filed++;
        }
        expect(filed).toBe(Math.floor((capBps * Math.max(1, purchases)) / 10_000));
        expect(decideReturn({ ...rules, capBps }, { ...req, purchases30d: purchases, returns30d: filed })).toMatchObject({
          code: "return_cap_reached",
        });
      }),
    );
  });
});

describe("return policy", () => {
  const rules = { windowH: 72, capBps: 1000, reasons: ["bad_data", "duplicate"], autoApprove: ["bad_data"] };
  const base = {
    reason: "bad_data",
    soldAt: 0,
    now: 3_600_000,
    purchases30d: 100,
    returns30d: 0,
    alreadyReturned: false,
    priceCents: 2000,
    payoutCents: 1400,
    clawback: true,
  };
  it("approves automatic reasons, holds the others, and moves the money in cents", () => {
    expect(decideReturn(rules, base)).toEqual({ ok: true, status: "approved", priceCents: 2000, clawbackCents: 1400 });
    expect(decideReturn(rules, { ...base, reason: "duplicate", clawback: false })).toEqual({
      ok: true,
      status: "pending",
      priceCents: 2000,
      clawbackCents: 0,
    });
  });
  it("refuses with a code: twice, reason, window, cap", () => {
    expect(decideReturn(rules, { ...base, alreadyReturned: true })).toMatchObject({ ok: false, status: 409, code: "already_returned" });
    expect(decideReturn(rules, { ...base, reason: "meh" })).toMatchObject({ ok: false, code: "reason_not_allowed" });
    expect(decideReturn(rules, { ...base, now: 72 * 3_600_000 + 1 })).toMatchObject({ ok: false, code: "return_window_closed" });
    expect(decideReturn(rules, { ...base, returns30d: 9 })).toMatchObject({ ok: true }); // the 10th of 100: 10 %
    expect(decideReturn(rules, { ...base, returns30d: 10 })).toMatchObject({ ok: false, code: "return_cap_reached" });
    expect(decideReturn({ ...rules, windowH: 0 }, base)).toMatchObject({ ok: false, code: "returns_not_allowed" });
  });
});

describe("experiments", () => {
  const e = {
    id: "exp",
    variants: [
      { name: "a", share: 3, settings: {} },
      { name: "b", share: 1, settings: {} },
    ],
  };
  it("assigns a lead to the same variant every time, in proportion to the shares", () => {
    fc.assert(
      fc.property(fc.string(), (id) => {
        expect(assignVariant(e, id).name).toBe(assignVariant(e, id).name);
      }),
    );
    let a = 0;
    for (let i = 0; i < 4000; i++) if (assignVariant(e, `ld_${i}`).name === "a") a++;
    expect(a / 4000).toBeGreaterThan(0.7);
    expect(a / 4000).toBeLessThan(0.8);
  });
  it("intervals: a difference is significant only when its interval excludes zero", () => {
    const x = meanInterval(100, 100 * 20, 100 * 400); // all 20: variance 0
    expect(x).toMatchObject({ mean: 20, low: 20, high: 20 });
    const noisy = meanInterval(4, 0 + 40, 0 + 1600); // 0, 0, 0, 40
    expect(differenceInterval({ n: 4, ...noisy }, { n: 4, ...noisy }).significant).toBe(false);
    expect(differenceInterval({ n: 100, ...x }, { n: 100, ...meanInterval(100, 1500, 100 * 225) }).significant).toBe(true);
  });
});
