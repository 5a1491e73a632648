// Admins' patterns (regex filters, plain-text answers) run on RE2 (issue #24): patterns that take a
// backtracking engine seconds on 28 characters answer at once on 10,000, with RE2's results; what
// RE2 can't run (backreferences, lookarounds, huge programs) is a rule problem that says why; and on
// ordinary patterns RE2 and JavaScript's RegExp agree.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesFilter } from "../../src/auction/filters";
import { readTemplatePing, readTemplatePost } from "../../src/buyers/answers";
import { cachedRegex, MAX_REGEX_PROGRAM, regexProblem } from "../../src/lib/strings";
import { FilterSchema, ResponseRulesSchema } from "../../src/rules/schemas";

/** The review's patterns, each with an input it misses and one it matches, of any length. */
const CATASTROPHIC = [
  { pattern: "(a|a)*b", miss: (n: number) => "a".repeat(n), hit: (n: number) => `${"a".repeat(n - 1)}b` },
  { pattern: "\\d*\\d*\\d*\\d*z", miss: (n: number) => "1".repeat(n), hit: (n: number) => `${"1".repeat(n - 1)}z` },
  { pattern: "^(.*)(.*)(.*)x", miss: (n: number) => "a".repeat(n), hit: (n: number) => `${"a".repeat(n - 1)}x` },
];

const filter = (pattern: string) => FilterSchema.parse({ field: "street", op: "regex", pattern });
const rules = (r: Record<string, unknown>) => ResponseRulesSchema.parse(r);

describe("admins' patterns run on RE2", () => {
  it("the engine is RE2: it refuses what only a backtracking engine can run", () => {
    expect(cachedRegex("^OK\\b").engine).toBe("re2");
    expect(new RegExp("(a)\\1").test("aa")).toBe(true); // JavaScript takes a backreference…
    expect(() => cachedRegex("(a)\\1")).toThrow(/RE2|escape/); // …RE2 has none
  });

  it.each(CATASTROPHIC)("$pattern is valid in a rule and answers on 28 and 10,000 characters", ({ pattern, miss, hit }) => {
    expect(FilterSchema.safeParse({ field: "street", op: "regex", pattern }).success).toBe(true);
    const re = cachedRegex(pattern);
    for (const n of [28, 10_000]) {
      expect(re.test(miss(n))).toBe(false);
      expect(re.test(hit(n))).toBe(true);
      expect(re.exec(miss(n))).toBeNull();
      expect(re.exec(hit(n))?.[0]).toBe(hit(n));
    }
  });

  it("captures as a leftmost-first engine does: greedy groups, and undefined for a group that took no part", () => {
    const hit = `${"a".repeat(9_999)}x`;
    expect(cachedRegex("^(.*)(.*)(.*)x").exec(hit)).toEqual([hit, "a".repeat(9_999), "", ""]);
    expect(cachedRegex("(a)|(b)").exec("b")).toEqual(["b", undefined, "b"]);
  });

  it("a regex filter reads the first 1024 characters of the field", () => {
    for (const { pattern, miss, hit } of CATASTROPHIC) {
      expect(matchesFilter(filter(pattern), { street: miss(10_000) })).toBe(false);
      expect(matchesFilter(filter(pattern), { street: hit(1024) })).toBe(true);
      expect(matchesFilter(filter(pattern), { street: hit(10_000) })).toBe(false); // its end is past the bound
    }
  });

  it("plain-text answers are read by RE2 over their first 4096 characters", () => {
    const bid = rules({ bid_regex: "^(.*)(.*)(.*)x" });
    expect(readTemplatePing(bid, { status: 200, body: "7.25x" })).toMatchObject({ kind: "bid", bidCents: 725 });
    expect(readTemplatePing(bid, { status: 200, body: "a".repeat(10_000) })).toMatchObject({ kind: "no_bid" });
    for (const pattern of ["\\d*\\d*\\d*\\d*z", "(a|a)*b"]) {
      const { miss, hit } = CATASTROPHIC.find((c) => c.pattern === pattern)!;
      const post = rules({ accepted_regex: pattern });
      expect(readTemplatePost(post, { status: 200, body: miss(10_000) }).kind).toBe("rejected");
      expect(readTemplatePost(post, { status: 200, body: hit(28) }).kind).toBe("accepted");
    }
  });

  it("a pattern RE2 can't run is a rule problem that says why", () => {
    for (const pattern of ["(a)\\1", "foo(?=bar)", "(?<!x)y", "(?!a)b"]) {
      const r = FilterSchema.safeParse({ field: "zip", op: "regex", pattern });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/^not a pattern RE2 accepts \(RE2 has no backreferences or lookarounds\): /);
    }
    expect(ResponseRulesSchema.safeParse({ bid_regex: "(?=\\d)(\\d+)" }).success).toBe(false);
    expect(regexProblem("[")).toMatch(/missing closing \]/);
    // Linear in input x program: a program too large for its budget is refused, with its size.
    expect(regexProblem("[a-z]{1000}[a-z]{1000}")).toMatch(
      new RegExp(`too large: it compiles to \\d+ RE2 instructions, at most ${MAX_REGEX_PROGRAM}`),
    );
    for (const pattern of ["^9[0-4]\\d{3}$", "^(CA|TX|FL)$", "gmail\\.com$", "PRICE=(\\d+\\.\\d{2})", "(?i)^ok\\b", "(a+)+$"])
      expect(regexProblem(pattern)).toBeUndefined();
  });

  it("property: on simple patterns RE2 and JavaScript's RegExp find the same match", () => {
    const atom = fc.constantFrom("a", "b", "c", "1", ".", "[ab]", "[^a]", "\\d", "\\w", "\\.");
    const piece = fc.tuple(atom, fc.constantFrom("", "", "?", "*", "+", "{1,2}", "{2}")).map(([a, q]) => a + q);
    // A group whose every branch consumes a character: a repeated group never loops on the empty string.
    const solid = fc.tuple(atom, fc.constantFrom("", "+", "{1,3}")).map(([a, q]) => a + q);
    const branch = fc.tuple(solid, fc.array(piece, { maxLength: 2 })).map(([s, rest]) => s + rest.join(""));
    const group = fc
      .tuple(fc.constantFrom("(", "(?:"), fc.array(branch, { minLength: 1, maxLength: 3 }), fc.constantFrom("", "?", "*", "+"))
      .map(([open, branches, q]) => `${open}${branches.join("|")})${q}`);
    const pattern = fc
      .tuple(fc.boolean(), fc.array(fc.oneof(piece, group), { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([start, parts, end]) => `${start ? "^" : ""}${parts.join("")}${end ? "$" : ""}`);
    const input = fc.string({ unit: fc.constantFrom("a", "b", "c", "1", ".", " "), maxLength: 12 });
    fc.assert(
      fc.property(pattern, input, (p, s) => {
        const js = new RegExp(p);
        const re2 = cachedRegex(p);
        expect(re2.test(s)).toBe(js.test(s));
        expect(re2.exec(s)?.[0]).toBe(js.exec(s)?.[0]);
      }),
      { numRuns: 500 },
    );
  });
});
