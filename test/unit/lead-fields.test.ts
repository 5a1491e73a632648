import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ageOn, cleanFreeText, cleanText, parseDate, parseLead } from "../../src/lead/fields";
import type { FieldDef } from "../../src/rules/schemas";
import { FieldDefsSchema } from "../../src/rules/schemas";

const fields: FieldDef[] = FieldDefsSchema.parse([
  { name: "email", type: "email", required: true },
  { name: "phone", type: "phone", required: true },
  { name: "zip", type: "zip", required: true, ping: true },
  { name: "state", type: "state", ping: true },
  { name: "dob", type: "dob" },
  { name: "homeowner", type: "boolean", ping: true },
  { name: "vehicle_year", type: "integer", min: 1980, max: 2027, ping: true },
  { name: "credit", type: "enum", values: ["good", "poor"], ping: true },
]);
const now = () => new Date("2026-11-21T12:00:00Z");

describe("lead validation and normalization", () => {
  it("normalizes phone to E.164, email, ZIP+4, state names, booleans, numbers from strings, enum case", () => {
    const r = parseLead(
      fields,
      {
        email: "  Pat.Doe@Example.COM ",
        phone: "(415) 555-2671",
        zip: "94107-1234",
        state: "california",
        dob: "05/17/1980",
        homeowner: "yes",
        vehicle_year: "2018",
        credit: "GOOD",
        extra: "dropped",
      },
      now,
    );
    expect(r).toEqual({
      ok: true,
      lead: {
        email: "pat.doe@example.com",
        phone: "+14155552671",
        zip: "94107",
        state: "CA",
        dob: "1980-05-17",
        age: 46,
        homeowner: true,
        vehicle_year: 2018,
        credit: "good",
      },
    });
  });

  it("lists every wrong field with its path", () => {
    const r = parseLead(fields, { email: "nope", phone: "123", zip: "9410", state: "XX", vehicle_year: 1900, credit: "meh" }, now);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path).sort()).toEqual(["credit", "email", "phone", "state", "vehicle_year", "zip"]);
  });

  it("says a missing required field is required, and ignores blank optional ones", () => {
    const r = parseLead(fields, { email: "a@b.co", zip: "94107", state: "", dob: "" }, now);
    expect(r).toEqual({ ok: false, errors: [{ path: "phone", message: "is required" }] });
  });

  it("rejects impossible dates and minors", () => {
    expect(parseDate("2024-02-30")).toBeUndefined();
    expect(parseDate("2024-02-29")?.toISOString()).toBe("2024-02-29T00:00:00.000Z");
    const r = parseLead(fields, { email: "a@b.co", phone: "4155552671", zip: "94107", dob: "2015-01-01" }, now);
    expect(r.ok).toBe(false);
  });

  it("computes age on the birthday boundary", () => {
    expect(ageOn(new Date("2000-11-21T00:00:00Z"), now())).toBe(26);
    expect(ageOn(new Date("2000-11-22T00:00:00Z"), now())).toBe(25);
  });

  it("text is stored in NFC, without control or bidi-override characters", () => {
    const withName = FieldDefsSchema.parse([{ name: "first_name", type: "text", max_length: 5 }]);
    const r = parseLead(withName, { first_name: "Jose\u0301\u202Eevil\u0000" });
    expect(r).toMatchObject({ ok: false }); // "José" + "evil" is 8 characters, over the bound after cleaning
    const ok = parseLead(withName, { first_name: " Jose\u0301\u2066\n" });
    expect(ok).toEqual({ ok: true, lead: { first_name: "Jos\u00e9" } });
    expect(parseLead(withName, { first_name: "\u202E\u0007" })).toMatchObject({ ok: false }); // nothing left
    expect(cleanText("e\u0000\u0301")).toBe("\u00e9"); // stripping first, then NFC
  });

  it("property: cleaned text is NFC and free of control and bidi characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (raw) => {
        const out = cleanText(raw);
        expect(out.normalize("NFC")).toBe(out);
        expect(/[\p{Cc}\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/u.test(out)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("property: any JSON-ish input yields ok or field errors, never a throw", () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.object());
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("email", "phone", "zip", "state", "dob", "homeowner", "vehicle_year", "credit", "x"), value),
        (input) => {
          const r = parseLead(fields, input, now);
          if (!r.ok) expect(r.errors.length).toBeGreaterThan(0);
          else expect(typeof r.lead.phone).toBe("string");
        },
      ),
      { numRuns: 500 },
    );
  });

  it("property: valid US numbers in any common format normalize to the same E.164", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), fc.integer({ min: 0, max: 9999 }), (d, line) => {
        const l = String(line).padStart(4, "0");
        const formats = [`(415) ${d}55-${l}`, `415.${d}55.${l}`, `+1 415 ${d}55 ${l}`, `415${d}55${l}`];
        const out = formats.map((p) => parseLead([fields[1]!], { phone: p }, now));
        const phones = new Set(out.map((o) => (o.ok ? o.lead.phone : "invalid")));
        expect(phones.size).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it("zero-width and other invisible characters are stripped; free text never starts like a spreadsheet formula (issue #24)", () => {
    const defs = FieldDefsSchema.parse([
      { name: "notes", type: "text" },
      { name: "email", type: "email" },
    ]);
    const r = parseLead(defs, { notes: '=HYPERLINK("http://x")', email: "pat\u200b@example.com" });
    expect(r).toMatchObject({ ok: true, lead: { notes: 'HYPERLINK("http://x")', email: "pat@example.com" } });
    expect(parseLead(defs, { notes: "\u200d+-@=cmd|' /C calc'!A0" })).toMatchObject({ ok: true, lead: { notes: "cmd|' /C calc'!A0" } });
    expect(parseLead(defs, { notes: "Zoë\u00ad\ufeff" })).toMatchObject({ ok: true, lead: { notes: "Zoë" } });
    const bad = parseLead(defs, { email: "=cmd@example.com" });
    expect(bad).toMatchObject({ ok: false, errors: [{ path: "email" }] });
  });

  it("property: cleaned free text has no invisible characters and never starts with = + - @", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (raw) => {
        const out = cleanFreeText(raw);
        expect(/[\p{Cc}\p{Cf}]/u.test(out)).toBe(false);
        expect(/^[=+\-@]/.test(out)).toBe(false);
        expect(out).toBe(out.trim());
      }),
      { numRuns: 500 },
    );
  });
});
