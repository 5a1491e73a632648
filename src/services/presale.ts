// Pre-sale checks: what a campaign wants confirmed before a lead is posted to anyone — its
// TrustedForm certificate (./trustedform.ts), its Jornaya LeadiD token (./jornaya.ts), its
// verification hooks (./hooks.ts) and its scrub and validation connectors (./scrubs.ts, cached per
// consumer). They run while the pings are out, each with a strict time budget;
// the posts wait for them (the post gate). Each outcome maps to an action: reject the lead, continue,
// or continue flagged. Results are recorded on the lead.
import type { ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import type { Campaign } from "../rules/model";
import type { Fingerprint } from "../lead/fingerprints";
import { hookCheck, hookPayload } from "./hooks";
import { jornayaCheck, type JornayaConfig } from "./jornaya";
import type { ScrubConfig } from "./scrub-vendors";
import { scrubChecks, type ScrubRecord, type ScrubStore } from "./scrubs";
import { trustedformCheck, type TrustedFormConfig } from "./trustedform";

export type CheckOutcome = "pass" | "fail" | "timeout" | "error";
export type CheckAction = "reject" | "continue" | "flag";

export interface CheckResult {
  name: string;
  outcome: CheckOutcome;
  action: CheckAction | "none";
  detail: string | null;
  latency_ms: number;
  /** A scrub's result reused from the cache (no call, no cost). */
  cached?: boolean;
}

export interface PreSale {
  /** Why the lead must not be sold, or null. */
  reject: string | null;
  flagged: boolean;
  results: CheckResult[];
  /** What the scrubs leave to record: cache entries, calls and their cost. */
  scrubs: ScrubRecord[];
}

export interface CheckConfig {
  trustedform: TrustedFormConfig;
  jornaya: JornayaConfig;
  scrubs: ScrubConfig;
  scrubStore: ScrubStore;
  now: number;
}

/** The verdict of a set of results. Pure. */
export function judge(results: CheckResult[], scrubs: ScrubRecord[] = []): PreSale {
  const rejected = results.find((r) => r.action === "reject");
  return {
    reject: rejected ? `pre-sale check ${rejected.name}: ${rejected.outcome}${rejected.detail ? ` (${rejected.detail})` : ""}` : null,
    flagged: results.some((r) => r.action === "flag"),
    results,
    scrubs,
  };
}

export interface PreSaleInput {
  campaign: Campaign;
  leadId: string;
  lead: LeadData;
  consent: ConsentRecord | null;
  /** Who sold us the lead (the source's name): TrustedForm records it on a retained certificate. */
  vendor: string;
  /** The consumer's fingerprints: scrub results are cached under them. */
  fingerprints: Fingerprint[];
}

const timed = async (run: () => Promise<Omit<CheckResult, "latency_ms">>): Promise<CheckResult> => {
  const t = Date.now();
  return { ...(await run()), latency_ms: Date.now() - t };
};

/**
 * Every check the campaign asks for, in parallel. Never rejects. A TrustedForm *retain* (which
 * bills the certificate to us) waits for `unique`: a duplicate, a replay or a suppressed consumer's
 * lead retains nothing. Verifications, Jornaya and hooks start at once.
 */
export async function preSaleChecks(input: PreSaleInput, cfg: CheckConfig, unique: Promise<boolean>): Promise<PreSale> {
  const { campaign } = input;
  const checks: Promise<CheckResult>[] = [];
  const tf = campaign.trustedform;
  if (tf === "verify") checks.push(timed(() => trustedformCheck(tf, input, cfg.trustedform)));
  if (tf === "claim" || tf === "claim_verify")
    checks.push(
      unique.then((go) =>
        go
          ? timed(() => trustedformCheck(tf, input, cfg.trustedform))
          : { name: `trustedform_${tf}`, outcome: "pass", action: "none", detail: "not retained: the lead is not sold", latency_ms: 0 },
      ),
    );
  if (campaign.jornaya === "authenticate") checks.push(timed(() => jornayaCheck(campaign, input.consent, cfg.jornaya)));
  if (campaign.verifyHooks.length > 0) {
    const payload = hookPayload(campaign, input.leadId, input.lead);
    for (const h of campaign.verifyHooks) checks.push(timed(() => hookCheck(h, payload)));
  }
  const scrubs = scrubChecks(
    { campaign, lead: input.lead, fingerprints: input.fingerprints, unique, now: cfg.now },
    cfg.scrubs,
    cfg.scrubStore,
  );
  if (checks.length === 0 && scrubs.length === 0) return { reject: null, flagged: false, results: [], scrubs: [] };
  const [results, scrubbed] = await Promise.all([Promise.all(checks), Promise.all(scrubs)]);
  return judge(
    [...results, ...scrubbed.map((s) => s.result)],
    scrubbed.flatMap((s) => (s.record ? [s.record] : [])),
  );
}
