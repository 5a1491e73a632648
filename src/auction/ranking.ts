// Bids to a ranked list of candidates. Pure, integer cents throughout.
import type { Campaign, Contract } from "../rules/model";
import { applyBps } from "../lib/money";

export interface Bid {
  contract: Contract;
  /** What the buyer pays if it buys: its own bid (or fixed price). */
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
  extra: Pick<Bid, "token" | "pingId" | "latencyMs">,
  qualityWeighting = false,
): RankOutcome {
  const floorCents = contract.fallback ? 0 : campaignFloorCents;
  const adjusted = applyBps(bidCents, contract.bidAdjustBps);
  const effectiveCents = qualityWeighting ? applyBps(adjusted, contract.qualityBps) : adjusted;
  // A bid above the ceiling is a buyer outbidding everyone to see every lead: not a bid to honour.
  if (contract.maxBidCents !== null && bidCents > contract.maxBidCents)
    return { ok: false, outcome: "invalid", reason: `bid above the maximum (${contract.maxBidCents}c)`, effectiveCents };
  if (bidCents < contract.minBidCents)
    return { ok: false, outcome: "below_floor", reason: `bid below the contract minimum (${contract.minBidCents}c)`, effectiveCents };
  if (adjusted < floorCents || effectiveCents <= 0)
    return { ok: false, outcome: "below_floor", reason: `effective bid below the floor (${floorCents}c)`, effectiveCents };
  return { ok: true, bid: { contract, bidCents, effectiveCents, ...extra } };
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

/** Fixed-price contracts join the ranking at their price. */
type Refusal = { contract: Contract; outcome: "below_floor" | "invalid"; reason: string };

export function fixedPriceBids(contracts: Contract[], campaign: Campaign): { bids: Bid[]; rejected: Refusal[] } {
  const bids: Bid[] = [];
  const rejected: Refusal[] = [];
  for (const c of contracts) {
    const q = qualifyBid(
      c,
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
