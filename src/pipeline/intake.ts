// Intake of a valid lead. Three things start at once: the pings of the live round, one D1 batch
// (suppression check and the lead itself) and one dedupe call per fingerprint (campaign claim,
// buyers already taken, holds on the rest). Nothing is posted until the lead is stored and the
// verdict is in: storage distance costs the seller only what it exceeds the buyers' ping time by.
// Every path ends in a recorded state (or `pending`, which the retry queue finishes). The round posts
// only under its posting permit (./permit.ts), given back once the round is recorded: an erasure of
// the consumer waits for it, and a round that asks after the erasure posts nothing.
import type { Defer } from "../auction/ports";
import { leadResponse, responseFromSummary, suppressedReason, type LeadResponse } from "../lead/response";
import { ERASED_REASON, retryDelaySeconds } from "../lead/state";
import { IdempotencyConflict, Unavailable } from "../lib/errors";
import { errorText, log } from "../lib/log";
import { centsToDollars } from "../lib/money";
import type { Rules } from "../rules/model";
import type { Services } from "../services";
import type { IntakeDedupe } from "../services/dedupe";
import type { PreSale } from "../services/presale";
import { admit, asStored, storeLead, type Admitted, type Submission } from "./admit";
import { postingPermit, type Permit } from "./permit";
import { liveRound, type RoundOutcome } from "./round";
import { postGateOf, settleQuota, verdictOf, type Verdict } from "./verdict";

export type { Submission };

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

/** What runs while the pings are out. */
interface Started {
  claiming: Promise<IntakeDedupe>;
  verdict: Promise<Verdict>;
  checks: Promise<PreSale>;
  round: Promise<RoundOutcome>;
  permit: Permit;
}

export async function intake(svc: Services, rules: Rules, sub: Submission, defer: Defer): Promise<Intake> {
  const lead = await admit(svc, rules, sub, defer);
  const started = start(svc, lead, defer);
  defer(settleHolds(svc, lead, started.round));
  const verdict = await started.verdict;
  if (lead.quota) defer(settleQuota(lead.quota, verdict));
  if (verdict.kind !== "go") return endedBy(svc, lead, started, verdict, defer);
  const checked = await started.checks;
  if (checked.results.length > 0) defer(recordChecks(svc, lead, checked));
  if (checked.reject) return rejected(svc, lead, started, checked.reject, "pre-sale check", defer);
  return auctioned(svc, lead, started, defer);
}

/** The campaign claim, the store, the pre-sale checks and the live round, all at once. */
function start(svc: Services, lead: Admitted, defer: Defer): Started {
  const { sub, leadId, fps } = lead;
  const claiming = svc.dedupe.claimForCampaign(fps, {
    campaignId: sub.campaign.id,
    leadId,
    windowS: sub.campaign.dedupeWindowS,
    buyerKeys: lead.buyerKeys,
    defer,
  });
  const verdict = verdictOf(storeLead(svc, lead), claiming);
  // The campaign's pre-sale checks (TrustedForm, verification hooks) run while the pings are out too.
  const checks = svc.preSale(sub.campaign, leadId, sub.lead, lead.consent, isUnique(verdict), sub.source.name, fps);
  // The live round starts now: its pings leave while the lead is stored and the verdict taken.
  const permit = postingPermit(svc, lead.journal, leadId, lead.route.campaign);
  const gate = postGateOf(verdict, checks, permit);
  const round = liveRound(svc, asStored(lead), { contracts: lead.route.contracts, fingerprints: fps, gate, held: sub.offer, defer });
  round.catch(() => {}); // awaited on every path that uses it
  return { claiming, verdict, checks, round, permit };
}

const isUnique = (verdict: Promise<Verdict>) => verdict.then((v) => v.kind === "go");

/** The verdict ended the lead before any post, or it was never stored. */
function endedBy(svc: Services, lead: Admitted, started: Started, v: Exclude<Verdict, { kind: "go" }>, defer: Defer): Promise<Intake> {
  switch (v.kind) {
    case "not_stored":
      return notStored(svc, lead, started, v.error, defer);
    case "replay":
      return replayed(svc, lead, started, defer);
    case "suppressed":
      return rejected(svc, lead, started, suppressedReason(v.because), "suppressed", defer);
    case "duplicate":
      return duplicate(svc, lead, started, v.duplicateOf, defer);
    case "interrupted":
      return Promise.resolve(interrupted(svc, lead, v.error, defer));
  }
}

