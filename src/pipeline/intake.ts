// Intake of a valid lead. Three things start at once: the pings of the live round, one D1 batch
// (suppression check and the lead itself) and one dedupe call per fingerprint (campaign claim,
// buyers already taken, holds on the rest). Nothing is posted until the lead is stored and the
// verdict is in: storage distance costs the seller only what it exceeds the buyers' ping time by.
// Every path ends in a recorded state (or `pending`, which the retry queue finishes).
import type { Consent, ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import { buyerDedupeKeys } from "../lead/fingerprints";
import { leadResponse, responseFromSummary, type LeadResponse } from "../lead/response";
import { retryDelaySeconds } from "../lead/state";
import { sha256Hex } from "../lib/crypto";
import { IdempotencyConflict, LimitReached, Unavailable } from "../lib/errors";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import { centsToDollars } from "../lib/money";
import type { Campaign, Rules, Source } from "../rules/model";
import type { Services } from "../services";
import { sourceQuota, type CapHold } from "../services/caps";
import type { IntakeDedupe } from "../services/dedupe";
import type { PostGate } from "../auction/run";
import { applyVariant, assignVariant } from "../experiments/assign";
import { runRound, type RoundContext, type RoundOutcome } from "./round";

export interface Submission {
  campaign: Campaign;
  source: Source;
  lead: LeadData;
  consent: Consent | null;
  meta: Record<string, string | null>;
  /** Namespaced by channel ("server:…", "browser:…"), or null. */
  idempotencyKey: string | null;
  /** A seller's post: the lead id its ping reserved, and the bids and pings it collected. */
  held?: { leadId: string } & NonNullable<RoundContext["held"]>;
}

type Defer = (p: Promise<unknown>) => void;

/** The lead could not be stored, so nothing was accepted: the seller should retry. */
export class LeadNotStored extends Unavailable {
  constructor() {
    super("storage_unavailable", "the lead could not be stored; retry with the same Idempotency-Key");
  }
}

export interface Intake {
  response: LeadResponse;
  /** Present when an auction ran: the buyers' share of the time (for the Server-Timing header). */
  timing?: { pingMs: number; postMs: number; gateMs: number };
}

export async function intake(svc: Services, rules: Rules, sub: Submission, defer: Defer): Promise<Intake> {
  const { campaign, source } = sub;
  const leadId = sub.held?.leadId ?? newId("ld");
  const now = Date.now();
  const fps = await svc.fingerprints(campaign, sub.lead);
  const requestHash = sub.idempotencyKey === null ? null : await sha256Hex(JSON.stringify([campaign.id, sub.lead, sub.consent]));
  // A running experiment routes the lead by its variant's settings (deterministic per lead).
  const experiment = rules.experimentsByCampaign.get(sub.campaign.id);
  const variant = experiment ? assignVariant(experiment, leadId) : null;
  const allContracts = rules.contractsByCampaign.get(sub.campaign.id) ?? [];
  const { campaign: routed, contracts } = variant
    ? applyVariant(sub.campaign, allContracts, variant)
    : { campaign: sub.campaign, contracts: allContracts };
  const journal = svc.journal.nameFor(leadId);
  // The evidence as stored and posted: what the consumer agreed to, and where from.
  const consent: ConsentRecord | null = sub.consent
    ? { ...sub.consent, ip: sub.meta.ip ?? null, user_agent: sub.meta.user_agent ?? null }
    : null;
  // Over its daily quota a source's lead is refused before anything is stored or pinged.
  const quota = await takeQuota(svc, source, leadId, defer);

  const claiming = svc.dedupe.claimForCampaign(fps, {
    campaignId: campaign.id,
    leadId,
    windowS: campaign.dedupeWindowS,
    buyerKeys: buyerDedupeKeys(allContracts),
    defer,
  });
  const storing = svc.records.storeLead(
    {
      id: leadId,
      campaignId: campaign.id,
      sourceId: source.id,
      idempotencyKey: sub.idempotencyKey,
      requestHash,
      journal,
      data: JSON.stringify(sub.lead),
      consent: consent ? JSON.stringify(consent) : null,
      meta: JSON.stringify(sub.meta),
      phoneHash: fps.find((f) => f.kind === "phone")?.hash ?? null,
      emailHash: fps.find((f) => f.kind === "email")?.hash ?? null,
      createdAt: now,
      experimentId: experiment?.id ?? null,
      variant: variant?.name ?? null,
    },
    fps.map((f) => f.hash),
  );
  const verdict = verdictOf(storing, claiming);
  // The campaign's pre-sale checks (TrustedForm, verification hooks) run while the pings are out too.
  const checks = svc.preSale(
    campaign,
    leadId,
    sub.lead,
    consent,
    verdict.then((v) => v.kind === "go"),
    source.name,
  );
  const gate = Promise.all([verdict, checks]).then(([v, c]): PostGate =>
    v.kind === "go" && !c.reject ? { go: true, alreadyBought: v.dedupe.alreadyBought, holding: v.dedupe.holding } : { go: false },
  );
  // The live round starts now: its pings leave while the lead is stored and the verdict taken.
  const round = runRound(
    svc,
    { id: leadId, campaign: routed, source, lead: sub.lead, consent, createdAt: now, retriesDone: 0, journal },
    { contracts, fingerprints: fps, gate, defer, held: sub.held },
  );
  round.catch(() => {}); // awaited below on every path that uses it

  // Whatever the verdict, the buyer keys held for this round are settled once it is over (sales and
  // rejections become claims): they must never outlive it.
  const settled = round.then(
    (r) => svc.dedupe.settleHolds(fps, leadId, r.result.claimHeld),
    () => svc.dedupe.settleHolds(fps, leadId, []),
  );
  defer(settled.catch((err: Error) => log("dedupe_settle_failed", { lead_id: leadId, error: err.message.slice(0, 200) }, "warn")));
  const giveBackClaim = async () => {
    const d = await claiming;
    if (!d.duplicateOf) await svc.dedupe.releaseCampaignClaim(fps, campaign.id, leadId);
  };
  /** The lead ended before any post: its pings are recorded with the final state. */
  const endEarly = (status: "rejected" | "duplicate", reason: string, duplicateOf: string | null = null) =>
    defer(
      round.then(
        (r) => svc.records.recordEarlyEnd(leadId, status, reason, { duplicateOf, pings: r.result.pings }),
        () => svc.records.recordEarlyEnd(leadId, status, reason, { duplicateOf }),
      ),
    );

  const v = await verdict;
  // A stored lead counts against the quota; one that was not (or a replay) gives its unit back.
  if (quota) defer(v.kind === "not_stored" || v.kind === "replay" ? quota.release() : quota.commit());
  switch (v.kind) {
    case "not_stored":
      defer(giveBackClaim());
      log("lead_store_failed", { error: v.error.slice(0, 200) }, "error");
      // Nothing was accepted: the seller must retry (the same Idempotency-Key makes that safe).
      throw new LeadNotStored();
    case "replay": {
      // Same source and idempotency key as an earlier submission: answer with that lead's result,
      // unless the key is reused for a different lead.
      defer(giveBackClaim());
      const existing = await svc.records.leadByIdempotencyKey(source.id, sub.idempotencyKey ?? "");
      if (existing && existing.requestHash !== null && existing.requestHash !== requestHash) throw new IdempotencyConflict(existing.id);
      const summary = existing ? await svc.records.summary(existing.id) : undefined;
      if (!summary || summary.lead.sourceId !== source.id) throw new Error("idempotent replay without a stored lead");
      log("lead_replayed", { lead_id: summary.lead.id, source: source.id });
      return { response: responseFromSummary(source, summary) };
    }
    case "suppressed": {
      const reason = `suppressed: ${v.because}`;
      endEarly("rejected", reason);
      defer(giveBackClaim());
      log("lead_rejected", { lead_id: leadId, reason: "suppressed" });
      return { response: leadResponse(source, leadId, "rejected", { reason }) };
    }
    case "duplicate":
      endEarly("duplicate", "same consumer inside the campaign's dedupe window", v.duplicateOf);
      log("lead_duplicate", { lead_id: leadId, duplicate_of: v.duplicateOf });
      return { response: leadResponse(source, leadId, "duplicate", { duplicate_of: v.duplicateOf, reason: "duplicate" }) };
    case "interrupted":
      return interrupted(svc, sub, leadId, v.error, defer);
    case "go":
  }

  // Stored and unique: the checks' results go on the lead; a failed check ends it before any post.
  const checked = await checks;
  if (checked.results.length > 0)
    defer(svc.records.recordEvents(leadId, [{ kind: "checks", detail: { flagged: checked.flagged, results: checked.results } }]));
  if (checked.reject) {
    endEarly("rejected", checked.reject);
    defer(giveBackClaim());
    log("lead_rejected", { lead_id: leadId, reason: "pre-sale check" });
    return { response: leadResponse(source, leadId, "rejected", { reason: checked.reject }) };
  }

  // The lead is stored and unique: from here on no failure may lose it or answer 500.
  let r: RoundOutcome;
  try {
    r = await round;
  } catch (err) {
    return interrupted(svc, sub, leadId, (err as Error).message, defer);
  }
  r.record.events.unshift({ kind: "accepted", at: now, detail: { campaign: campaign.slug, source: source.id, dedupe: "unique" } });
  defer(
    (async () => {
      await svc.records.recordRound(r.record);
      if (r.status === "pending") await svc.scheduleRetry(leadId, retryDelaySeconds(campaign.retryBaseDelayS, 1));
    })(),
  );
  log("lead_auctioned", {
    lead_id: leadId,
    campaign: campaign.slug,
    source: source.id,
    status: r.status,
    ...r.result.summary,
    price_cents: r.result.total.priceCents,
  });
  const buyers = r.result.sales.map((s) => s.contract.buyerName);
  return {
    response: leadResponse(source, leadId, r.status, {
      price: centsToDollars(r.result.total.priceCents),
      payout: centsToDollars(r.result.total.payoutCents),
      buyer: buyers[0] ?? null,
      buyers,
      reason: r.reason,
    }),
    timing: { pingMs: r.result.timing.pingMs, postMs: r.result.timing.postMs, gateMs: r.result.timing.gateMs },
  };
}

/** A unit of the source's daily quota for this lead (null without a quota), or LimitReached. */
async function takeQuota(svc: Services, source: Source, leadId: string, defer: Defer): Promise<Extract<CapHold, { ok: true }> | null> {
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

type Verdict =
  | { kind: "go"; dedupe: IntakeDedupe }
  | { kind: "not_stored"; error: string }
  | { kind: "replay" }
  | { kind: "suppressed"; because: string }
  | { kind: "duplicate"; duplicateOf: string }
  | { kind: "interrupted"; error: string };

/** What the stored lead and the dedupe claim decide, in that order of precedence. Never rejects. */
async function verdictOf(
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

/** The lead is stored but its round broke: the retry queue takes it, the seller is told `pending`. */
function interrupted(svc: Services, sub: Submission, leadId: string, error: string, defer: Defer): Intake {
  const reason = "auction interrupted, retry scheduled";
  log("auction_failed", { lead_id: leadId, error: error.slice(0, 200) }, "error");
  defer(
    (async () => {
      if (await svc.records.transition(leadId, "pending", reason))
        await svc.scheduleRetry(leadId, retryDelaySeconds(sub.campaign.retryBaseDelayS, 1));
    })(),
  );
  return { response: leadResponse(sub.source, leadId, "pending", { reason }) };
}
