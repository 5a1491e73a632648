// Value transforms in template mappings (issue #27): each transform, their order, defaults, the plain
// string form, and that a ping's entries reach only ping-safe fields, transforms included.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildPing, buildPost } from "../../src/buyers/protocol";
import { entryValue, formatDate, formatPhone } from "../../src/buyers/transforms";
import { pingSafeLead } from "../../src/lead/ping-safe";
import { MappingEntrySchema } from "../../src/rules/mapping";
import { FieldDefsSchema, ProtocolSchema } from "../../src/rules/schemas";
import { contract } from "./fixtures";

const entry = (raw: unknown) => MappingEntrySchema.parse(raw);
const LEAD = {
  first_name: "pat",
  last_name: "O'NEIL",
  phone: "+14155552671",
  dob: "1980-05-17",
  homeowner: true,
  state: "CA",
  credit: "good",
  zip: "94107",
};
const value = (raw: unknown, lead: Record<string, string | number | boolean> = LEAD) =>
  entryValue(entry(raw), (s) => (Object.hasOwn(lead, s) ? lead[s] : undefined));

describe("transforms", () => {
  it("phone formats from the stored E.164", () => {
    expect(["e164", "digits10", "digits11", "dashed", "dotted", "parens"].map((format) => value({ from: "phone", format }))).toEqual([
      "+14155552671",
      "4155552671",
      "14155552671",
      "415-555-2671",
      "415.555.2671",
      "(415) 555-2671",
    ]);
    // A number outside North America has only its E.164 form; the others fall to the default.
    expect(formatPhone("+442071838750", "e164")).toBe("+442071838750");
    expect(value({ from: "phone", format: "digits10", default: "none" }, { phone: "+442071838750" })).toBe("none");
  });

  it("booleans as pairs, and through a lookup table", () => {
    expect(value({ from: "homeowner", bool: ["Y", "N"] })).toBe("Y");
    expect(value({ from: "homeowner", bool: ["Yes", "No"] }, { homeowner: false })).toBe("No");
    expect(value({ from: "homeowner", map: { true: "Y", false: "N" } }, { homeowner: false })).toBe("N");
    expect(value({ from: "homeowner", bool: [1, 0] }, { homeowner: "yes" })).toBe(1);
  });

  it("date patterns", () => {
    expect(value({ from: "dob", date: "MM/DD/YYYY" })).toBe("05/17/1980");
    expect(value({ from: "dob", date: "M/D/YY" })).toBe("5/17/80");
    expect(formatDate("2026-01-02T03:04:05Z", "YYYY-MM-DD HH:mm:ss")).toBe("2026-01-02 03:04:05");
    expect(formatDate("not a date", "YYYY")).toBeUndefined();
  });

  it("case, lookup with a default, concatenation, truncation, constants", () => {
    expect(value({ from: "state", case: "lower" })).toBe("ca");
    expect(value({ concat: ["first_name", " ", "last_name"], case: "title" })).toBe("Pat O'Neil");
    expect(value({ from: "credit", map: { excellent: "A", good: "B" } })).toBe("B");
    expect(value({ from: "credit", map: { excellent: "A" }, default: "C" })).toBe("C");
    expect(value({ from: "last_name", truncate: 3 })).toBe("O'N");
    expect(value({ const: "LG-42" })).toBe("LG-42");
    expect(value({ concat: ["zip", "-", { text: "state" }] })).toBe("94107-state");
    expect(value({ from: "missing", default: 0 })).toBe(0);
    expect(value({ from: "missing" })).toBeUndefined();
  });

  it("applies transforms in the order written", () => {
    expect(value({ from: "first_name", truncate: 2, case: "upper" })).toBe("PA");
    expect(value({ from: "credit", map: { good: "Good Credit" }, transforms: [{ case: "upper" }], truncate: 4 })).toBe("GOOD");
    expect(entry({ from: "x", truncate: 2, case: "upper" }).transforms).toEqual([{ truncate: 2 }, { case: "upper" }]);
  });

  it("the plain string form keeps working and parses to the same entry", () => {
    expect(entry("zip")).toEqual({ from: "zip", transforms: [] });
    expect(entry(entry({ from: "phone", format: "dashed" }))).toEqual(entry({ from: "phone", format: "dashed" }));
  });

  it("refuses what it can't run, saying why", () => {
    const problem = (raw: unknown) => MappingEntrySchema.safeParse(raw).error?.issues[0]?.message;
    expect(problem({ from: "phone", format: "digits9" })).toBeDefined();
    expect(problem({ from: "dob", date: "%Y-%m-%d" })).toMatch(/date pattern/);
    expect(problem({ from: "a", const: "b" })).toMatch(/exactly one/);
    expect(problem({ from: "a", upper: true })).toBeDefined();
    expect(problem({ from: "a", map: { constructor: "x" } })).toMatch(/not keys/);
    expect(problem("constructor")).toBeDefined();
  });

  it("property: a phone's formats all carry the same ten digits", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[2-9]\d{2}[2-9]\d{6}$/), (ten) => {
        for (const f of ["e164", "digits10", "digits11", "dashed", "dotted", "parens"] as const)
          expect(formatPhone(`+1${ten}`, f)!.replace(/\D/g, "").slice(-10)).toBe(ten);
      }),
    );
  });

  it("property: no entry, value or transform makes the builder throw; a truncated value fits", () => {
    const step = fc.oneof(
      fc.record({ case: fc.constantFrom("upper", "lower", "title") }),
      fc.record({ truncate: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ format: fc.constantFrom("e164", "digits10", "dashed") }),
      fc.record({ date: fc.constantFrom("MM/DD/YYYY", "YY") }),
      fc.record({ bool: fc.constant(["Y", "N"]) }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.boolean()), fc.array(step, { maxLength: 4 }), (v, steps) => {
        const out = entryValue(entry({ from: "x", transforms: steps }), () => v);
        if (out !== undefined && steps.at(-1) && "truncate" in steps.at(-1)!)
          expect(Array.from(String(out)).length).toBeLessThanOrEqual((steps.at(-1) as { truncate: number }).truncate);
      }),
      { numRuns: 300 },
    );
  });
});

