// Builds the zod schema of a campaign's lead from its field definitions. Validation and
// normalization happen together: what comes out is the canonical lead (E.164 phone, lower-case
// email, 5-digit ZIP, 2-letter state, age from date of birth). Pure; cached per field list.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import * as z from "zod";
import { fieldErrors, type FieldError } from "../lib/errors";
import type { FieldDef } from "../rules/schemas";
import { toStateCode } from "./us-states";

export type LeadValue = string | number | boolean;
export type LeadData = Record<string, LeadValue>;

const DEFAULT_TEXT_MAX = 256;
const systemNow = () => new Date();

/** Whole years between a date of birth and `now`, both in UTC. */
export function ageOn(dob: Date, now: Date): number {
  let age = now.getUTCFullYear() - dob.getUTCFullYear();
  const beforeBirthday =
    now.getUTCMonth() < dob.getUTCMonth() || (now.getUTCMonth() === dob.getUTCMonth() && now.getUTCDate() < dob.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}

/** Accepts YYYY-MM-DD and MM/DD/YYYY; returns a real calendar date (no 2024-02-31). */
export function parseDate(input: string): Date | undefined {
  const s = input.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  let y: number, mo: number, d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s))) [y, mo, d] = [Number(m[3]), Number(m[1]), Number(m[2])];
  else return undefined;
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return date;
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

// Control characters and invisible format characters — bidirectional overrides and isolates (which
// can make a stored name display as something else, "Trojan Source" style), zero-width spaces and
// joiners, the byte-order mark, soft hyphens — never reach storage, a buyer or a log.
const UNSAFE_CHARS = /[\p{Cc}\p{Cf}]/gu;
// A cell starting with one of these is a formula in a spreadsheet (a buyer's CSV export of its leads).
const FORMULA_START = /^[=+\-@]+/;

/** Text as stored: Unicode NFC, without control or invisible characters, trimmed. */
export const cleanText = (s: string): string => s.replace(UNSAFE_CHARS, "").normalize("NFC").trim();

/** Free text as stored: clean, and never starting like a spreadsheet formula. */
export const cleanFreeText = (s: string): string => cleanText(s).replace(FORMULA_START, "").trim();

/** A phone number in E.164 (US when no country code is given), or undefined when it is not valid. */
export function normalizePhone(input: string): string | undefined {
  const p = parsePhoneNumberFromString(input.trim(), "US");
  return p && p.isValid() ? p.number : undefined;
}

/** Form posts send every value as a string: accept numbers given as strings. */
const numeric = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, "must be a number")
    .transform(Number),
]);

const TRUE = new Set(["true", "1", "yes", "on", "y"]);
const FALSE = new Set(["false", "0", "no", "off", "n", ""]);
const booleanish = z.union([
  z.boolean(),
  z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .refine((s) => TRUE.has(s) || FALSE.has(s), "must be true or false")
    .transform((s) => TRUE.has(s)),
  z.literal(0).transform(() => false),
  z.literal(1).transform(() => true),
]);

function withBounds(schema: z.ZodNumber, f: FieldDef): z.ZodNumber {
  let s = schema;
  if (f.min !== undefined) s = s.min(f.min);
  if (f.max !== undefined) s = s.max(f.max);
  return s;
}

const freeText = (max: number) => z.string().transform(cleanFreeText).pipe(z.string().min(1, "must not be empty").max(max));

const email = z
  .string()
  .transform(cleanText)
  .pipe(
    z
      .string()
      .toLowerCase()
      .max(254)
      .regex(/^[^=+\-@]/, "must not start with = + - or @")
      .pipe(z.email("must be a valid email address")),
  );

const phone = z.union([z.string(), z.number().transform(String)]).transform((s, ctx) => {
  const e164 = normalizePhone(s);
  if (!e164) {
    ctx.addIssue({ code: "custom", message: "must be a valid phone number" });
    return z.NEVER;
  }
  return e164;
});

