// A template mapping's entries: where a request field's value comes from (a lead field, one of the
// auction's own values, text joined from several, a constant) and the transforms that put it in the
// buyer's own shape (phone formats, Y/N, date patterns, lookup tables…), applied in the order written.
// Schemas only; ../buyers/transforms.ts applies them.
import * as z from "zod";
import { UNSAFE_KEYS } from "../lib/own";

/** The auction's own values a mapping can read besides the lead's fields. */
export const AUCTION_VALUES = [
  "$ping_id",
  "$bid_token",
  "$price",
  "$price_cents",
  "$campaign",
  "$lead_id",
  "$tmax",
  "$retention_days",
  "$trustedform_ping_url",
  ...[
    "tcpa_consent",
    "tcpa_consent_text",
    "consent_timestamp",
    "ip",
    "user_agent",
    "trustedform_cert_url",
    "jornaya_leadid",
    "consent_sellers",
  ].map((k) => `$consent.${k}`),
] as const;

const escaped = AUCTION_VALUES.map((v) => v.replace(/[$.]/g, (c) => `\\${c}`)).join("|");

/** A lead field, or one of the auction's own values (`$ping_id`, `$price`, `$consent.ip`…). */
export const SOURCE_PATTERN = new RegExp(`^(${escaped}|[a-z][a-z0-9_]*)$`);

export const isSource = (s: string): boolean => SOURCE_PATTERN.test(s) && !UNSAFE_KEYS.has(s);

export const SourceSchema = z
  .string()
  .regex(SOURCE_PATTERN, "not a lead field or $value")
  .refine((s) => !UNSAFE_KEYS.has(s), "not a lead field");

const scalar = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const PHONE_FORMATS = ["e164", "digits10", "digits11", "dashed", "dotted", "parens"] as const;
export const CASES = ["upper", "lower", "title"] as const;

/** A date pattern: YYYY, YY, MM, M, DD, D, HH, mm, ss and separators (space / - . : , T). */
export const DATE_PATTERN = /^(YYYY|YY|MM|M|DD|D|HH|mm|ss|[ /\-.:,T])+$/;

/** One transform: an object with exactly one of these keys. */
export const StepSchema = z.union([
  z.object({ format: z.enum(PHONE_FORMATS) }).strict(),
  z
    .object({ date: z.string().max(40).regex(DATE_PATTERN, "a date pattern of YYYY, YY, MM, M, DD, D, HH, mm, ss and / - . : , T") })
    .strict(),
  z.object({ bool: z.tuple([scalar, scalar]) }).strict(),
  z
    .object({
      map: z
        .record(z.string().max(200), scalar)
        .refine((m) => Object.keys(m).length <= 1000, "at most 1000 entries")
        .refine((m) => !Object.keys(m).some((k) => UNSAFE_KEYS.has(k)), "__proto__, constructor and prototype are not keys"),
    })
    .strict(),
  z.object({ case: z.enum(CASES) }).strict(),
  z.object({ truncate: z.number().int().min(1).max(10_000) }).strict(),
]);
export type Step = z.infer<typeof StepSchema>;

/** The keys that name a transform when written directly on an entry (`{"from": "phone", "format": "digits10"}`). */
export const STEP_KEYS: ReadonlySet<string> = new Set(["format", "date", "bool", "map", "case", "truncate"]);

/** A part of a concatenation: a field or $value by its name, anything else literal text, or `{"text": …}`. */
const ConcatPart = z.union([z.string().max(200), z.object({ text: z.string().max(200) }).strict()]);

const EntryObjectSchema = z
  .object({
    from: SourceSchema.optional(),
    concat: z.array(ConcatPart).min(1).max(20).optional(),
    const: scalar.optional(),
    transforms: z.array(StepSchema).max(10).default([]),
    /** When the source is missing or empty, or a transform can't apply (an unknown map key, a phone that is not one). */
    default: scalar.optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    const sources = [e.from, e.concat, e.const].filter((s) => s !== undefined).length;
    if (sources !== 1) ctx.addIssue({ code: "custom", message: 'an entry has exactly one of "from", "concat" or "const"' });
  });

/**
 * Transforms written directly on the entry become its `transforms` list, in the order written (an
 * explicit `transforms` list keeps its place among them), so what an admin reads is what runs.
 */
export function canonicalEntry(raw: unknown): unknown {
  if (typeof raw === "string") return { from: raw, transforms: [] };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = {};
  const steps: unknown[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (STEP_KEYS.has(key)) steps.push({ [key]: value });
    else if (key === "transforms" && Array.isArray(value)) steps.push(...(value as unknown[]));
    else out[key] = value;
  }
  return { ...out, transforms: steps };
}

/**
 * A mapping entry: a source by name (the plain form, read as `{"from": <name>}`), or an object with a
 * source and transforms. Parsed, every entry is the object form (itself valid input).
 */
export const MappingEntrySchema = z.preprocess(canonicalEntry, EntryObjectSchema);
export type MappingEntry = z.infer<typeof MappingEntrySchema>;

/** The lead fields and $values an entry reads (for rules:check: unknown fields, non-ping-safe fields in a ping). */
export function sourcesOf(entry: MappingEntry): string[] {
  if (entry.from !== undefined) return [entry.from];
  if (entry.concat) return entry.concat.filter((p): p is string => typeof p === "string" && isSource(p));
  return [];
}
