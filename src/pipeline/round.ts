// One auction round for a lead that is safely stored: the live round (from intake, its post gate
// settling while the pings are out; a seller's post sells to the bids its ping held) or a retry round
// (from the retry queue: which buyers already bought this consumer, and which contracts are done with
// this lead, looked up first). Each runs its auction, decides the lead's next state and describes
// what to record; the caller records it (intake: off the seller's wait).
import type { HeldBids } from "../auction/bids";
import { NO_EARLIER_ROUNDS } from "../auction/entrants";
import { openPostGate, type PostGate } from "../auction/gate";
import { postHeldBids } from "../auction/held-post";
import type { Lot } from "../auction/lot";
import type { Defer } from "../auction/ports";
import type { AuctionResult } from "../auction/result";
import { runAuction } from "../auction/run";
import type { RoundRecord } from "../db/records";
import { buyerDedupeKeys, type Fingerprint } from "../lead/fingerprints";
import type { ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import { afterRound } from "../lead/state";
import { agedOffers } from "../resale/policy";
import type { Campaign, Contract, Source } from "../rules/model";
import type { Services } from "../services";

export interface StoredLead {
  id: string;
  campaign: Campaign;
  source: Source;
  lead: LeadData;
  /** The consent evidence stored with it (posted to the buyer), or null. */
  consent: ConsentRecord | null;
  createdAt: number;
  /** This round's number: 0 for the live round, n for the nth retry round. */
  roundNo: number;
  /** Where its sales are journaled (null: a lead stored before journals existed). */
  journal: string | null;
}

export interface LiveRound {
  contracts: Contract[];
  fingerprints: Fingerprint[];
  /** Settles while the pings are out: the lead stored, the dedupe verdict, the pre-sale checks. */
  gate: Promise<PostGate>;
  /** A seller's post: the bids and pings of its earlier ping (see ./seller.ts). */
  held?: HeldBids;
  defer: Defer;
}

export interface RoundOutcome {
  status: "sold" | "pending" | "unsold";
  reason: string | null;
  result: AuctionResult;
  record: RoundRecord;
}

const lotOf = (lead: StoredLead, contracts: Contract[]): Lot => ({
  leadId: lead.id,
  round: lead.roundNo,
  campaign: lead.campaign,
  source: lead.source,
  contracts,
  lead: lead.lead,
  consent: lead.consent,
});

export async function liveRound(svc: Services, lead: StoredLead, live: LiveRound): Promise<RoundOutcome> {
  const lot = lotOf(lead, live.contracts);
  const setup = { fingerprints: live.fingerprints, journal: lead.journal, gate: live.gate, defer: live.defer };
  const result = live.held ? await postHeldBids(svc, lot, live.held, setup) : await runAuction(svc, lot, setup, NO_EARLIER_ROUNDS);
  return outcomeOf(lead, result);
}

/**
 * A retry round never goes back to a contract that answered for good (accepted, rejected,
 * duplicate); ones that failed transiently (error, timeout) or had no cap headroom may be tried.
 * Fallback tiers compete.
 */
export async function retryRound(svc: Services, lead: StoredLead, contracts: Contract[], defer: Defer): Promise<RoundOutcome> {
  const fingerprints = await svc.fingerprints(lead.campaign, lead.lead);
  const [alreadyBought, exclude] = await Promise.all([
    svc.dedupe.boughtBy(fingerprints, buyerDedupeKeys(contracts), lead.id),
    svc.records.contractsDoneWith(lead.id),
  ]);
  const setup = { fingerprints, journal: lead.journal, gate: openPostGate(), defer };
  const result = await runAuction(svc, lotOf(lead, contracts), setup, { alreadyBought, exclude, includeFallback: true });
  return outcomeOf(lead, result);
}

/** The lead's next state after the round, and the round's record. */
function outcomeOf(lead: StoredLead, result: AuctionResult): RoundOutcome {
  const { campaign, roundNo } = lead;
  const { status, reason } = afterRound({
    sold: result.sales.length,
    transientFailure: result.transientFailure,
    attempts: roundNo,
    maxAttempts: campaign.retryMaxAttempts,
    saleWindowEnd: lead.createdAt + campaign.saleWindowS * 1000,
    now: Date.now(),
  });
  const planned =
    status === "pending"
      ? []
      : agedOffers(campaign, {
          createdAt: lead.createdAt,
          status,
          soldExclusive: result.posts.some((p) => p.outcome === "accepted" && p.exclusive),
          hasCert: Boolean(lead.consent?.trustedform_cert_url),
        });
  const record: RoundRecord = {
    leadId: lead.id,
    pings: result.pings,
    posts: result.posts,
    events: [
      {
        kind: roundNo > 0 ? "retry_auction" : "auction",
        // Which price rule priced each sale, when one did.
        detail: { attempt: roundNo, ...result.summary, ...(result.priced.length > 0 ? { priced_by: result.priced } : {}) },
      },
      ...(result.saleMode ? [{ kind: "sale_mode", detail: saleModeDetail(result.saleMode) }] : []),
      { kind: status === "pending" ? "retry_scheduled" : "final", detail: { status, reason, price_cents: result.total.priceCents } },
      ...(planned.length
        ? [{ kind: "resale_scheduled", detail: { reason: planned[0]!.reason, tier_days: planned.map((o) => o.tierDays) } }]
        : []),
    ],
    status,
    reason,
    priceCents: result.total.priceCents,
    payoutCents: result.total.payoutCents,
    marginCents: result.total.marginCents,
    attempts: roundNo,
    ...(planned.length ? { offers: { campaignId: campaign.id, planned } } : {}),
  };
  return { status, reason, result, record };
}

/** The trace's account of a campaign that sells by value: what was compared, what went first, how it sold. */
const saleModeDetail = (m: NonNullable<AuctionResult["saleMode"]>) => ({
  first: m.first,
  exclusive_cents: m.exclusiveCents,
  shared_cents: m.sharedCents,
  shared_buyers: m.sharedBuyers,
  why: m.why,
  sold_as: m.soldAs,
  fell_back: m.fellBack,
});
