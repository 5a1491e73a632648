// What decides a lead's fate at intake, settled while its pings are out: the stored lead (suppressed?
// a replay?) and the dedupe claim (a duplicate?), in that order of precedence; with the pre-sale
// checks and the round's posting permit, the post gate of the live round. Also the source's daily
// quota, taken before anything starts.
import type { PostGate } from "../auction/gate";
import { LimitReached } from "../lib/errors";
import type { Source } from "../rules/model";
import type { Services } from "../services";
import { sourceQuota, type CapHold } from "../services/caps";
import type { IntakeDedupe } from "../services/dedupe";
import type { PreSale } from "../services/presale";
import type { Permit } from "./permit";

export type Verdict =
  | { kind: "go"; dedupe: IntakeDedupe }
  | { kind: "not_stored"; error: string }
  | { kind: "replay" }
  | { kind: "suppressed"; because: string }
  | { kind: "duplicate"; duplicateOf: string }
  | { kind: "interrupted"; error: string };

/** What the stored lead and the dedupe claim decide, in that order of precedence. Never rejects. */
export async function verdictOf(
  storing: Promise<{ stored: boolean; suppressedBecause: string | null }>,
  claiming: Promise<IntakeDedupe>,
): Promise<Verdict> {
  claiming.catch(() => {}); // judged below, after the store
  let stored;
  try {
    stored = await storing;
  } catch (err) {
    return { kind: "not_stored", error: (err as Error).message };
  }
  if (!stored.stored) return { kind: "replay" };
  if (stored.suppressedBecause !== null) return { kind: "suppressed", because: stored.suppressedBecause };
  try {
    const dedupe = await claiming;
    return dedupe.duplicateOf ? { kind: "duplicate", duplicateOf: dedupe.duplicateOf } : { kind: "go", dedupe };
  } catch (err) {
    return { kind: "interrupted", error: (err as Error).message };
  }
}

/**
 * Posts may go once the lead is stored and unique, no pre-sale check failed and the round holds its
 * posting permit (the lead was not erased meanwhile). The permit is asked for only then: one local
 * call per round, made while the pings are out.
 */
export function postGateOf(verdict: Promise<Verdict>, checks: Promise<PreSale>, permit: Permit): Promise<PostGate> {
  return Promise.all([verdict, checks]).then(async ([v, c]): Promise<PostGate> => {
    if (v.kind !== "go" || c.reject || !(await permit.take())) return { go: false };
    return { go: true, alreadyBought: v.dedupe.alreadyBought, holding: v.dedupe.holding };
  });
}

export type QuotaUnit = Extract<CapHold, { ok: true }>;

/** A unit of the source's daily quota for this lead (null without a quota), or LimitReached. */
export async function takeQuota(
  svc: Pick<Services, "caps">,
  source: Source,
  leadId: string,
  defer: (p: Promise<unknown>) => void,
): Promise<QuotaUnit | null> {
  const quota = sourceQuota(source);
  if (!quota) return null;
  svc.caps.prepare([quota], defer);
  const hold = await svc.caps.reserve(quota, leadId, 0, { postMs: 0 });
  if (!hold.ok)
    throw new LimitReached(
      "daily_quota_reached",
      "this source's daily lead quota is used up",
      Math.ceil((hold.retryAfter - Date.now()) / 1000),
    );
  return hold;
}

/** A stored lead counts against the quota; one that was not (or a replay) gives its unit back. */
export const settleQuota = (quota: QuotaUnit, v: Verdict): Promise<void> =>
  v.kind === "not_stored" || v.kind === "replay" ? quota.release() : quota.commit();
