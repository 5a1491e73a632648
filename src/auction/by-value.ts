// A campaign that sells by value: every ping answer gives a price for an exclusive lead (its bid) and
// one for a shared lead (./sale-mode.ts), both ranked with the contract's adjustments and judged
// against the floor on their own. The better way (the best exclusive bid, or the best set of up to
// max_buyers shared bids) is posted first; whenever a way sells nothing (the exclusive bid rejected,
// the shared cascade without a sale) the choice is made again among the buyers not tried yet, within
// the same post deadline — so the lead sells whichever way pays more after the rejects. The first
// choice, why, and how the lead sold go in the round's result (the trace's `sale_mode` event).
import type { PingRow } from "../db/schema";
import type { Contract } from "../rules/model";
import { fixedBids, pingContracts, qualifyAnswer } from "./bids";
import { cascadePosts, type CascadeResult, type PostAttempt } from "./cascade";
import { usableBids, type Gate } from "./gate";
import type { Lot } from "./lot";
import type { BuyersPort } from "./ports";
import type { Post } from "./post";
import { qualifyBid, rankBids, type Bid } from "./ranking";
import { chooseSaleMode, sharedPriceCents, type SaleChoice, type SaleKind } from "./sale-mode";

/** What the trace says of the choice: the values compared, which went first, how the lead sold. */
export interface SaleModeOutcome extends SaleChoice {
  soldAs: SaleKind | null;
  fellBack: boolean;
}

interface BidPair {
  exclusive: Bid[];
  shared: Bid[];
}

/** A shared price as a bid: the same adjustments, floor and ceiling as the exclusive one. */
function sharedBid(lot: Lot, contract: Contract, cents: number | null, from: Pick<Bid, "token" | "pingId" | "latencyMs">): Bid | null {
  if (cents === null || cents <= 0) return null;
  const extra = { token: from.token, pingId: from.pingId, latencyMs: from.latencyMs };
  const q = qualifyBid(contract, cents, lot.campaign.floorCents, extra, lot.campaign.qualityWeighting);
  return q.ok ? { ...q.bid, sale: "shared" } : null;
}

/** Pings once and ranks each answer twice: its exclusive price (recorded on its ping row) and its shared one. */
async function collectBidPair(buyers: BuyersPort, lot: Lot, toPing: Contract[], fixed: Contract[], pings: PingRow[]): Promise<BidPair> {
  const results = await pingContracts(buyers, lot, toPing, Date.now() + lot.campaign.pingTimeoutMs, pings);
  const pair: BidPair = { exclusive: [], shared: [] };
  for (const r of results) {
    const q = qualifyAnswer(lot, r, pings);
    if (q?.ok) pair.exclusive.push({ ...q.bid, sale: "exclusive" });
    if (r.outcome !== "bid" || r.bidCents === null) continue;
    // Without a shared price in the answer, the shared price derives from the exclusive one as priced (price rules included).
    const base = q?.ok ? q.bid.bidCents : r.bidCents;
    const s = sharedBid(lot, r.contract, sharedPriceCents(r.contract, base, r.sharedBidCents), r);
    if (s) pair.shared.push(s);
  }
  for (const b of fixedBids(lot, fixed, pings)) {
    pair.exclusive.push({ ...b, sale: "exclusive" });
    const s = sharedBid(lot, b.contract, sharedPriceCents(b.contract, b.bidCents), b);
    if (s) pair.shared.push(s);
  }
  return { exclusive: rankBids(pair.exclusive), shared: rankBids(pair.shared) };
}

/**
 * Posts the way that pays more, judged again after each way that sold nothing: an exclusive bid is
 * posted alone (a reject re-opens the choice among the buyers not tried yet); a shared set runs the
 * shared cascade (rejects refilled from the shared bids), and once one shared sale is made the lead
 * stays shared. All within one post deadline.
 */
export async function sellByValue(
  buyers: BuyersPort,
  lot: Lot,
  entrants: { ping: Contract[]; fixed: Contract[] },
  pings: PingRow[],
  gate: Gate,
  post: Post,
): Promise<{ sold: PostAttempt[]; attempts: PostAttempt[]; saleMode?: SaleModeOutcome }> {
  const pair = await collectBidPair(buyers, lot, entrants.ping, entrants.fixed, pings);
  const exclusive = await usableBids(lot, gate, pair.exclusive, pings);
  if (!exclusive) return { sold: [], attempts: [] };
  const shared = pair.shared.filter((b) => !gate.taken(b.contract));
  const { campaign } = lot;
  const deadline = Date.now() + campaign.postDeadlineMs;
  const cascade = (bids: Bid[], maxBuyers: number): Promise<CascadeResult> =>
    cascadePosts(bids, { maxBuyers, deadline, postTimeoutMs: (bid) => bid.contract.postTimeoutMs, now: Date.now, post });
  const tried = new Set<string>();
  const fresh = (bids: Bid[]) => bids.filter((b) => !tried.has(b.contract.buyerId));
  const attempts: PostAttempt[] = [];
  const first = chooseSaleMode(exclusive, shared, campaign.maxBuyers);
  let choice = first;
  while (Date.now() < deadline && (fresh(exclusive).length > 0 || fresh(shared).length > 0)) {
    const round =
      choice.first === "exclusive" ? await cascade(fresh(exclusive).slice(0, 1), 1) : await cascade(fresh(shared), campaign.maxBuyers);
    attempts.push(...round.attempts);
    if (round.sold.length > 0) return { sold: round.sold, attempts, saleMode: outcome(first, choice.first) };
    if (round.attempts.length === 0) break;
    for (const a of round.attempts) tried.add(a.bid.contract.buyerId);
    choice = chooseSaleMode(fresh(exclusive), fresh(shared), campaign.maxBuyers);
  }
  return { sold: [], attempts, saleMode: outcome(first, null) };
}

/** The trace's account: the first choice and why, how the lead sold, and whether it changed course. */
function outcome(first: SaleChoice, soldAs: SaleKind | null): SaleModeOutcome {
  return { ...first, soldAs, fellBack: soldAs !== null && soldAs !== first.first };
}
