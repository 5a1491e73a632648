// A resale round: an offer that came due (src/queues/resales.ts queued it) is taken by compare-and-set,
// judged (src/resale/policy.ts: erased or redacted, past retention, older than the campaign's resale
// age, consent too old, suppressed, TrustedForm certificate expired — each one a skip with its reason),
// then auctioned among the contracts that take a lead of its age and whose buyer never had it, under
// the lead's posting permit (the fence against an erasure) and the buyers' dedupe windows. A sale is a
// new sale of the same lead: its own post rows (stamped with the resale), payout and rollups, added to
// the lead's totals in one batch; then `onResale` for each sale.
import { openPostGate } from "../auction/gate";
import type { Lot } from "../auction/lot";
import type { Defer } from "../auction/ports";
import type { AuctionResult } from "../auction/result";
import { runAuction } from "../auction/run";
import type { LeadEvent } from "../db/records";
import type { LeadRow, ResaleRow } from "../db/schema";
import { storedConsent, type ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import { buyerDedupeKeys } from "../lead/fingerprints";
import { log } from "../lib/log";
import { ageDays, resaleBlock, resaleCampaign, resaleEntrants, resaleSource } from "../resale/policy";
import type { Campaign, Rules, Source } from "../rules/model";
import type { Services } from "../services";
import { postingPermit } from "./permit";
import { onResale } from "./resale-hooks";

interface Offered {
  offer: ResaleRow;
  lead: LeadRow;
  campaign: Campaign;
  source: Source;
  consent: ConsentRecord | null;
}

/** Ends an offer without a sale (skipped: the lead may not be offered; unsold: no one bought), with an event. */
function endOffer(svc: Services, offer: ResaleRow, status: "skipped" | "unsold", why: string, now: number) {
  const detail = { resale_id: offer.id, reason: offer.reason, tier_days: offer.tierDays, status, why };
  return svc.records.resale.finish(offer.id, offer.leadId, status, why, now, { kind: "resale_ended", detail, at: now });
}

/** Runs the offer's round, if it is still to run: `now` is when it is judged (the cron's time, or later). */
export async function runResale(svc: Services, rules: Rules, resaleId: string, now: number, defer: Defer): Promise<void> {
  const offer = await svc.records.resale.take(resaleId, now);
  if (!offer) return; // taken by another delivery, or over
  const lead = await svc.records.lead(offer.leadId);
  const campaign = rules.campaignsById.get(offer.campaignId);
  const source = lead && rules.sourcesById.get(lead.sourceId);
  if (!lead || !campaign || !source) {
    await endOffer(svc, offer, "skipped", "campaign or source no longer active", now);
    return;
  }
  const consent = storedConsent(lead.consent);
  const hashes = [lead.phoneHash, lead.emailHash].filter((h): h is string => h !== null);
  const blocked = resaleBlock(
    campaign,
    offer.reason,
    {
      status: lead.status,
      redactedAt: lead.redactedAt,
      createdAt: lead.createdAt,
      consentAt: consent?.consent_timestamp ? Date.parse(consent.consent_timestamp) : null,
      hasCert: Boolean(consent?.trustedform_cert_url),
      certUntil: lead.certUntil,
      suppressed: hashes.length > 0 && (await svc.records.lifecycle.isSuppressed(hashes)),
    },
    now,
  );
  if (blocked) {
    await endOffer(svc, offer, "skipped", blocked, now);
    return;
  }
  await roundUnderPermit(svc, rules, { offer, lead, campaign, source, consent }, now, defer);
}

async function roundUnderPermit(svc: Services, rules: Rules, it: Offered, now: number, defer: Defer): Promise<void> {
  const { offer, lead, campaign } = it;
  const had = await svc.records.resale.history(lead.id, offer.returnedContractId);
  const age = ageDays(lead.createdAt, now);
  const { compete, exclude } = resaleEntrants(rules.contractsByCampaign.get(campaign.id) ?? [], {
    reason: offer.reason,
    age,
    hadIt: had.hadIt,
    returnedBuyer: had.returnedBuyer,
  });
  if (compete.length === exclude.size) {
    await endOffer(svc, offer, "unsold", "no contract takes this lead that never had it", now);
    return;
  }
  const data = JSON.parse(lead.data) as LeadData;
  const fingerprints = await svc.fingerprints(campaign, data);
  const alreadyBought = await svc.dedupe.boughtBy(fingerprints, buyerDedupeKeys(compete), lead.id);
  const permit = postingPermit(svc, lead.journal, lead.id, campaign);
  if (!(await permit.take())) {
    await endOffer(svc, offer, "skipped", permit.erased ? "the consumer is being erased" : "journal unavailable", now);
    return;
  }
  let result: AuctionResult;
  try {
    const lot: Lot = {
      leadId: lead.id,
      round: offer.round,
      campaign: resaleCampaign(campaign, offer.reason, offer.floorCents),
      source: resaleSource(it.source, lead.payoutCents - had.clawbackCents),
      contracts: compete,
      lead: data,
      consent: it.consent,
      resale: { reason: offer.reason, ageDays: age },
    };
    const setup = { fingerprints, journal: lead.journal, gate: openPostGate(), defer };
    result = await runAuction(svc, lot, setup, { alreadyBought, exclude, includeFallback: true });
    await svc.records.resale.recordResale(resaleRecord(offer, result), Date.now());
  } finally {
    await permit.release();
  }
  log("lead_resold", { lead_id: lead.id, resale: offer.id, reason: offer.reason, sold: result.sales.length, ...result.summary });
  for (const sale of result.sales)
    await onResale(svc, {
      resaleId: offer.id,
      leadId: lead.id,
      campaignId: campaign.id,
      sourceId: it.source.id,
      contractId: sale.contract.id,
      reason: offer.reason,
      tierDays: offer.tierDays,
      ...sale.split,
      buyerLeadId: sale.buyerLeadId,
    }).catch((err: Error) => log("on_resale_failed", { lead_id: lead.id, error: err.message.slice(0, 200) }, "error"));
}

/** The round's record: its rows stamped with the resale, one event, the money. */
function resaleRecord(offer: ResaleRow, result: AuctionResult) {
  const sold = result.sales.length;
  const event: LeadEvent = {
    kind: "resale",
    detail: {
      resale_id: offer.id,
      reason: offer.reason,
      tier_days: offer.tierDays,
      attempt: offer.round,
      floor_cents: offer.floorCents,
      ...result.summary,
      price_cents: result.total.priceCents,
    },
  };
  return {
    resaleId: offer.id,
    leadId: offer.leadId,
    round: offer.round,
    pings: result.pings,
    posts: result.posts.map((p) => ({ ...p, resaleId: offer.id })),
    events: [event],
    sold,
    reason: sold ? null : "no buyer",
    priceCents: result.total.priceCents,
    payoutCents: result.total.payoutCents,
    marginCents: result.total.marginCents,
  };
}
