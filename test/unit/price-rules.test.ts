// Price rules per contract (issue #27): ordered, first match wins, conditions in the filter language
// (value lists through sets compiled once per rules load), actions set, add, subtract, multiply or
// refuse; the ranking, floors and the ceiling see the rule's price; rules:check says what is wrong.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { selectEligible } from "../../src/auction/eligibility";
import { matchesFilter } from "../../src/auction/filters";
import { priceFor, refusedBy } from "../../src/auction/price-rules";
import { fixedPriceBids, qualifyPriced } from "../../src/auction/ranking";
import { compileRules } from "../../src/rules/compile";
import { readListUpload } from "../../src/rules/lists";
import { campaign } from "./fixtures";
import { ruleRows } from "./rule-rows";

const TX_ELSE = JSON.stringify([
  { name: "Texas", when: [{ field: "state", op: "eq", value: "TX" }], price_cents: 2500 },
  { name: "no-go zips", when: [{ field: "zip", op: "in_list", list: "blocked" }], refuse: true },
  { name: "homeowners", when: [{ field: "homeowner", op: "eq", value: true }], add_cents: 500 },
]);
const BLOCKED = Array.from({ length: 10_000 }, (_, i) => String(10_000 + i * 7).padStart(5, "0"));

function compiled(priceRules = TX_ELSE, extra: object = {}) {
  const rules = compileRules(
    ruleRows(
      [{ id: "k1", pricing: "fixed", pingUrl: null, fixedPriceCents: 1800, priceRules, ...extra }],
      [{ name: "blocked", values: JSON.stringify(BLOCKED), count: BLOCKED.length }],
    ),
  );
  return { rules, c: rules.contractsById.get("k1")! };
}

