// TrustedForm's Certificate API v4, as a pre-sale check: one POST to the certificate that matches it
// to this lead's consumer (match_lead: the email and/or phone) and, per the campaign's mode, verifies
// the consent it recorded (verify) and retains it for us (retain, with our lead id and the source).
// Decided on the answer's top-level `outcome`; a certificate for another consumer fails.
import * as z from "zod";
import type { ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import type { Campaign } from "../rules/model";
import { callOutside, jsonOf, vendorUrl } from "./outside";
import type { CheckResult } from "./presale";

export type TrustedFormMode = Exclude<Campaign["trustedform"], "off">;
export const TRUSTEDFORM_ORIGIN = "https://cert.trustedform.com";
const TIMEOUT_MS = 2000;

/** What TrustedForm compares with the fingerprints it took on the form: normalized as it does. */
export function matchLeadOf(campaign: Campaign, lead: LeadData): { email?: string; phone?: string } | null {
  const email = campaign.fields.find((f) => f.type === "email" && typeof lead[f.name] === "string");
  const phone = campaign.fields.find((f) => f.type === "phone" && typeof lead[f.name] === "string");
  const out: { email?: string; phone?: string } = {};
  if (email) out.email = String(lead[email.name]).toLowerCase();
  // Leads hold phones in E.164; a US consumer typed ten digits, so those are what match.
  if (phone)
    out.phone = String(lead[phone.name])
      .replace(/^\+1(?=\d{10}$)/, "")
      .replace(/\D/g, "");
  return out.email || out.phone ? out : null;
}

/** The request body for a mode: match_lead always (retain requires it), then verify and/or retain. */
export function trustedformBody(
  mode: TrustedFormMode,
  match: { email?: string; phone?: string },
  leadId: string,
  vendor: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = { match_lead: match };
  if (mode === "claim" || mode === "claim_verify") body.retain = { reference: leadId, vendor };
  if (mode === "verify" || mode === "claim_verify") body.verify = {};
  return body;
}

const Answer = z.object({
  outcome: z.enum(["success", "failure", "error"]),
  reason: z.string().nullish(),
  match_lead: z.object({ result: z.object({ success: z.boolean().nullish() }).nullish() }).nullish(),
  verify: z.object({ results: z.object({ success: z.boolean().nullish() }).nullish() }).nullish(),
});

const said = (reason: string | null | undefined) => (reason ? `: ${reason.slice(0, 120)}` : "");

/** An answer's verdict. Pure. Anything but a full success proves nothing: TrustedForm checks reject. */
export function judgeTrustedForm(mode: TrustedFormMode, status: number, json: unknown): Pick<CheckResult, "outcome" | "detail"> {
  const parsed = Answer.safeParse(json);
  if (!parsed.success) return { outcome: "error", detail: `unreadable answer (HTTP ${status})` };
  const a = parsed.data;
  // A certificate that expired or does not exist documents no consent: the lead fails, it is no outage.
  if (status === 404 || status === 410) return { outcome: "fail", detail: `HTTP ${status}${said(a.reason)}` };
  if (status !== 200 || a.outcome === "error") return { outcome: "error", detail: `HTTP ${status}${said(a.reason)}` };
  if (a.outcome === "failure") return { outcome: "fail", detail: `failure${said(a.reason)}` };
  // "success" must say so for each operation asked: a match to this consumer, and the verification.
  if (a.match_lead?.result?.success !== true) return { outcome: "fail", detail: "the certificate does not match this lead's consumer" };
  if ((mode === "verify" || mode === "claim_verify") && a.verify?.results?.success !== true)
    return { outcome: "fail", detail: "TrustedForm did not verify the consent" };
  return { outcome: "pass", detail: null };
}

export interface TrustedFormConfig {
  url: string;
  key: string | null;
}

/** The check for one lead. Never rejects; every failure rejects the lead (fail closed). */
export async function trustedformCheck(
  mode: TrustedFormMode,
  input: { campaign: Campaign; lead: LeadData; consent: ConsentRecord | null; leadId: string; vendor: string },
  cfg: TrustedFormConfig,
): Promise<Omit<CheckResult, "latency_ms">> {
  const name = `trustedform_${mode}`;
  const fail = (outcome: CheckResult["outcome"], detail: string) => ({ name, outcome, action: "reject" as const, detail });
  const cert = input.consent?.trustedform_cert_url;
  const id = cert?.match(/^https:\/\/cert\.trustedform\.com\/([0-9a-f]{40})$/)?.[1];
  if (!id) return fail("fail", "no TrustedForm certificate");
  const match = matchLeadOf(input.campaign, input.lead);
  if (!match) return fail("fail", "no email or phone to match the certificate to");
  if (!cfg.key) return fail("error", "TRUSTEDFORM_API_KEY is not configured");
  const target = vendorUrl(cfg.url, TRUSTEDFORM_ORIGIN, id);
  if (!target.ok) return fail("error", `TRUSTEDFORM_API_URL: ${target.detail}`);
  const r = await callOutside(
    target.url,
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        "api-version": "4.0",
        authorization: `Basic ${btoa(`API:${cfg.key}`)}`,
      },
      body: JSON.stringify(trustedformBody(mode, match, input.leadId, input.vendor)),
    },
    TIMEOUT_MS,
  );
  if (!r.ok) return fail(r.outcome, r.detail);
  const verdict = judgeTrustedForm(mode, r.status, jsonOf(r.text));
  return { name, ...verdict, action: verdict.outcome === "pass" ? "none" : "reject" };
}

export type CheckInOutcome = "extended" | "expired" | "failed";

/**
 * Check-in: extends a certificate's claim period from 72 hours to 90 days after its creation without
 * claiming it (POST {cert}/check_in), so a buyer of a resale days later can still claim it. Possible
 * only within the 72 hours; a 404 means it is gone. Never rejects.
 */
export async function trustedformCheckIn(
  certUrl: string | undefined,
  cfg: TrustedFormConfig,
): Promise<{ outcome: CheckInOutcome; detail: string | null }> {
  const id = certUrl?.match(/^https:\/\/cert\.trustedform\.com\/([0-9a-f]{40})$/)?.[1];
  if (!id) return { outcome: "expired", detail: "no TrustedForm certificate" };
  if (!cfg.key) return { outcome: "failed", detail: "TRUSTEDFORM_API_KEY is not configured" };
  const target = vendorUrl(cfg.url, TRUSTEDFORM_ORIGIN, `${id}/check_in`);
  if (!target.ok) return { outcome: "failed", detail: `TRUSTEDFORM_API_URL: ${target.detail}` };
  const r = await callOutside(
    target.url,
    {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: `Basic ${btoa(`API:${cfg.key}`)}` },
      body: "{}",
    },
    TIMEOUT_MS,
  );
  if (!r.ok) return { outcome: "failed", detail: r.detail };
  if (r.status === 200 || r.status === 201) return { outcome: "extended", detail: null };
  return { outcome: r.status === 404 || r.status === 410 ? "expired" : "failed", detail: `HTTP ${r.status}` };
}
