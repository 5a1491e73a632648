// postHeldBids: a seller's post (POST /v1/posts) — the lead is sold to the bids its ping collected
// (./bid-round.ts), in their order, through the same gate and cascade as any live round; no buyer is
// pinged again, and the ping's rows are recorded with the lead.
import type { PingRow } from "../db/schema";
import { heldToBids, type HeldBids } from "./bids";
import { eligibleFor, NO_EARLIER_ROUNDS } from "./entrants";
import { gateOf } from "./gate";
import type { Lot } from "./lot";
import type { AuctionPorts } from "./ports";
import { postRanked, reserveAndPost, type PostSetup } from "./post";
import { auctionResult, type AuctionResult } from "./result";

export type HeldPostPorts = Pick<AuctionPorts, "caps" | "breakers" | "dedupe" | "buyers" | "journal">;

export async function postHeldBids(ports: HeldPostPorts, lot: Lot, held: HeldBids, setup: PostSetup): Promise<AuctionResult> {
  // The pings were made, and skipped contracts judged, at the ping. Today's eligible contracts get cap
  // headroom ready as in any live round, and the fixed-price ones are counted in the summary.
  const eligibility = eligibleFor(ports, lot, NO_EARLIER_ROUNDS);
  const pings: PingRow[] = [...held.pings];
  ports.caps.prepare([...eligibility.ping, ...eligibility.fixed], setup.defer);
  const gate = gateOf(setup.gate);
  const post = reserveAndPost(ports, lot, setup, gate);
  const done = await postRanked(lot, gate, heldToBids(lot, held.bids, pings), pings, post);
  return auctionResult(lot, { pings, ...done, fixed: eligibility.fixed.length, gate });
}