describe("price rules", () => {
  it("first match wins: TX at one price, others at another; a listed ZIP is refused", () => {
    const { rules, c } = compiled();
    expect(rules.problems).toEqual([]);
    const price = (lead: Record<string, string | boolean>) => priceFor(c, lead, 1800);
    expect(price({ state: "TX", zip: "75001", homeowner: true })).toEqual({
      kind: "price",
      cents: 2500,
      by: { rule: 1, name: "Texas", baseCents: 1800 },
    });
    expect(price({ state: "CA", zip: "94107", homeowner: true })).toMatchObject({ cents: 2300, by: { rule: 3 } });
    expect(price({ state: "CA", zip: "94107", homeowner: false })).toEqual({ kind: "price", cents: 1800, by: null });
    expect(price({ state: "CA", zip: BLOCKED[77]! })).toEqual({ kind: "refuse", reason: "price rule 2 (no-go zips): refuses the lead" });
    expect(refusedBy(c, { state: "TX", zip: BLOCKED[77]! })).toBeUndefined(); // Texas matched first
  });

  it("a refused lead keeps the contract out of the round: not pinged, not posted", () => {
    const { c } = compiled();
    const e = selectEligible({
      contracts: [c],
      lead: { state: "NV", zip: BLOCKED[3]! },
      now: 0,
      capFull: () => undefined,
      alreadyBought: new Set(),
      exclude: new Set(),
      includeFallback: false,
      maxFanout: 10,
    });
    expect(e.skipped).toEqual([{ contract: c, reason: "price rule 2 (no-go zips): refuses the lead" }]);
  });

  it("each action; the floor sees the rule's price, the ceiling the buyer's own bid", () => {
    const dynamic = { pricing: "dynamic", pingUrl: "https://b.example/ping", fixedPriceCents: null };
    const rule = (action: object) => compiled(JSON.stringify([{ when: [], ...action }]), dynamic).c;
    expect(priceFor(rule({ add_cents: 250 }), {}, 1000)).toMatchObject({ cents: 1250 });
    expect(priceFor(rule({ subtract_cents: 250 }), {}, 1000)).toMatchObject({ cents: 750 });
    expect(priceFor(rule({ subtract_cents: 2500 }), {}, 1000)).toMatchObject({ cents: 0 });
    expect(priceFor(rule({ multiply_bps: 12_500 }), {}, 999)).toMatchObject({ cents: 1248 });
    expect(priceFor(rule({ price_cents: 777 }), {}, 1000)).toMatchObject({ cents: 777 });
    const extra = { token: null, pingId: null, latencyMs: 0 };
    const boosted = { ...rule({ multiply_bps: 20_000 }), maxBidCents: 1500 };
    expect(qualifyPriced(boosted, {}, 1000, 1900, extra)).toMatchObject({ ok: true, bid: { bidCents: 2000 } });
    expect(qualifyPriced(boosted, {}, 1600, 0, extra)).toMatchObject({ ok: false, outcome: "invalid" });
    expect(qualifyPriced(rule({ subtract_cents: 900 }), {}, 1000, 500, extra)).toMatchObject({ ok: false, outcome: "below_floor" });
    const fixed = fixedPriceBids([compiled().c], campaign({ floorCents: 2000 }), { state: "TX" });
    expect(fixed.bids.map((b) => [b.bidCents, b.pricedBy?.rule])).toEqual([[2500, 1]]);
  });

  it("rules:check: unknown lists and fields, one action per rule, a rule that prices the sample at nothing", () => {
    const problems = (priceRules: unknown, extra: object = {}) =>
      compiled(JSON.stringify(priceRules), extra).rules.problems.map((p) => `${p.column}: ${p.message}`);
    expect(problems([{ when: [{ field: "zip", op: "in_list", list: "nope" }], refuse: true }])).toEqual([
      'price_rules: filter zip in_list: no value list "nope" (upload it first)',
    ]);
    expect(problems([{ when: [{ field: "shoe", op: "eq", value: 1 }], add_cents: 1 }])).toEqual([
      'price_rules: price rule 1: condition on unknown field "shoe" of campaign auto',
    ]);
    expect(problems([{ price_cents: 1, add_cents: 2 }])[0]).toMatch(/exactly one of price_cents, add_cents/);
    expect(problems([{ name: "cheap", subtract_cents: 1800 }])).toEqual([
      "price_rules: price rule 1 (cheap) prices 1800c (the fixed price) at 0c",
    ]);
    expect(
      compiled("[]", { filters: JSON.stringify([{ field: "zip", op: "not_in_list", list: "blocked" }]) }).rules.listUsers.get("blocked"),
    ).toEqual(["k1"]);
  });

  it("property: a list matches through its set exactly as a scan would", () => {
    const { c } = compiled("[]", { filters: JSON.stringify([{ field: "zip", op: "in_list", list: "blocked" }]) });
    const inline = compiled("[]", { filters: JSON.stringify([{ field: "zip", op: "in", values: BLOCKED.slice(0, 500) }]) }).c;
    const listed = new Set(BLOCKED);
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...BLOCKED.slice(0, 600)), fc.stringMatching(/^\d{5}$/)), (zip) => {
        expect(matchesFilter(c.filters[0]!, { zip })).toBe(listed.has(zip));
        expect(matchesFilter(inline.filters[0]!, { zip })).toBe(BLOCKED.slice(0, 500).includes(zip));
      }),
      { numRuns: 500 },
    );
  });

  it("property: the price is the first matching rule's, applied to the base", () => {
    const states = ["TX", "CA", "NY"];
    const rule = fc.record({
      state: fc.constantFrom(...states),
      action: fc.oneof(
        fc.record({ price_cents: fc.integer({ min: 1, max: 5000 }) }),
        fc.record({ add_cents: fc.integer({ min: 1, max: 5000 }) }),
        fc.record({ multiply_bps: fc.integer({ min: 1, max: 30_000 }) }),
      ),
    });
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 6 }), fc.constantFrom(...states), fc.integer({ min: 1, max: 10_000 }), (rs, state, base) => {
        const priceRules = JSON.stringify(rs.map((r) => ({ when: [{ field: "state", op: "eq", value: r.state }], ...r.action })));
        const { c } = compiled(priceRules, { pricing: "dynamic", pingUrl: "https://b.example/ping", fixedPriceCents: null });
        const first = rs.find((r) => r.state === state);
        const a = first?.action as { price_cents?: number; add_cents?: number; multiply_bps?: number } | undefined;
        const expected = !a
          ? base
          : (a.price_cents ?? (a.add_cents !== undefined ? base + a.add_cents : Math.floor((base * a.multiply_bps!) / 10_000)));
        expect(priceFor(c, { state }, base)).toMatchObject({ kind: "price", cents: expected });
      }),
      { numRuns: 200 },
    );
  });
});

describe("value list uploads", () => {
  it("reads the first column, skips a header and blank lines, normalizes ZIP+4 and lost leading zeros", () => {
    expect(readListUpload('zip,city\n"94107",SF\n75001-1234,Addison\n\n2116,Boston\n="01234",x\n94107\n', "zip", true)).toEqual({
      values: ["94107", "75001", "02116", "01234"],
      problems: [],
    });
    expect(readListUpload("94107\nabc\n123456", "zip", false).problems).toEqual([
      { line: 2, message: 'not a ZIP code: "abc"' },
      { line: 3, message: 'not a ZIP code: "123456"' },
    ]);
    expect(readListUpload("Gold;1\n SILVER \n", "text", false).values).toEqual(["gold", "silver"]);
  });
});
