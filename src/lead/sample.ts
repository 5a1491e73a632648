// A made-up lead for "test this buyer": a valid value for every field of a campaign (fictional 555
// phone numbers, example.com addresses), so a buyer's endpoint can be tried without any consumer's
// data; and what of a lead a display must mask (its personal fields' values).
import type { FieldDef } from "../rules/schemas";
import type { LeadData } from "./fields";
import { isPersonal } from "./ping-safe";

const NAMED: Record<string, string> = {
  first_name: "Test",
  last_name: "Lead",
  full_name: "Test Lead",
  name: "Test Lead",
  city: "San Francisco",
};

function sampleValue(f: FieldDef, now: Date): string | number | boolean {
  switch (f.type) {
    case "email":
      return "test.lead@example.com";
    case "phone":
      return "(415) 555-0100";
    case "zip":
      return "94107";
    case "state":
      return "CA";
    case "dob":
      return "1980-01-01";
    case "date":
      return now.toISOString().slice(0, 10);
    case "boolean":
      return true;
    case "enum":
      return f.values?.[0] ?? "";
    case "integer":
    case "number": {
      const v = f.min !== undefined && f.max !== undefined ? (f.min + f.max) / 2 : (f.min ?? f.max ?? 1);
      return f.type === "integer" ? Math.round(v) : v;
    }
    default:
      return (NAMED[f.name] ?? "test").slice(0, f.max_length ?? 100);
  }
}

/** A lead of made-up values, one per field, as a source would send it. */
export function sampleLead(fields: FieldDef[], now: Date): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, sampleValue(f, now)]));
}

/** The text forms a lead's personal values take in a request (as sent, and URL-encoded), to mask in a display. */
export function personalValues(fields: FieldDef[], lead: LeadData): string[] {
  const out = new Set<string>();
  for (const f of fields) {
    const v = lead[f.name];
    if (!isPersonal(f) || v === undefined || String(v).length < 3) continue;
    out.add(String(v));
    out.add(encodeURIComponent(String(v)));
    out.add(new URLSearchParams({ v: String(v) }).toString().slice(2));
  }
  return [...out].sort((a, b) => b.length - a.length);
}
