// Pre-sale checks: what a campaign wants confirmed before a lead is posted to anyone — its
// TrustedForm certificate (verified or claimed through the TrustedForm API) and its verification
// hooks (./hooks.ts: phone validation, DNC or litigator scrub). They run while the pings are out,
// each with a strict time budget, over ./outside.ts (no redirects, capped answers); the posts wait
// for them (the post gate). Each outcome maps to the configured action: reject the lead, continue,
// or continue flagged. Results are recorded on the lead.
import { own } from "../lib/own";
import type { ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import type { Campaign } from "../rules/model";
import { hookCheck, hookPayload } from "./hooks";
import { callOutside, jsonOf } from "./outside";

export type CheckOutcome = "pass" | "fail" | "timeout" | "error";
export type CheckAction = "reject" | "continue" | "flag";

export interface CheckResult {
  name: string;
  outcome: CheckOutcome;
  action: CheckAction | "none";
  detail: string | null;
  latency_ms: number;
}

export interface PreSale {
  /** Why the lead must not be sold, or null. */
  reject: string | null;
  flagged: boolean;
  results: CheckResult[];
}

export interface CheckConfig {
  trustedformUrl: string;
  trustedformKey: string | null;
}

const TRUSTEDFORM_TIMEOUT_MS = 2000;

/** TrustedForm: verify (is the certificate real and for this lead?) or claim (retain it for us). */
async function trustedform(
  mode: "verify" | "claim",
  consent: ConsentRecord | null,
  leadId: string,
  cfg: CheckConfig,
): Promise<Omit<CheckResult, "latency_ms">> {
  const name = `trustedform_${mode}`;
  const cert = consent?.trustedform_cert_url;
  if (!cert) return { name, outcome: "fail", action: "reject", detail: "no TrustedForm certificate" };
  if (!cfg.trustedformKey) return { name, outcome: "error", action: "reject", detail: "TRUSTEDFORM_API_KEY is not configured" };
  const id = cert.slice(cert.lastIndexOf("/") + 1);
  const url = `${cfg.trustedformUrl.replace(/\/$/, "")}/${id}${mode === "verify" ? "/verify" : ""}`;
  const r = await callOutside(
    url,
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${btoa(`API:${cfg.trustedformKey}`)}` },
      body: JSON.stringify(mode === "claim" ? { retain: { reference: leadId } } : { reference: leadId }),
    },
    TRUSTEDFORM_TIMEOUT_MS,
  );
  if (!r.ok) return { name, outcome: r.outcome, action: "reject", detail: r.detail };
  const json = jsonOf(r.text);
  const outcome = own(json, "outcome");
  if (r.status === 200 && outcome === "success") return { name, outcome: "pass", action: "none", detail: null };
  const reason = own(json, "message");
  return {
    name,
    outcome: "fail",
    action: "reject",
    detail: `HTTP ${r.status}${typeof reason === "string" ? `: ${reason.slice(0, 120)}` : ""}`,
  };
}

/** The verdict of a set of results. Pure. */
export function judge(results: CheckResult[]): PreSale {
  const rejected = results.find((r) => r.action === "reject");
  return {
    reject: rejected ? `pre-sale check ${rejected.name}: ${rejected.outcome}${rejected.detail ? ` (${rejected.detail})` : ""}` : null,
    flagged: results.some((r) => r.action === "flag"),
    results,
  };
}

/**
 * Every check the campaign asks for, in parallel. Never rejects. A TrustedForm *claim* (which
 * retains, and bills, the certificate) waits for `unique`: a duplicate, a replay or a suppressed
 * consumer's lead claims nothing. Verifications and hooks start at once.
 */
export async function preSaleChecks(
  campaign: Campaign,
  leadId: string,
  lead: LeadData,
  consent: ConsentRecord | null,
  cfg: CheckConfig,
  unique: Promise<boolean>,
): Promise<PreSale> {
  const timed = async (run: () => Promise<Omit<CheckResult, "latency_ms">>): Promise<CheckResult> => {
    const t = Date.now();
    return { ...(await run()), latency_ms: Date.now() - t };
  };
  const checks: Promise<CheckResult>[] = [];
  if (campaign.trustedform === "verify") checks.push(timed(() => trustedform("verify", consent, leadId, cfg)));
  if (campaign.trustedform === "claim")
    checks.push(
      unique.then((go) =>
        go
          ? timed(() => trustedform("claim", consent, leadId, cfg))
          : {
              name: "trustedform_claim",
              outcome: "pass" as const,
              action: "none" as const,
              detail: "not claimed: the lead is not sold",
              latency_ms: 0,
            },
      ),
    );
  if (campaign.verifyHooks.length > 0) {
    const payload = hookPayload(campaign, leadId, lead);
    for (const h of campaign.verifyHooks) checks.push(timed(() => hookCheck(h, payload)));
  }
  if (checks.length === 0) return { reject: null, flagged: false, results: [] };
  return judge(await Promise.all(checks));
}
