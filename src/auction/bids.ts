// Bids: pinging the contracts that still have time to answer and collecting their qualified bids
// (with the fixed-price ones) into a ranking, each ping recorded; and the ranked bids a seller's ping
// keeps in its offer until the post (plain data: they are stored), turned back into bids.
import type { PingResult } from "../buyers/ping";
import type { PingRow } from "../db/schema";
import { pingSafeLead } from "../lead/ping-safe";
import { newId } from "../lib/ids";
import type { Contract } from "../rules/model";
import type { Lot } from "./lot";
import type { BuyersPort } from "./ports";
import type { PricedBy } from "./price-rules";
import { fixedPriceBids, qualifyPriced, rankBids, type Bid, type RankOutcome } from "./ranking";
import { answeredRow, pingRow, skippedRow } from "./rows";

/** A ranked bid kept between a seller's ping and its post. */
export interface HeldBid {
  contractId: string;
  bidCents: number;
  effectiveCents: number;
  token: string | null;
  pingId: string | null;
  latencyMs: number;
  pricedBy?: PricedBy | null;
}

/** What a seller's ping collected, held in its offer: the ranked bids, and the pings to record with the lead. */
export interface HeldBids {
  bids: HeldBid[];
  pings: PingRow[];
}

/**
 * Pings the contracts that still have time to answer; each ping says how long it has (`tmax`, Prebid's
 * lesson). A contract whose minimum time no longer fits is recorded as skipped instead.
 */
export async function pingContracts(
  buyers: BuyersPort,
  lot: Lot,
  contracts: Contract[],
  deadline: number,
  pings: PingRow[],
): Promise<PingResult[]> {
  const safe = pingSafeLead(lot.campaign.fields, lot.lead);
  const now = Date.now();
  const targets = [];
  for (const contract of contracts) {
    const tmaxMs = Math.min(contract.timeoutMs, deadline - now);
    if (tmaxMs < Math.max(1, contract.minPingMs)) pings.push(skippedRow(lot, contract.id, "no time left"));
    else
      targets.push({
        contract,
        ctx: {
          pingId: newId("pg"),
          campaign: lot.campaign.slug,
          leadId: lot.leadId,
          lead: safe,
          tmaxMs,
          trustedformPingUrl: lot.consent?.trustedform_ping_url ?? null,
        },
      });
  }
  return buyers.ping(targets, deadline);
}

/** A ping's answer judged by the ranking (null when it was no bid), its row recorded. */
export function qualifyAnswer(lot: Lot, r: PingResult, pings: PingRow[]): RankOutcome | null {
  const { campaign } = lot;
  const q =
    r.outcome === "bid"
      ? qualifyPriced(
          r.contract,
          lot.lead,
          r.bidCents!,
          campaign.floorCents,
          { token: r.token, pingId: r.pingId, latencyMs: r.latencyMs },
          campaign.qualityWeighting,
        )
      : null;
  pings.push(answeredRow(lot, r, q, campaign.qualityWeighting));
  return q;
}

/** Pings the contracts and ranks the qualified bids (with the fixed-price ones), recording each ping. */
export async function collectBids(buyers: BuyersPort, lot: Lot, toPing: Contract[], fixed: Contract[], pings: PingRow[]): Promise<Bid[]> {
  const results = await pingContracts(buyers, lot, toPing, Date.now() + lot.campaign.pingTimeoutMs, pings);
  const bids: Bid[] = [];
  for (const r of results) {
    const q = qualifyAnswer(lot, r, pings);
    if (q?.ok) bids.push(q.bid);
  }
  return rankBids([...bids, ...fixedBids(lot, fixed, pings)]);
}

/** The fixed-price contracts' bids (priced by their rules); those refused are recorded as pings. */
export function fixedBids(lot: Lot, fixed: Contract[], pings: PingRow[]): Bid[] {
  const { bids, rejected } = fixedPriceBids(fixed, lot.campaign, lot.lead);
  for (const f of rejected)
    pings.push(pingRow(lot, f.contract.id, { outcome: f.outcome, reason: f.reason, bidCents: f.contract.fixedPriceCents }));
  return bids;
}

export const toHeldBid = (b: Bid): HeldBid => ({
  contractId: b.contract.id,
  bidCents: b.bidCents,
  effectiveCents: b.effectiveCents,
  token: b.token,
  pingId: b.pingId,
  latencyMs: b.latencyMs,
  pricedBy: b.pricedBy ?? null,
});

/** Held bids for contracts still active, ranked (the others are recorded as skipped). */
export function heldToBids(lot: Lot, held: HeldBid[], pings: PingRow[]): Bid[] {
  const active = new Map(lot.contracts.map((c) => [c.id, c]));
  const bids: Bid[] = [];
  for (const h of held) {
    const contract = active.get(h.contractId);
    if (contract)
      bids.push({
        contract,
        bidCents: h.bidCents,
        effectiveCents: h.effectiveCents,
        token: h.token,
        pingId: h.pingId,
        latencyMs: h.latencyMs,
        pricedBy: h.pricedBy ?? null,
      });
    else pings.push(skippedRow(lot, h.contractId, "contract no longer active"));
  }
  return rankBids(bids);
}