const zip = z
  .union([
    z.string(),
    z
      .number()
      .int()
      .transform((n) => String(n).padStart(5, "0")),
  ])
  .transform((s) => s.trim())
  .pipe(z.string().regex(/^\d{5}(-?\d{4})?$/, "must be a 5-digit US ZIP code"))
  .transform((s) => s.slice(0, 5));

function fieldSchema(f: FieldDef, now: () => Date): z.ZodType<LeadValue> {
  const text = z.string().transform(cleanText);
  switch (f.type) {
    case "text":
      return freeText(f.max_length ?? DEFAULT_TEXT_MAX);
    case "email":
      return email;
    case "phone":
      return phone;
    case "zip":
      return zip;
    case "state":
      return text.transform((s, ctx) => {
        const code = toStateCode(s);
        if (!code) {
          ctx.addIssue({ code: "custom", message: "must be a US state name or 2-letter code" });
          return z.NEVER;
        }
        return code;
      });
    case "integer":
      return numeric.pipe(withBounds(z.number().int("must be a whole number"), f));
    case "number":
      return numeric.pipe(withBounds(z.number(), f));
    case "boolean":
      return booleanish;
    case "enum": {
      const values = f.values ?? [];
      const byLower = new Map(values.map((v) => [v.toLowerCase(), v]));
      return text.transform((s, ctx) => {
        const v = byLower.get(s.toLowerCase());
        if (v === undefined) {
          ctx.addIssue({ code: "custom", message: `must be one of: ${values.join(", ")}` });
          return z.NEVER;
        }
        return v;
      });
    }
    case "date":
    case "dob":
      return text.transform((s, ctx) => {
        const d = parseDate(s);
        if (!d) {
          ctx.addIssue({ code: "custom", message: "must be a date (YYYY-MM-DD or MM/DD/YYYY)" });
          return z.NEVER;
        }
        if (f.type === "dob") {
          const age = ageOn(d, now());
          const [min, max] = [f.min ?? 18, f.max ?? 120];
          if (age < min || age > max) {
            ctx.addIssue({ code: "custom", message: `age must be between ${min} and ${max}` });
            return z.NEVER;
          }
        }
        return isoDate(d);
      });
  }
}

/** Blank form inputs count as absent, so an optional empty field is simply left out. */
const blankToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);

export function buildLeadSchema(fields: FieldDef[], now: () => Date = () => new Date()) {
  const shape: Record<string, z.ZodType> = {};
  for (const f of fields) {
    const base = fieldSchema(f, now);
    const field = z.unknown().transform((raw, ctx) => {
      const v = blankToUndefined(raw);
      if (v === undefined) {
        if (f.required) ctx.addIssue({ code: "custom", message: "is required" });
        return f.required ? z.NEVER : undefined;
      }
      const r = base.safeParse(v);
      if (r.success) return r.data;
      for (const issue of r.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
      return z.NEVER;
    });
    shape[f.name] = f.required ? field : field.optional();
  }
  // Unknown keys are dropped: publishers often send extra tracking fields.
  return z.object(shape).transform((lead) => {
    const out: LeadData = {};
    for (const [k, v] of Object.entries(lead)) if (v !== undefined) out[k] = v as LeadValue;
    for (const f of fields) {
      const dob = out[f.name];
      if (f.type === "dob" && typeof dob === "string") out.age = ageOn(new Date(`${dob}T00:00:00Z`), now());
    }
    return out;
  });
}

type LeadSchema = ReturnType<typeof buildLeadSchema>;
// Field lists are stable objects for the lifetime of the cached rules, so schemas are built once.
const schemaCache = new WeakMap<FieldDef[], LeadSchema>();

/** Validates and normalizes raw input against a campaign's fields. */
export function parseLead(
  fields: FieldDef[],
  input: Record<string, unknown>,
  now: () => Date = systemNow,
): { ok: true; lead: LeadData } | { ok: false; errors: FieldError[] } {
  let schema = now === systemNow ? schemaCache.get(fields) : undefined;
  if (!schema) {
    schema = buildLeadSchema(fields, now);
    if (now === systemNow) schemaCache.set(fields, schema);
  }
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, lead: parsed.data } : { ok: false, errors: fieldErrors(parsed.error) };
}
