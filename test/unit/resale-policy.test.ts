// Resale, pure (issue #28): which offers a lead gets, when it may no longer be offered, who may
// compete, the campaign a resale runs under, what the source is paid, and TrustedForm's check-in.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  afterCheckIn,
  agedOffers,
  CERT_CLAIM_MS,
  DAY_MS,
  resaleBlock,
  resaleCampaign,
  resaleEntrants,
  resaleSource,
  returnedOffer,
  type ResaleFacts,
} from "../../src/resale/policy";
import { AgedTiersSchema } from "../../src/rules/schemas";
import { campaign, contract } from "./fixtures";

const T0 = Date.UTC(2026, 10, 2);
const tiers = [
  { days: 1, floor_cents: 800 },
  { days: 7, floor_cents: 400 },
  { days: 30, floor_cents: 100 },
];
const lead = (over: Partial<ResaleFacts> = {}): ResaleFacts => ({
  status: "unsold",
  redactedAt: null,
  createdAt: T0,
  consentAt: null,
  hasCert: false,
  certUntil: null,
  suppressed: false,
  ...over,
});

describe("offers", () => {
  it("an unsold lead gets every tier; a sold one only when it was not sold exclusively (or the campaign ages all)", () => {
    const c = campaign({ agedTiers: tiers });
    expect(agedOffers(c, { createdAt: T0, status: "unsold", soldExclusive: false, hasCert: true })).toEqual(
      tiers.map((t) => ({ reason: "unsold", tierDays: t.days, dueAt: T0 + t.days * DAY_MS, floorCents: t.floor_cents, certCheck: true })),
    );
    expect(agedOffers(c, { createdAt: T0, status: "sold", soldExclusive: true, hasCert: false })).toEqual([]);
    expect(agedOffers(c, { createdAt: T0, status: "sold", soldExclusive: false, hasCert: false })).toHaveLength(3);
    expect(agedOffers({ ...c, agedSold: "all" }, { createdAt: T0, status: "sold", soldExclusive: true, hasCert: false })[0]).toMatchObject({
      reason: "sold",
    });
    expect(agedOffers({ ...c, agedSold: "none" }, { createdAt: T0, status: "sold", soldExclusive: false, hasCert: false })).toEqual([]);
    expect(agedOffers(c, { createdAt: T0, status: "rejected", soldExclusive: false, hasCert: false })).toEqual([]);
  });

  it("a returned lead's offer comes after the campaign's delay, at its floor, only when it resells returns", () => {
    const c = campaign({ resellReturns: true, resaleDelayS: 600, floorCents: 700 });
    expect(returnedOffer(c, { now: T0, returnId: "rt_1", contractId: "k", hasCert: false })).toEqual({
      reason: "returned",
      tierDays: 0,
      dueAt: T0 + 600_000,
      floorCents: 700,
      certCheck: false,
      returnId: "rt_1",
      returnedContractId: "k",
    });
    expect(returnedOffer({ ...c, resellReturns: false }, { now: T0, returnId: "rt_1", contractId: "k", hasCert: false })).toBeNull();
  });

  it("aged tiers: days increase and floors never rise", () => {
    expect(AgedTiersSchema.safeParse(tiers).success).toBe(true);
    expect(AgedTiersSchema.safeParse([tiers[1], tiers[0]]).success).toBe(false);
    expect(
      AgedTiersSchema.safeParse([
        { days: 1, floor_cents: 100 },
        { days: 2, floor_cents: 200 },
      ]).success,
    ).toBe(false);
    expect(AgedTiersSchema.safeParse([{ days: 91, floor_cents: 0 }]).success).toBe(false);
  });
});

