// runBidRound: a seller's ping (POST /v1/pings) — the contracts eligible for the ping-safe fields are
// pinged and their bids ranked; nothing is posted. The ranked bids are what the seller's post is later
// sold to (./held-post.ts), always in parallel: a ping tree can't promise a price up front.
import type { PingRow } from "../db/schema";
import { collectBids, toHeldBid, type HeldBids } from "./bids";
import { eligibleFor, spendPingBudget, NO_EARLIER_ROUNDS } from "./entrants";
import type { Lot } from "./lot";
import type { AuctionPorts, Defer } from "./ports";
import { skippedRow } from "./rows";

export type BidPorts = Pick<AuctionPorts, "caps" | "wallets" | "breakers" | "limits" | "buyers">;

/** The ranked bids to hold, and the pings made for them (recorded with the lead when it is posted). */
export async function runBidRound(ports: BidPorts, lot: Lot, defer: Defer): Promise<HeldBids> {
  const eligibility = eligibleFor(ports, lot, NO_EARLIER_ROUNDS, defer);
  await spendPingBudget(ports.limits, lot, eligibility);
  const pings: PingRow[] = eligibility.skipped.map((s) => skippedRow(lot, s.contract.id, s.reason));
  // Cap headroom is taken while the pings are out, ready for the post.
  ports.caps.prepare([...eligibility.ping, ...eligibility.fixed], defer);
  ports.wallets.prepare([...eligibility.ping, ...eligibility.fixed], defer);
  const ranked = await collectBids(ports.buyers, lot, eligibility.ping, eligibility.fixed, pings);
  return { bids: ranked.map(toHeldBid), pings };
}
