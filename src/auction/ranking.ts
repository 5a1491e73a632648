// Bids to a ranked list of candidates: each priced by its contract's price rules for the lead, then
// judged against the floors. Pure, integer cents throughout.
import type { LeadData } from "../lead/fields";
import type { Campaign, Contract } from "../rules/model";
import { applyBps } from "../lib/money";
import { priceFor, type PricedBy } from "./price-rules";

export interface Bid {
  contract: Contract;
  /** What the buyer pays if it buys: its own bid (or fixed price), as its price rules price it. */
  bidCents: number;
  /** Used for ranking only: bid x the contract's adjustment factor. */
  effectiveCents: number;
  /** The buyer's bid token, echoed back in the post. */
  token: string | null;
  pingId: string | null;
  /** Ping latency; fixed-price contracts count as 0. */
  latencyMs: number;
  /** Set when a campaign sells by value: whether this price is for an exclusive or a shared lead. */
  sale?: "exclusive" | "shared";
  /** The price rule that priced it, and from what (absent: the contract's own price). */
  pricedBy?: PricedBy | null;
}

export type RankOutcome =
  { ok: true; bid: Bid } | { ok: false; outcome: "below_floor" | "invalid"; reason: string; effectiveCents: number };

/**
 * Applies the adjustment factor, the contract's minimum and the campaign floor to one bid.
 * Fallback contracts are the backup tier "at lower prices": the campaign floor does not apply to
 * them (their own minimum still does). With quality weighting, the bid ranks at adjusted bid x the
 * contract's quality score (./quality.ts); the floor is judged before it, and the buyer pays its bid.
 */
export function qualifyBid(
  contract: Contract,
  bidCents: number,
  campaignFloorCents: number,
  extra: Pick<Bid, "token" | "pingId" | "latencyMs" | "pricedBy">,
  qualityWeighting = false,
): RankOutcome {
  const floorCents = contract.fallback ? 0 : campaignFloorCents;
  const adjusted = applyBps(bidCents, contract.bidAdjustBps);
  const effectiveCents = qualityWeighting ? applyBps(adjusted, contract.qualityBps) : adjusted;
  // A bid above the ceiling is a buyer outbidding everyone to see every lead: not a bid to honour.
  // The buyer's own bid is judged, not what a price rule made of it.
  const ownCents = extra.pricedBy?.baseCents ?? bidCents;
  if (contract.maxBidCents !== null && ownCents > contract.maxBidCents)
    return { ok: false, outcome: "invalid", reason: `bid above the maximum (${contract.maxBidCents}c)`, effectiveCents };
  if (bidCents < contract.minBidCents)
    return { ok: false, outcome: "below_floor", reason: `bid below the contract minimum (${contract.minBidCents}c)`, effectiveCents };
  if (adjusted < floorCents || effectiveCents <= 0)
    return { ok: false, outcome: "below_floor", reason: `effective bid below the floor (${floorCents}c)`, effectiveCents };
  return { ok: true, bid: { contract, bidCents, effectiveCents, ...extra } };
}

/**
 * A bid (or fixed price) priced by the contract's price rules for this lead, then qualified. A rule
 * that refuses the lead is a refusal here too (eligibility keeps such contracts out before this).
 */
export function qualifyPriced(
  contract: Contract,
  lead: LeadData,
  baseCents: number,
  campaignFloorCents: number,
  extra: Pick<Bid, "token" | "pingId" | "latencyMs">,
  qualityWeighting = false,
): RankOutcome {
  const p = priceFor(contract, lead, baseCents);
  if (p.kind === "refuse") return { ok: false, outcome: "below_floor", reason: p.reason, effectiveCents: 0 };
  return qualifyBid(contract, p.cents, campaignFloorCents, { ...extra, pricedBy: p.by }, qualityWeighting);
}

/** Highest effective bid first; ties go to higher priority, then to the faster ping, then by id. */
export function rankBids(bids: Bid[]): Bid[] {
  return [...bids].sort(
    (a, b) =>
      b.effectiveCents - a.effectiveCents ||
      b.contract.priority - a.contract.priority ||
      a.latencyMs - b.latencyMs ||
      (a.contract.id < b.contract.id ? -1 : a.contract.id > b.contract.id ? 1 : 0),
  );
}

/** Fixed-price contracts join the ranking at their price (as their price rules price it). */
type Refusal = { contract: Contract; outcome: "below_floor" | "invalid"; reason: string };

export function fixedPriceBids(contracts: Contract[], campaign: Campaign, lead: LeadData): { bids: Bid[]; rejected: Refusal[] } {
  const bids: Bid[] = [];
  const rejected: Refusal[] = [];
  for (const c of contracts) {
    const q = qualifyPriced(
      c,
      lead,
      c.fixedPriceCents ?? 0,
      campaign.floorCents,
      { token: null, pingId: null, latencyMs: 0 },
      campaign.qualityWeighting,
    );
    if (q.ok) bids.push(q.bid);
    else rejected.push({ contract: c, outcome: q.outcome, reason: q.reason });
  }
  return { bids, rejected };
}
