// TCPA consent evidence sent with a lead, checked for what it claims (a TrustedForm certificate of the
// real service, a LeadiD token's shape, a timestamp neither stale nor in the future — and present
// when the campaign requires consent with a maximum age — the sellers a one-to-one consent names),
// stored with it, and posted to the buyer with the lead.
import * as z from "zod";
import { fieldErrors, type FieldError } from "../lib/errors";

export const CONSENT_KEYS = [
  "tcpa_consent",
  "tcpa_consent_text",
  "consent_timestamp",
  "trustedform_cert_url",
  "trustedform_ping_url",
  "jornaya_leadid",
  "consent_sellers",
] as const;

const yes = new Set(["true", "1", "yes", "on", "y"]);
const ConsentSchema = z.object({
  tcpa_consent: z.union([z.boolean(), z.string().transform((s) => yes.has(s.trim().toLowerCase()))]).optional(),
  tcpa_consent_text: z.string().trim().min(1).max(4000).optional(),
  consent_timestamp: z.iso.datetime({ offset: true }).optional(),
  trustedform_cert_url: z
    .string()
    .trim()
    .regex(
      /^https:\/\/cert\.trustedform\.com\/[0-9a-f]{40}$/,
      "must be a TrustedForm certificate URL (https://cert.trustedform.com/<40 hex>)",
    )
    .optional(),
  /** The certificate's ping URL: what a buyer may see in a ping (never the certificate itself). */
  trustedform_ping_url: z
    .string()
    .trim()
    .regex(/^https:\/\/ping\.trustedform\.com\/[0-9A-Za-z._-]{10,200}$/, "must be a TrustedForm ping URL (https://ping.trustedform.com/…)")
    .optional(),
  jornaya_leadid: z
    .string()
    .trim()
    .regex(/^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/, "must be a Jornaya LeadiD token")
    .optional(),
  /** One-to-one consent: the sellers (buyer names or ids) the consumer agreed to hear from. */
  consent_sellers: z
    .union([z.array(z.string()), z.string().transform((s) => s.split(/[,;\n]/))])
    .transform((list) => [...new Set(list.map((x) => x.trim()).filter(Boolean))].slice(0, 50))
    .pipe(z.array(z.string().max(120)).min(1, "name at least one seller"))
    .optional(),
});
export type Consent = z.infer<typeof ConsentSchema>;

/** The evidence as stored and posted: what the consumer agreed to, plus where it was given from. */
export type ConsentRecord = Consent & { ip?: string | null; user_agent?: string | null };

/** A stored lead's consent column (JSON, written by intake), or null when it has none. */
export const storedConsent = (column: string | null): ConsentRecord | null => (column ? (JSON.parse(column) as ConsentRecord) : null);

export interface ConsentRules {
  required: boolean;
  /** The oldest the consent timestamp may be (seconds), or null. */
  maxAgeS: number | null;
  /** One-to-one: `consent_sellers` is required. */
  oneToOne: boolean;
  now?: number;
}

/** A consent timestamp may run ahead of our clock by this much (the consumer's clock, skew). */
const FUTURE_SKEW_MS = 5 * 60_000;

const blank = (v: unknown) => v === undefined || v === null || v === "";

export function parseConsent(
  input: Record<string, unknown>,
  rules: ConsentRules,
): { ok: true; consent: Consent | null } | { ok: false; errors: FieldError[] } {
  const { required } = rules;
  const raw: Record<string, unknown> = {};
  for (const k of CONSENT_KEYS) if (!blank(input[k])) raw[k] = input[k];
  const parsed = ConsentSchema.safeParse(raw);
  const errors: FieldError[] = parsed.success ? [] : fieldErrors(parsed.error);
  const c = parsed.success ? parsed.data : undefined;
  if (required) {
    if (c && c.tcpa_consent !== true && !errors.some((e) => e.path === "tcpa_consent"))
      errors.push({ path: "tcpa_consent", message: "this campaign requires TCPA consent (true)" });
    if (c && !c.tcpa_consent_text) errors.push({ path: "tcpa_consent_text", message: "this campaign requires the consent text shown" });
    if (c && !c.trustedform_cert_url && !c.jornaya_leadid)
      errors.push({ path: "trustedform_cert_url", message: "this campaign requires a TrustedForm certificate URL or a Jornaya LeadiD" });
    // A maximum age bounds nothing without a timestamp: leaving it out must not be the way around it.
    if (c && rules.maxAgeS !== null && !c.consent_timestamp)
      errors.push({ path: "consent_timestamp", message: `this campaign requires when consent was given (at most ${rules.maxAgeS} s ago)` });
  }
  const now = rules.now ?? Date.now();
  if (c?.consent_timestamp) {
    const at = Date.parse(c.consent_timestamp);
    if (at > now + FUTURE_SKEW_MS) errors.push({ path: "consent_timestamp", message: "is in the future" });
    else if (rules.maxAgeS !== null && now - at > rules.maxAgeS * 1000)
      errors.push({ path: "consent_timestamp", message: `is older than this campaign allows (${rules.maxAgeS} s)` });
  }
  if (rules.oneToOne && !c?.consent_sellers && !errors.some((e) => e.path === "consent_sellers"))
    errors.push({ path: "consent_sellers", message: "this campaign takes one-to-one consent: name the sellers the consumer agreed to" });
  if (errors.length) return { ok: false, errors };
  return { ok: true, consent: Object.keys(raw).length ? c! : null };
}
