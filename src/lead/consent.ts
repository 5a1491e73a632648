// TCPA consent evidence sent with a lead, stored with it, and required where the campaign says so.
import * as z from "zod";
import { fieldErrors, type FieldError } from "./fields";

export const CONSENT_KEYS = ["tcpa_consent", "tcpa_consent_text", "consent_timestamp", "trustedform_cert_url", "jornaya_leadid"] as const;

const yes = new Set(["true", "1", "yes", "on", "y"]);
const ConsentSchema = z.object({
  tcpa_consent: z
    .union([z.boolean(), z.string().transform((s) => yes.has(s.trim().toLowerCase()))])
    .optional(),
  tcpa_consent_text: z.string().trim().min(1).max(4000).optional(),
  consent_timestamp: z.iso.datetime({ offset: true }).optional(),
  trustedform_cert_url: z
    .string()
    .trim()
    .regex(/^https:\/\/cert\.trustedform\.com\/[0-9a-f]{40}$/, "must be a TrustedForm certificate URL (https://cert.trustedform.com/<40 hex>)")
    .optional(),
  jornaya_leadid: z
    .string()
    .trim()
    .regex(/^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/, "must be a Jornaya LeadiD token")
    .optional(),
});
export type Consent = z.infer<typeof ConsentSchema>;

const blank = (v: unknown) => v === undefined || v === null || v === "";

export function parseConsent(
  input: Record<string, unknown>,
  required: boolean,
): { ok: true; consent: Consent | null } | { ok: false; errors: FieldError[] } {
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
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, consent: Object.keys(raw).length ? c! : null };
}
