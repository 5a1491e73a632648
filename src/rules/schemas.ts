// zod schemas for the structured (JSON) parts of the rules. They are the single source of the
// TypeScript types for fields, filters, schedules and buyer protocols.
import { isSafePath, UNSAFE_KEYS } from "../lib/own";
import { ListNameSchema, MAX_LIST_VALUES } from "./lists";
import { MappingEntrySchema } from "./mapping";
import { PRESET_NAMES, withPreset } from "./presets";
import { regexProblem } from "../lib/strings";
import { WEEKDAYS } from "../lib/time";
import * as z from "zod";

const fieldName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, "field names are snake_case, at most 64 chars")
  .refine((n) => !UNSAFE_KEYS.has(n), "constructor and prototype are not field names");

export const FIELD_TYPES = ["text", "email", "phone", "zip", "state", "integer", "number", "boolean", "enum", "date", "dob"] as const;

/** Types whose values identify a person: never allowed in a ping. */
export const PII_TYPES: ReadonlySet<string> = new Set(["email", "phone", "dob"]);
/** Field names that identify a person whatever their type: never allowed in a ping. */
export const PII_NAMES: ReadonlySet<string> = new Set([
  "first_name",
  "last_name",
  "full_name",
  "name",
  "address",
  "address2",
  "street",
  "street_address",
  "email",
  "phone",
  "ssn",
  "dob",
  "date_of_birth",
]);

export const FieldDefSchema = z
  .object({
    name: fieldName,
    type: z.enum(FIELD_TYPES),
    required: z.boolean().default(false),
    /** Safe to show buyers in a ping (never for PII). */
    ping: z.boolean().default(false),
    /**
     * Personal data, never pinged. Unset means: text is personal (a free-text field may hold a name or
     * an address), other types are not; `false` on a text field is an admin's word that it is not.
     */
    pii: z.boolean().optional(),
    values: z.array(z.string().min(1)).min(1).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    max_length: z.number().int().positive().max(10_000).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.type === "enum" && !f.values) ctx.addIssue({ code: "custom", message: "enum fields need values" });
    if (f.ping && (f.pii || PII_TYPES.has(f.type) || PII_NAMES.has(f.name)))
      ctx.addIssue({ code: "custom", message: `field "${f.name}" is personal data and cannot be ping-safe` });
  });
export type FieldDef = z.infer<typeof FieldDefSchema>;

export const FieldDefsSchema = z
  .array(FieldDefSchema)
  .min(1)
  .superRefine((fields, ctx) => {
    const seen = new Set<string>();
    for (const f of fields) {
      if (seen.has(f.name)) ctx.addIssue({ code: "custom", message: `duplicate field "${f.name}"` });
      seen.add(f.name);
    }
  });

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * An admin's regex (filters, plain-text answers), in RE2's syntax: matched by RE2 in linear time, so
 * no input can make it slow. A pattern RE2 refuses (backreferences, lookarounds) or too large for its
 * budget is a rule problem that says why.
 */
