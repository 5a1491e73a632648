// Intake of a valid lead: the suppression check and storage in one D1 round trip, in parallel
// with the campaign dedupe claim, then the live auction round. The lead is stored before anything
// else can go wrong, and every path ends in a recorded state (or `pending`, which the retry queue
// finishes).
import type { LeadData } from "../lead/fields";
import { buyerDedupeKeys, fingerprintsForCampaign, type Fingerprint } from "../lead/fingerprints";
import { leadResponse, responseFromSummary, type LeadResponse } from "../lead/response";
import { retryDelaySeconds } from "../lead/state";
import { Unavailable } from "../lib/errors";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import { centsToDollars } from "../lib/money";
import type { Campaign, Contract, Rules, Source } from "../rules/compile";
import type { Services } from "../services";
import type { IntakeDedupe } from "../services/dedupe";
import { runRound } from "./round";

export interface Submission {
  campaign: Campaign;
  source: Source;
  lead: LeadData;
  consent: Record<string, string | boolean> | null;
  meta: Record<string, string | null>;
  idempotencyKey: string | null;
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
  timing?: { pingMs: number; postMs: number; intakeMs: number };
}

export async function intake(svc: Services, rules: Rules, sub: Submission, defer: Defer): Promise<Intake> {
  const { campaign, source } = sub;
  const leadId = newId("ld");
  const now = Date.now();
  const fps = await fingerprintsForCampaign(campaign, sub.lead);

  // Two round trips in parallel: (1) one D1 batch with the suppression look-up and the lead itself (an
  // idempotent replay inserts nothing), (2) the campaign dedupe claim, which also tells which buyers
  // already bought this consumer. A claim made for a lead that then turns out not to be auctioned
  // (replay, suppressed, storage failure) is given back.
  const contracts = rules.contractsByCampaign.get(campaign.id) ?? [];
  const claiming = svc.dedupe.claimForCampaign(fps, campaign.id, leadId, campaign.dedupeWindowS, buyerDedupeKeys(contracts));
  // Awaited later; a failure is handled there, not reported as unhandled while D1 is being written.
  claiming.catch(() => {});
  const giveBackClaim = async () => {
    const d = await claiming;
    if (!d.duplicateOf) await svc.dedupe.releaseCampaignClaim(fps, campaign.id, leadId);
  };
  let stored;
  try {
    stored = await svc.records.storeLead(
      {
        id: leadId,
        campaignId: campaign.id,
        sourceId: source.id,
        idempotencyKey: sub.idempotencyKey,
        data: JSON.stringify(sub.lead),
        consent: sub.consent ? JSON.stringify(sub.consent) : null,
        meta: JSON.stringify(sub.meta),
        phoneHash: fps.find((f) => f.kind === "phone")?.hash ?? null,
        emailHash: fps.find((f) => f.kind === "email")?.hash ?? null,
        createdAt: now,
      },
      fps.map((f) => f.hash),
    );
  } catch (err) {
    defer(giveBackClaim());
    log("lead_store_failed", { error: (err as Error).message.slice(0, 200) }, "error");
    // Nothing was accepted: the seller must retry (the same Idempotency-Key makes that safe).
    throw new LeadNotStored();
  }

  if (!stored.stored) {
    // Same source and idempotency key as an earlier submission: answer with that lead's result.
    defer(giveBackClaim());
    const existing = await svc.records.leadIdByIdempotencyKey(source.id, sub.idempotencyKey ?? "");
    const summary = existing ? await svc.records.summary(existing) : undefined;
    if (!summary || summary.lead.sourceId !== source.id) throw new Error("idempotent replay without a stored lead");
    log("lead_replayed", { lead_id: summary.lead.id, source: source.id });
    return { response: responseFromSummary(source, summary) };
  }

  if (stored.suppressedBecause !== null) {
    const reason = `suppressed: ${stored.suppressedBecause}`;
    defer(Promise.all([svc.records.recordEarlyEnd(leadId, "rejected", reason), giveBackClaim()]));
    log("lead_rejected", { lead_id: leadId, reason: "suppressed" });
    return { response: leadResponse(source, leadId, "rejected", { reason }) };
  }

  // The lead is stored: from here on no failure may lose it or answer 500. If anything breaks, the
  // lead is handed to the retry queue and the seller told `pending`.
  try {
    return await decideStoredLead(svc, sub, { leadId, now, fps, contracts, claiming }, defer);
  } catch (err) {
    log("auction_failed", { lead_id: leadId, error: (err as Error).message.slice(0, 200) }, "error");
    defer(
      (async () => {
        if (await svc.records.transition(leadId, "pending", "auction interrupted, retry scheduled"))
          await svc.scheduleRetry(leadId, retryDelaySeconds(campaign.retryBaseDelayS, 1));
      })(),
    );
    return { response: leadResponse(source, leadId, "pending", { reason: "auction interrupted, retry scheduled" }) };
  }
}

interface Stored {
  leadId: string;
  now: number;
  fps: Fingerprint[];
  contracts: Contract[];
  claiming: Promise<IntakeDedupe>;
}

/** Dedupe verdict, then the live round, for a lead that is safely stored. */
async function decideStoredLead(svc: Services, sub: Submission, stored: Stored, defer: Defer): Promise<Intake> {
  const { campaign, source } = sub;
  const { leadId, now, fps, contracts } = stored;
  const dedupe = await stored.claiming;
  if (dedupe.duplicateOf) {
    const duplicateOf = dedupe.duplicateOf;
    defer(svc.records.recordEarlyEnd(leadId, "duplicate", "same consumer inside the campaign's dedupe window", duplicateOf));
    log("lead_duplicate", { lead_id: leadId, duplicate_of: duplicateOf });
    return { response: leadResponse(source, leadId, "duplicate", { duplicate_of: duplicateOf, reason: "duplicate" }) };
  }

  const intakeMs = Date.now() - now;
  const round = await runRound(
    svc,
    { id: leadId, campaign, source, lead: sub.lead, createdAt: now, retriesDone: 0 },
    { contracts, fingerprints: fps, alreadyBought: dedupe.alreadyBought, defer },
  );
  round.record.events.unshift({ kind: "accepted", at: now, detail: { campaign: campaign.slug, source: source.id, dedupe: "unique" } });
  defer(
    (async () => {
      await svc.records.recordRound(round.record);
      if (round.status === "pending") await svc.scheduleRetry(leadId, retryDelaySeconds(campaign.retryBaseDelayS, 1));
    })(),
  );
  log("lead_auctioned", { lead_id: leadId, campaign: campaign.slug, source: source.id, status: round.status, ...round.result.summary, price_cents: round.result.total.priceCents });
  const buyers = round.result.sales.map((s) => s.contract.buyerName);
  return {
    response: leadResponse(source, leadId, round.status, {
      price: centsToDollars(round.result.total.priceCents),
      payout: centsToDollars(round.result.total.payoutCents),
      buyer: buyers[0] ?? null,
      buyers,
      reason: round.reason,
    }),
    timing: { ...round.result.timing, intakeMs },
  };
}
