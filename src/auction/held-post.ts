// postHeldBids: a seller's post (POST /v1/posts) — the lead is sold to the bids its ping collected
// (./bid-round.ts), in their order, through the same gate and cascade as any live round; no buyer is
// pinged again, and the ping's rows are recorded with the lead. The ping saw only the ping-safe
// fields, and the offer lives 60 s: before posting, the held contracts are judged again on the full
// lead, now.
import type { PingRow } from "../db/schema";
import { heldToBids, type HeldBid, type HeldBids } from "./bids";
import { breakerBlocks } from "./breaker";
import { selectEligible, type Skip } from "./eligibility";
import { gateOf } from "./gate";
import type { Lot } from "./lot";
import type { Contract } from "../rules/model";
import type { AuctionPorts } from "./ports";
import { postRanked, reserveAndPost, type PostSetup } from "./post";
import { auctionResult, type AuctionResult } from "./result";
import { skippedRow } from "./rows";

export type HeldPostPorts = Pick<AuctionPorts, "caps" | "wallets" | "dedupe" | "buyers" | "journal" | "breakers">;

/** The held bids whose contracts may still take the lead, and the ones that may not, with why. */
export interface Recheck {
  kept: HeldBid[];
  skipped: Skip[];
}

/**
 * The held contracts judged on the full lead at `now`: filters on every field (the ping saw only the
 * ping-safe ones), schedules, caps known full, the one-to-one consent's sellers, and circuit breakers
 * tripped since the ping. A half-open breaker already gave its probe at the ping, so only a tripped
 * one keeps a contract out here. Pure. Bids of contracts no longer active are kept for heldToBids,
 * which records them.
 */
export function recheckHeld(
  lot: Lot,
  bids: HeldBid[],
  now: number,
  capFull: (contractId: string) => string | undefined,
  noFunds?: (c: Contract) => string | undefined,
): Recheck {
  const held = new Set(bids.map((b) => b.contractId));
  const eligibility = selectEligible({
    contracts: lot.contracts.filter((c) => held.has(c.id)),
    lead: lot.lead,
    now,
    capFull,
    noFunds,
    alreadyBought: new Set(), // the gate's dedupe verdict discards those
    exclude: new Set(),
    includeFallback: false,
    maxFanout: Number.POSITIVE_INFINITY, // they were pinged already
    paused: (c) => {
      const v = breakerBlocks(c.health, now, undefined);
      return "blocked" in v ? v.blocked : undefined;
    },
    namedSellers: lot.campaign.oneToOne ? (lot.consent?.consent_sellers ?? []) : undefined,
  });
  const dropped = new Set(eligibility.skipped.map((s) => s.contract.id));
  return { kept: bids.filter((b) => !dropped.has(b.contractId)), skipped: eligibility.skipped };
}

export async function postHeldBids(ports: HeldPostPorts, lot: Lot, held: HeldBids, setup: PostSetup): Promise<AuctionResult> {
  const now = Date.now();
  const pings: PingRow[] = [...held.pings];
  const { kept, skipped } = recheckHeld(
    lot,
    held.bids,
    now,
    (id) => ports.caps.fullReason(id, now),
    (c) => ports.wallets.shortReason(c, now, setup.defer),
  );
  for (const s of skipped) pings.push(skippedRow(lot, s.contract.id, `at the post: ${s.reason}`));
  // Cap headroom is made ready for the contracts still in, as in any live round.
  const keptIds = new Set(kept.map((b) => b.contractId));
  const contracts = lot.contracts.filter((c) => keptIds.has(c.id));
  ports.caps.prepare(contracts, setup.defer);
  ports.wallets.prepare(contracts, setup.defer);
  const gate = gateOf(setup.gate);
  const post = reserveAndPost(ports, lot, setup, gate);
  const done = await postRanked(lot, gate, heldToBids(lot, kept, pings), pings, post);
  const fixed = contracts.filter((c) => c.pricing === "fixed").length;
  return auctionResult(lot, { pings, ...done, fixed, gate });
}