describe("what blocks a resale", () => {
  const c = campaign({ resellReturns: true, resaleMaxAgeDays: 30, retentionDays: 60 });
  const at = T0 + 2 * DAY_MS;

  it("names the reason", () => {
    expect(resaleBlock(c, "unsold", lead(), at)).toBeNull();
    expect(resaleBlock(c, "unsold", lead({ redactedAt: T0 + 1 }), at)).toMatch(/erased or redacted/);
    expect(resaleBlock(c, "unsold", lead({ status: "erased" }), at)).toMatch(/erased or redacted/);
    expect(resaleBlock(c, "unsold", lead({ status: "pending" }), at)).toBe("the lead is pending");
    expect(resaleBlock({ ...c, resellReturns: false }, "returned", lead(), at)).toMatch(/no longer resells/);
    expect(resaleBlock({ ...c, retentionDays: 2 }, "unsold", lead(), at)).toBe("past the campaign's retention");
    expect(resaleBlock(c, "unsold", lead(), T0 + 31 * DAY_MS)).toMatch(/older than resale_max_age_days/);
    expect(resaleBlock(c, "unsold", lead({ consentAt: T0 - 29 * DAY_MS }), at)).toMatch(/consent is older/);
    expect(resaleBlock(c, "unsold", lead({ suppressed: true }), at)).toBe("the consumer is suppressed");
    expect(resaleBlock(c, "unsold", lead({ hasCert: true }), T0 + CERT_CLAIM_MS)).toMatch(/72 hours, not checked in/);
    expect(resaleBlock(c, "unsold", lead({ hasCert: true, certUntil: T0 + 90 * DAY_MS }), T0 + 20 * DAY_MS)).toBeNull();
  });

  it("property: an erased, suppressed, over-retention, too old or consent-expired lead is never offered", () => {
    fc.assert(
      fc.property(
        fc.record({
          erased: fc.boolean(),
          suppressed: fc.boolean(),
          ageDays: fc.integer({ min: 0, max: 120 }),
          consentBeforeDays: fc.integer({ min: 0, max: 60 }),
          retentionDays: fc.option(fc.integer({ min: 1, max: 100 }), { nil: null }),
          maxAgeDays: fc.integer({ min: 1, max: 90 }),
        }),
        (x) => {
          const camp = campaign({ resaleMaxAgeDays: x.maxAgeDays, retentionDays: x.retentionDays });
          const now = T0 + x.ageDays * DAY_MS + 1;
          const facts = lead({ redactedAt: x.erased ? T0 : null, suppressed: x.suppressed, consentAt: T0 - x.consentBeforeDays * DAY_MS });
          const mustBlock =
            x.erased ||
            x.suppressed ||
            (x.retentionDays !== null && x.ageDays >= x.retentionDays) ||
            now - T0 > x.maxAgeDays * DAY_MS ||
            now - facts.consentAt! > x.maxAgeDays * DAY_MS;
          expect(resaleBlock(camp, "unsold", facts, now) !== null).toBe(mustBlock);
        },
      ),
    );
  });
});

describe("who competes", () => {
  const fresh = contract({ id: "fresh", buyerId: "F" });
  const returner = contract({ id: "ret", buyerId: "R" });
  const returnerOther = contract({ id: "ret2", buyerId: "R" });
  const had = contract({ id: "had", buyerId: "H" });
  const aged = contract({ id: "aged", buyerId: "A", aged: { minDays: 1, maxDays: 30 } });

  it("a returned lead: fresh-lead contracts and aged ones within their ages, never the returner's buyer nor one that had it", () => {
    const all = [fresh, returner, returnerOther, had, aged];
    const r = resaleEntrants(all, { reason: "returned", age: 0, hadIt: new Set(["H", "R"]), returnedBuyer: "R" });
    expect(r.compete.map((c) => c.id)).toEqual(["fresh", "ret", "ret2", "had"]);
    expect([...r.exclude].sort()).toEqual(["had", "ret", "ret2"]);
    expect(resaleEntrants(all, { reason: "returned", age: 3, hadIt: new Set(), returnedBuyer: "R" }).compete.map((c) => c.id)).toContain(
      "aged",
    );
  });

  it("an aged tier: aged-lead contracts within their ages only", () => {
    const all = [fresh, aged];
    expect(resaleEntrants(all, { reason: "unsold", age: 7, hadIt: new Set(), returnedBuyer: null }).compete.map((c) => c.id)).toEqual([
      "aged",
    ]);
    expect(resaleEntrants(all, { reason: "unsold", age: 31, hadIt: new Set(), returnedBuyer: null }).compete).toEqual([]);
  });

  it("a resale round: the offer's floor, one buyer for a returned lead, never exclusive when aged, never by value", () => {
    const c = campaign({ exclusive: false, maxBuyers: 3, sellByValue: true, floorCents: 900 });
    expect(resaleCampaign(c, "returned", 900)).toMatchObject({ maxBuyers: 1, exclusive: false, sellByValue: false, floorCents: 900 });
    expect(resaleCampaign(c, "unsold", 300)).toMatchObject({ maxBuyers: 3, exclusive: false, floorCents: 300, mode: "auction" });
    expect(resaleCampaign(campaign(), "returned", 0)).toMatchObject({ exclusive: true, maxBuyers: 1 });
    expect(resaleCampaign(campaign(), "sold", 0)).toMatchObject({ exclusive: false });
  });
});

describe("money and certificates", () => {
  it("a share source is paid its share again; a fixed payout only what it does not hold already", () => {
    expect(resaleSource({ payoutType: "share", payoutValue: 7000 }, 1260)).toEqual({ payoutType: "share", payoutValue: 7000 });
    expect(resaleSource({ payoutType: "fixed", payoutValue: 800 }, 800)).toEqual({ payoutType: "fixed", payoutValue: 0 });
    expect(resaleSource({ payoutType: "fixed", payoutValue: 800 }, 0)).toEqual({ payoutType: "fixed", payoutValue: 800 });
  });

  it("a check-in extends to 90 days; a gone certificate is given up; a failure is tried again until the 72 hours are over", () => {
    expect(afterCheckIn("extended", T0, T0 + 1)).toEqual({ done: true, until: T0 + 90 * DAY_MS });
    expect(afterCheckIn("expired", T0, T0 + 1)).toEqual({ done: true, until: null });
    expect(afterCheckIn("failed", T0, T0 + 1)).toEqual({ done: false, until: null });
    expect(afterCheckIn("failed", T0, T0 + CERT_CLAIM_MS)).toEqual({ done: true, until: null });
  });
});
