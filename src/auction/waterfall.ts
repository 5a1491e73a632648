// The sequential ping tree: contracts in priority order, each pinged alone (fixed-price ones bid their
// price), and the first acceptance at or above the floor wins (on a shared campaign, up to N buyers).
import type { PingRow } from "../db/schema";
import type { Contract } from "../rules/model";
import { pingContracts, qualifyAnswer } from "./bids";
import { failedAttempt, type PostAttempt } from "./cascade";
import { ALREADY_TAKEN, NOT_AUCTIONED, type Gate } from "./gate";
import type { Lot } from "./lot";
import type { BuyersPort } from "./ports";
import type { Post } from "./post";
import { fixedPriceBids, type Bid } from "./ranking";
import { discardedRow, pingRow } from "./rows";

export async function waterfallAuction(buyers: BuyersPort, lot: Lot, contracts: Contract[], pings: PingRow[], post: Post, gate: Gate) {
  const { campaign } = lot;
  const ordered = [...contracts].sort((a, b) => b.priority - a.priority);
  const maxBuyers = campaign.exclusive ? 1 : campaign.maxBuyers;
  const deadline = Date.now() + campaign.pingTimeoutMs + campaign.postDeadlineMs;
  const attempts: PostAttempt[] = [];
  const sold: PostAttempt[] = [];
  const soldTo = new Set<string>();
  for (const contract of ordered) {
    if (sold.length >= maxBuyers || Date.now() >= deadline) break;
    if (soldTo.has(contract.buyerId)) continue;
    const bid = await bidOf(buyers, lot, contract, deadline, pings);
    if (!bid) continue;
    if (!(await gate.open())) {
      pings.push(discardedRow(lot, contract.id, NOT_AUCTIONED));
      break;
    }
    if (gate.taken(contract)) {
      pings.push(discardedRow(lot, contract.id, ALREADY_TAKEN));
      continue;
    }
    const timeoutMs = Math.max(1, Math.min(deadline - Date.now(), contract.postTimeoutMs));
    const attempt = await post(bid, timeoutMs).catch((err: unknown) => failedAttempt(bid, err));
    attempts.push(attempt);
    if (attempt.outcome === "accepted") {
      sold.push(attempt);
      soldTo.add(contract.buyerId);
    }
  }
  return { sold, attempts };
}

/** One contract's bid: its fixed price, or its answer to a ping of its own (undefined: none usable). */
async function bidOf(buyers: BuyersPort, lot: Lot, contract: Contract, deadline: number, pings: PingRow[]): Promise<Bid | undefined> {
  const { campaign } = lot;
  if (contract.pricing === "fixed") {
    const f = fixedPriceBids([contract], campaign, lot.lead);
    if (!f.bids[0])
      pings.push(pingRow(lot, contract.id, { outcome: f.rejected[0]?.outcome ?? "below_floor", reason: f.rejected[0]?.reason ?? null }));
    return f.bids[0];
  }
  const [r] = await pingContracts(buyers, lot, [contract], Math.min(deadline, Date.now() + campaign.pingTimeoutMs), pings);
  if (!r) return undefined; // no time left for this one
  const q = qualifyAnswer(lot, r, pings);
  return q?.ok ? q.bid : undefined;
}