const safePattern = z
  .string()
  .max(200)
  .superRefine((p, ctx) => {
    const problem = regexProblem(p);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const FilterSchema = z.discriminatedUnion("op", [
  z.object({ field: fieldName, op: z.literal("eq"), value: scalar }),
  z.object({ field: fieldName, op: z.literal("neq"), value: scalar }),
  z.object({ field: fieldName, op: z.literal("in"), values: z.array(scalar).min(1).max(MAX_LIST_VALUES) }),
  z.object({ field: fieldName, op: z.literal("not_in"), values: z.array(scalar).min(1).max(MAX_LIST_VALUES) }),
  z
    .object({ field: fieldName, op: z.literal("range"), min: z.number().optional(), max: z.number().optional() })
    .refine((r) => r.min !== undefined || r.max !== undefined, "range needs min or max"),
  z.object({
    field: fieldName,
    op: z.literal("regex"),
    pattern: safePattern,
  }),
  z.object({ field: fieldName, op: z.literal("exists") }),
  // A named value list (./lists.ts): thousands of ZIP codes without carrying them in every rule.
  z.object({ field: fieldName, op: z.literal("in_list"), list: ListNameSchema }),
  z.object({ field: fieldName, op: z.literal("not_in_list"), list: ListNameSchema }),
]);
export type Filter = z.infer<typeof FilterSchema>;
export const FiltersSchema = z.array(FilterSchema);

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
export const TimeZoneSchema = z.string().refine(isTimeZone, "unknown IANA time zone");

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "time as HH:MM");

export const ScheduleSchema = z.object({
  /** Defaults to the contract's time zone. */
  timezone: TimeZoneSchema.optional(),
  /** Open when any window matches; a window whose end is before its start runs past midnight. */
  windows: z.array(z.object({ days: z.array(z.enum(WEEKDAYS)).min(1), start: hhmm, end: hhmm })).min(1),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

/**
 * A dotted path into an answer or a request; prototype-chain segments are refused. `@name` is an XML
 * attribute (`Response.@Price`); other formats read it as a key of that name.
 */
const path = z.string().min(1).refine(isSafePath, "path segments __proto__, constructor and prototype are not allowed");

/** What a value at `accepted_path` must equal (strings case-insensitively) to mean accepted, unless a contract lists its own. */
export const DEFAULT_ACCEPTED_VALUES: readonly (string | number | boolean)[] = [true, "true", "accepted", "success", "ok", 1, "1"];

export const ResponseRulesSchema = z.object({
  /**
   * Dotted path into the answer, e.g. "result.bid". JSON, form-encoded and XML answers are read
   * alike: for XML the path starts at the root element ("response.price").
   */
  bid_path: path.optional(),
  bid_unit: z.enum(["dollars", "cents"]).default("dollars"),
  /** The buyer's price for a shared lead (campaigns that sell by value), in `bid_unit`; absent: its bid. */
  shared_bid_path: path.optional(),
  bid_token_path: path.optional(),
  accepted_path: path.optional(),
  /** Values at accepted_path that mean accepted (default: DEFAULT_ACCEPTED_VALUES). */
  accepted_values: z.array(scalar).optional(),
  reason_path: path.optional(),
  buyer_lead_id_path: path.optional(),
  /** HTTP statuses that decide the outcome on their own (e.g. 204 no bid, 409 duplicate reject). */
  accept_status: z.array(z.number().int()).optional(),
  reject_status: z.array(z.number().int()).optional(),
  /**
   * A failure inside an HTTP 200 (`{"response":"failure","details":"Quota Reached"}`): when the value
   * at `failure_path` is one of `failure_values`, a ping is no bid and a post a reject, with the
   * reason at `reason_path`.
   */
  failure_path: path.optional(),
  failure_values: z.array(scalar).optional(),
  /** Plain-text answers: the first capture group is the bid (in `bid_unit`). */
  bid_regex: safePattern.optional(),
  /** Plain-text answers: a match means accepted. */
  accepted_regex: safePattern.optional(),
});
export type ResponseRules = z.infer<typeof ResponseRulesSchema>;

export const RequestTemplateSchema = z.object({
  /** json, form or xml body (POST), or query: a GET with the fields in the query string. */
  format: z.enum(["json", "form", "xml", "query"]),
  /** xml: the root element. */
  xml_root: z
    .string()
    .regex(/^[A-Za-z_][\w.-]*$/)
    .default("request"),
  headers: z.record(z.string(), z.string()).default({}),
  /** Constant fields added to every request (vendor ids, campaign codes). */
  static: z.record(path, scalar).default({}),
  /**
   * Output key (dotted for nested JSON; `@name` an XML attribute) -> a lead field or $value, or an
   * entry with transforms (./mapping.ts).
   */
  mapping: z.record(path, MappingEntrySchema),
  response: ResponseRulesSchema,
});
export type RequestTemplate = z.infer<typeof RequestTemplateSchema>;

/** A template protocol may name a preset (./presets.ts), which fills in what its platform always wants. */
export const ProtocolSchema = z.preprocess(
  withPreset,
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("native") }),
    z.object({
      kind: z.literal("template"),
      preset: z.enum(PRESET_NAMES).optional(),
      ping: RequestTemplateSchema.optional(),
      post: RequestTemplateSchema,
    }),
  ]),
);
export type Protocol = z.infer<typeof ProtocolSchema>;