/** Nothing was accepted: the seller must retry (the same Idempotency-Key makes that safe). */
async function notStored(svc: Services, lead: Admitted, started: Started, error: string, defer: Defer): Promise<never> {
  defer(giveBackClaim(svc, lead, started.claiming));
  log("lead_store_failed", { error: error.slice(0, 200) }, "error");
  throw new LeadNotStored();
}

/**
 * Same source and idempotency key as an earlier submission: the answer is that lead's result, unless
 * the key is reused for a different lead.
 */
async function replayed(svc: Services, lead: Admitted, started: Started, defer: Defer): Promise<Intake> {
  const { source, idempotencyKey } = lead.sub;
  defer(giveBackClaim(svc, lead, started.claiming));
  const existing = await svc.records.leadByIdempotencyKey(source.id, idempotencyKey ?? "");
  if (existing && existing.requestHash !== null && existing.requestHash !== lead.requestHash) throw new IdempotencyConflict(existing.id);
  const summary = existing ? await svc.records.summary(existing.id) : undefined;
  if (!summary || summary.lead.sourceId !== source.id) throw new Error("idempotent replay without a stored lead");
  log("lead_replayed", { lead_id: summary.lead.id, source: source.id });
  return { response: responseFromSummary(source, summary) };
}

/** Suppressed, or a pre-sale check failed: rejected before any post. */
async function rejected(svc: Services, lead: Admitted, started: Started, reason: string, why: string, defer: Defer): Promise<Intake> {
  defer(recordEarlyEnd(svc, lead, started.round, "rejected", reason).then(() => svc.events.leadEnded(lead.leadId)));
  defer(giveBackClaim(svc, lead, started.claiming));
  log("lead_rejected", { lead_id: lead.leadId, reason: why });
  return { response: leadResponse(lead.sub.source, lead.leadId, "rejected", { reason }) };
}

async function duplicate(svc: Services, lead: Admitted, started: Started, duplicateOf: string, defer: Defer): Promise<Intake> {
  defer(recordEarlyEnd(svc, lead, started.round, "duplicate", "same consumer inside the campaign's dedupe window", duplicateOf));
  log("lead_duplicate", { lead_id: lead.leadId, duplicate_of: duplicateOf });
  return { response: leadResponse(lead.sub.source, lead.leadId, "duplicate", { duplicate_of: duplicateOf, reason: "duplicate" }) };
}

/** The lead is stored but its round broke: the retry queue takes it, the seller is told `pending`. */
function interrupted(svc: Services, lead: Admitted, error: string, defer: Defer): Intake {
  const reason = "auction interrupted, retry scheduled";
  log("auction_failed", { lead_id: lead.leadId, error: error.slice(0, 200) }, "error");
  defer(retryInterrupted(svc, lead, reason));
  return { response: leadResponse(lead.sub.source, lead.leadId, "pending", { reason }) };
}

/** Stored and unique: from here on no failure may lose the lead or answer 500. */
async function auctioned(svc: Services, lead: Admitted, started: Started, defer: Defer): Promise<Intake> {
  const { campaign, source } = lead.sub;
  let r: RoundOutcome;
  try {
    r = await started.round;
  } catch (err) {
    defer(started.permit.release());
    return interrupted(svc, lead, (err as Error).message, defer);
  }
  r.record.events.unshift({
    kind: "accepted",
    at: lead.receivedAt,
    detail: { campaign: campaign.slug, source: source.id, dedupe: "unique" },
  });
  if (started.permit.erased) return erasedMidway(svc, lead, r, defer);
  // Logged, and left to the sweeper: a failed record leaves the lead `received`, a failed retry send `pending`.
  defer(
    recordLiveRound(svc, lead, r, started.permit).catch((err: unknown) =>
      log("live_round_record_failed", { lead_id: lead.leadId, error: errorText(err) }, "error"),
    ),
  );
  log("lead_auctioned", {
    lead_id: lead.leadId,
    campaign: campaign.slug,
    source: source.id,
    status: r.status,
    ...r.result.summary,
    price_cents: r.result.total.priceCents,
  });
  const { total, timing } = r.result;
  const buyers = r.result.sales.map((s) => s.contract.buyerName);
  return {
    response: leadResponse(source, lead.leadId, r.status, {
      price: centsToDollars(total.priceCents),
      payout: centsToDollars(total.payoutCents),
      buyer: buyers[0] ?? null,
      buyers,
      reason: r.reason,
    }),
    timing: { pingMs: timing.pingMs, postMs: timing.postMs, gateMs: timing.gateMs },
  };
}

