// runAuction: the live round of a lead and its retry rounds — eligibility and the ping budget, then
// the parallel auction (every eligible contract pinged at once, the bids ranked, the post cascade) or
// the sequential waterfall. It wires the shared parts to the clients it is given (./ports.ts); it
// returns everything to record, and the caller writes it off the seller's wait.
import type { PingRow } from "../db/schema";
import { collectBids } from "./bids";
import { sellByValue } from "./by-value";
import { eligibleFor, spendPingBudget, type EarlierRounds } from "./entrants";
import { gateOf } from "./gate";
import { isLive, type Lot } from "./lot";
import type { AuctionPorts } from "./ports";
import { postRanked, reserveAndPost, type PostSetup } from "./post";
import { auctionResult, type AuctionResult } from "./result";
import { skippedRow } from "./rows";
import { waterfallAuction } from "./waterfall";

export async function runAuction(ports: AuctionPorts, lot: Lot, setup: PostSetup, earlier: EarlierRounds): Promise<AuctionResult> {
  const eligibility = eligibleFor(ports, lot, earlier, setup.defer);
  await spendPingBudget(ports.limits, lot, eligibility);
  const pings: PingRow[] = eligibility.skipped.map((s) => skippedRow(lot, s.contract.id, s.reason));
  const competing = [...eligibility.ping, ...eligibility.fixed];
  // Cap headroom and wallet money for the contracts that may win are taken while the pings are out.
  if (isLive(lot)) {
    ports.caps.prepare(competing, setup.defer);
    ports.wallets.prepare(competing, setup.defer);
  }
  const gate = gateOf(setup.gate);
  const post = reserveAndPost(ports, lot, setup, gate);
  const done =
    lot.campaign.mode === "waterfall"
      ? await waterfallAuction(ports.buyers, lot, competing, pings, post, gate)
      : lot.campaign.sellByValue
        ? await sellByValue(ports.buyers, lot, eligibility, pings, gate, post)
        : await postRanked(lot, gate, await collectBids(ports.buyers, lot, eligibility.ping, eligibility.fixed, pings), pings, post);
  return auctionResult(lot, { pings, ...done, fixed: eligibility.fixed.length, gate });
}
