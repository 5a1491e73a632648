// Publishers that sell by ping/post themselves: a ping (the ping-safe fields only) runs a bid round
// and holds the ranked bids as an offer; the post (the full lead, through intake) is then sold to
// those bids in order — the cascade, caps and dedupe as for any lead — without pinging the buyers
// again, once the held contracts are judged again on the full lead (auction/held-post.ts). The ping reserves the lead id the post stores the lead under, so both are routed alike (the
// same experiment variant).
import type { HeldBid } from "../auction/bids";
import { runBidRound } from "../auction/bid-round";
import { splitSales } from "../auction/pricing";
import type { LeadData } from "../lead/fields";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import type { Offer } from "../objects/ping-book";
import type { Campaign, Contract, Rules, Source } from "../rules/model";
import type { Services } from "../services";
import { routeLead } from "./route";

/** How long a publisher has to post a lead after its ping. */
export const OFFER_TTL_MS = 60_000;

export interface SellerPingResult {
  pingId: string;
  bids: number;
  /** The most the publisher will be paid for the lead (integer cents). */
  payoutCents: number;
  expiresAt: number;
}

/**
 * The most a post can pay the source: the best payout any `slots` distinct buyers among the bids
 * could make (a lower-ranked bid can carry a higher raw price when bid adjustments apply).
 */
export function promisedPayout(source: Source, bids: HeldBid[], contractsById: ReadonlyMap<string, Contract>, slots: number): number {
  const bestByBuyer = new Map<string, number>();
  for (const b of bids) {
    const buyer = contractsById.get(b.contractId)?.buyerId ?? b.contractId;
    bestByBuyer.set(buyer, Math.max(bestByBuyer.get(buyer) ?? 0, b.bidCents));
  }
  const prices = [...bestByBuyer.values()].sort((a, b) => b - a).slice(0, slots);
  return splitSales(source, prices).reduce((sum, s) => sum + s.payoutCents, 0);
}

export async function sellerPing(
  svc: Services,
  rules: Rules,
  campaign: Campaign,
  source: Source,
  fields: LeadData,
  defer: (p: Promise<unknown>) => void,
): Promise<SellerPingResult> {
  const leadId = newId("ld");
  const routed = routeLead(rules, campaign, leadId);
  const held = await runBidRound(
    svc,
    // A seller's ping carries no consent: buyers see only the ping-safe fields.
    { leadId, round: 0, campaign: routed.campaign, source, contracts: routed.contracts, lead: fields, consent: null },
    defer,
  );
  const pingId = svc.pingBook.newPingId();
  const expiresAt = Date.now() + OFFER_TTL_MS;
  const payoutCents = promisedPayout(source, held.bids, rules.contractsById, campaign.exclusive ? 1 : campaign.maxBuyers);
  const offer: Offer = {
    pingId,
    sourceId: source.id,
    campaignId: campaign.id,
    leadId,
    fields,
    bids: held.bids,
    pings: held.pings,
    payoutCents,
    expiresAt,
  };
  if (held.bids.length > 0) await svc.pingBook.hold(offer);
  defer(svc.records.recordSellerPing({ pingId, sourceId: source.id, campaignId: campaign.id, bids: held.bids.length, payoutCents }));
  log("seller_pinged", {
    ping_id: pingId,
    source: source.id,
    campaign: campaign.slug,
    bids: held.bids.length,
    payout_cents: payoutCents,
  });
  return { pingId, bids: held.bids.length, payoutCents, expiresAt };
}