// ---- the deferred writes ------------------------------------------------------------------------

/**
 * Whatever the verdict, the buyer keys on hold for the round are settled once it is over (sales and
 * rejections become claims): they must never outlive it.
 */
function settleHolds(svc: Services, lead: Admitted, round: Promise<RoundOutcome>): Promise<unknown> {
  return round
    .then(
      (r) => svc.dedupe.settleHolds(lead.fps, lead.leadId, r.result.holdsToClaim),
      () => svc.dedupe.settleHolds(lead.fps, lead.leadId, []),
    )
    .catch((err: Error) => log("dedupe_settle_failed", { lead_id: lead.leadId, error: err.message.slice(0, 200) }, "warn"));
}

/** A lead that was not auctioned gives its campaign claim back (unless it lost the claim to another). */
async function giveBackClaim(svc: Services, lead: Admitted, claiming: Promise<IntakeDedupe>): Promise<void> {
  const d = await claiming;
  if (!d.duplicateOf) await svc.dedupe.releaseCampaignClaim(lead.fps, lead.sub.campaign.id, lead.leadId);
}

/** The lead ended before any post: its pings are recorded with the final state. */
function recordEarlyEnd(
  svc: Services,
  lead: Admitted,
  round: Promise<RoundOutcome>,
  status: "rejected" | "duplicate",
  reason: string,
  duplicateOf: string | null = null,
): Promise<void> {
  return round.then(
    (r) => svc.records.recordEarlyEnd(lead.leadId, status, reason, { duplicateOf, pings: r.result.pings }),
    () => svc.records.recordEarlyEnd(lead.leadId, status, reason, { duplicateOf }),
  );
}

/** The checks' results on the lead; the scrubs' cache entries and costs beside them. */
const recordChecks = (svc: Services, lead: Admitted, checked: PreSale) =>
  Promise.all([
    svc.records.recordEvents(lead.leadId, [{ kind: "checks", detail: { flagged: checked.flagged, results: checked.results } }]),
    svc.records.scrubs.record(lead.sub.campaign.id, lead.leadId, checked.scrubs, Date.now()),
  ]);

/**
 * The round's record (one D1 batch); a lead left pending goes to the retry queue, a final one is an
 * event. The permit is given back once the record is written, so an erasure waiting on it finds the
 * round's rows in place.
 */
async function recordLiveRound(svc: Services, lead: Admitted, r: RoundOutcome, permit: Permit): Promise<void> {
  try {
    await svc.records.recordRound(r.record);
  } finally {
    await permit.release();
  }
  if (r.status === "pending") await svc.scheduleRetry(lead.leadId, retryDelaySeconds(lead.sub.campaign.retryBaseDelayS, 1));
  else await svc.events.leadEnded(lead.leadId);
}

/** The consumer was erased while the pings were out: nothing was posted, and the lead ends `erased`. */
function erasedMidway(svc: Services, lead: Admitted, r: RoundOutcome, defer: Defer): Intake {
  const reason = ERASED_REASON;
  r.record.events.splice(-1, 1, { kind: "final", detail: { status: "erased", reason } });
  defer(svc.records.recordRound({ ...r.record, status: "erased", reason }).then(() => svc.events.leadEnded(lead.leadId)));
  log("lead_erased_midway", { lead_id: lead.leadId });
  return { response: leadResponse(lead.sub.source, lead.leadId, "erased", { reason }) };
}

async function retryInterrupted(svc: Services, lead: Admitted, reason: string): Promise<void> {
  if (await svc.records.transition(lead.leadId, "pending", reason))
    await svc.scheduleRetry(lead.leadId, retryDelaySeconds(lead.sub.campaign.retryBaseDelayS, 1));
}
