// What is left of a lead once its personal fields are redacted (retention or an erasure request):
// the fields that are not personal (the campaign's ping-safe ones), the consent's proof without the
// consumer's IP and user agent, and the request's coarse location. Status, prices, pings and posts
// are kept for reporting and billing. An erasure keeps less: no consent text, no sellers the consumer
// named and no sub-id (free text a source chose); only the proof a TCPA claim would need (that consent
// was given, when, and the vendors' certificate and token, which those vendors hold). Pure.
import type { FieldDef } from "../rules/schemas";
import { own } from "../lib/own";
import { pingSafeFields } from "./ping-safe";

export interface StoredBody {
  data: string;
  consent: string | null;
  meta: string;
}

const parse = (s: string | null): unknown => {
  if (s === null) return null;
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
};

const pick = (obj: unknown, keys: readonly string[]) => {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = own(obj, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
};

const CONSENT_KEPT = [
  "tcpa_consent",
  "tcpa_consent_text",
  "consent_timestamp",
  "trustedform_cert_url",
  "jornaya_leadid",
  "consent_sellers",
] as const;
const META_KEPT = ["country", "region", "sub_id"] as const;
const CONSENT_KEPT_ON_ERASURE = ["tcpa_consent", "consent_timestamp", "trustedform_cert_url", "jornaya_leadid"] as const;
const META_KEPT_ON_ERASURE = ["country", "region"] as const;

/** Why a lead is redacted: its campaign's retention, or its consumer's erasure request (keeps less). */
export type RedactionPurpose = "retention" | "erasure";

/** `fields`: the campaign's (undefined when it is gone: then no field is kept). */
export function redactBody(body: StoredBody, fields: FieldDef[] | undefined, purpose: RedactionPurpose = "retention"): StoredBody {
  const erasure = purpose === "erasure";
  const data = pick(parse(body.data), fields ? pingSafeFields(fields).map((f) => f.name) : []);
  const consent = body.consent === null ? null : pick(parse(body.consent), erasure ? CONSENT_KEPT_ON_ERASURE : CONSENT_KEPT);
  return {
    data: JSON.stringify({ ...data, _redacted: true }),
    consent: consent ? JSON.stringify(consent) : null,
    meta: JSON.stringify(pick(parse(body.meta), erasure ? META_KEPT_ON_ERASURE : META_KEPT)),
  };
}