/** A contract's own request headers (API keys): names as HTTP allows, bounded values. */
export const ApiHeadersSchema = z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "not a header name"), z.string().max(1024));

export const StringListSchema = z.array(z.string().min(1));
export const OriginListSchema = z.array(z.url().transform((u) => new URL(u).origin));

/** What a failed or timed-out pre-sale check does to the lead. */
export const CHECK_ACTIONS = ["reject", "continue", "flag"] as const;
/** campaigns.trustedform: which Certificate API operations run before posting (docs/ADMIN.md). */
export const TRUSTEDFORM_MODES = ["off", "verify", "claim", "claim_verify"] as const;
/** campaigns.jornaya: whether the LeadiD token is authenticated before posting. */
export const JORNAYA_MODES = ["off", "authenticate"] as const;

/** A verification hook a campaign calls before any post (phone validation, DNC or litigator scrub). */
export const PreSaleHookSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, "hook names are snake_case, at most 32 chars"),
  url: z.string().url(),
  /** A strict budget: the hook runs while the pings are out, and the posts wait for it at most this long. */
  timeout_ms: z.number().int().min(50).max(3000).default(800),
  on_fail: z.enum(CHECK_ACTIONS).default("reject"),
  on_timeout: z.enum(CHECK_ACTIONS).default("continue"),
});
export type PreSaleHook = z.infer<typeof PreSaleHookSchema>;
export const PreSaleHooksSchema = z.array(PreSaleHookSchema).max(5);

/** One arm of a routing experiment: a traffic share and the settings it overrides. */
export const VariantSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "variant names are short slugs"),
  share: z.number().int().min(1).max(10_000),
  settings: z
    .object({
      mode: z.enum(["auction", "waterfall"]).optional(),
      floor_cents: z.number().int().min(0).optional(),
      ping_timeout_ms: z.number().int().min(50).max(10_000).optional(),
      quality_weighting: z.boolean().optional(),
      /** The contracts that may compete (fallback tiers included when listed); absent: all. */
      contracts: z.array(z.string()).max(1000).optional(),
    })
    .strict()
    .default({}),
});
export type Variant = z.infer<typeof VariantSchema>;
export const VariantsSchema = z
  .array(VariantSchema)
  .min(2)
  .max(10)
  .refine((vs) => new Set(vs.map((v) => v.name)).size === vs.length, "variant names must differ");

/** The oldest a resale (returned or aged) may be: aged leads past about three months carry legal risk. */
export const MAX_RESALE_AGE_DAYS = 90;

/** One aged tier of a campaign: its leads are offered to aged-lead contracts at `days` old, with this floor. */
export const AgedTierSchema = z.object({
  days: z.number().int().min(1).max(MAX_RESALE_AGE_DAYS),
  floor_cents: z.number().int().min(0),
});
export type AgedTier = z.infer<typeof AgedTierSchema>;

/** A campaign's tiers: ages strictly increasing, floors that never rise (an older lead is worth less). */
export const AgedTiersSchema = z
  .array(AgedTierSchema)
  .max(10)
  .superRefine((tiers, ctx) => {
    for (let i = 1; i < tiers.length; i++) {
      if (tiers[i]!.days <= tiers[i - 1]!.days) ctx.addIssue({ code: "custom", message: "tier days must increase" });
      if (tiers[i]!.floor_cents > tiers[i - 1]!.floor_cents)
        ctx.addIssue({ code: "custom", message: "a later tier's floor must not be higher" });
    }
  });