describe("transforms in requests", () => {
  const fields = FieldDefsSchema.parse([
    { name: "first_name", type: "text" },
    { name: "last_name", type: "text" },
    { name: "phone", type: "phone" },
    { name: "email", type: "email" },
    { name: "dob", type: "dob" },
    { name: "zip", type: "zip", ping: true },
    { name: "state", type: "state", ping: true },
    { name: "homeowner", type: "boolean", ping: true },
  ]);
  const full = { ...LEAD, email: "pat@example.com" };
  const protocol = ProtocolSchema.parse({
    kind: "template",
    ping: {
      format: "json",
      mapping: {
        st: { from: "state", case: "lower" },
        own: { from: "homeowner", bool: ["Y", "N"] },
        // None of these may reach a ping, whatever the transform.
        name: { concat: ["first_name", " ", "last_name"] },
        tel: { from: "phone", format: "digits10" },
        born: { from: "dob", date: "MM/DD/YYYY" },
        mail: { from: "email", case: "upper" },
        guess: { from: "phone", map: { "+14155552671": "found" } },
      },
      response: {},
    },
    post: {
      format: "xml",
      xml_root: "Lead",
      mapping: {
        "@source": { const: "leadgate" },
        "Contact.@type": { const: "home" },
        "Contact.Phone": { from: "phone", format: "digits10" },
        "Contact.Name": { concat: ["first_name", " ", "last_name"], case: "title" },
        DOB: { from: "dob", date: "MM/DD/YYYY" },
      },
      response: {},
    },
  });
  const c = contract({ id: "tx", protocol });

  it("a ping template reaches only ping-safe fields, through transforms too", () => {
    const ping = buildPing(c, { pingId: "pg_1", campaign: "c", leadId: "ld", lead: pingSafeLead(fields, full), tmaxMs: 300 });
    expect(JSON.parse(ping.body)).toEqual({ st: "ca", own: "Y" });
    for (const secret of ["4155552671", "pat", "O'NEIL", "1980", "05/17", "PAT@EXAMPLE.COM", "found"])
      expect(ping.body).not.toContain(secret);
  });

  it("a post in XML with attributes and transformed values", () => {
    const post = buildPost(c, { pingId: null, bidToken: null, priceCents: 1000, campaign: "c", leadId: "ld", lead: full });
    expect(post.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Lead source="leadgate"><Contact type="home"><Phone>4155552671</Phone><Name>Pat O&apos;Neil</Name></Contact><DOB>05/17/1980</DOB></Lead>',
    );
  });
});
