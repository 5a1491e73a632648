// A round's result from what it did: the sales with their splits, the post rows, the counts for the
// trace, the buyers' share of the time, and the buyer keys on hold to claim when the holds settle.
import type { PingRow, PostRow } from "../db/schema";
import type { Contract } from "../rules/model";
import type { SaleModeOutcome } from "./by-value";
import { isTransient, wasSent, type PostAttempt } from "./cascade";
import type { Gate } from "./gate";
import type { Lot } from "./lot";
import { splitSales, sumSplits, type Split } from "./pricing";
import { postRow, pricedReason } from "./rows";

export interface Sale {
  contract: Contract;
  split: Split;
  buyerLeadId: string | null;
}

export interface AuctionResult {
  sales: Sale[];
  total: Split;
  pings: PingRow[];
  posts: PostRow[];
  /** A post failed in a way that may succeed later (timeout, 5xx, connection): worth a retry. */
  transientFailure: boolean;
  /** Skipped, pinged, bid and rejected counts, for the trace. */
  summary: Record<string, number>;
  /** The sales a price rule priced: which rule, from what price to what (for the trace). */
  priced: { contract: string; rule: number; name: string | null; base_cents: number; price_cents: number }[];
  /** The buyers' share of the wall time: the slowest awaited ping and the post attempts. */
  timing: { pingMs: number; postMs: number; gateMs: number };
  /**
   * Buyer keys on hold that this round sent the full lead to (whatever the answer), claimed when the
   * holds settle: a buyer is not sent a consumer it has already received, within its window.
   */
  holdsToClaim: { key: string; windowS: number }[];
  /** A campaign that sells by value: which way went first, why, and how the lead sold. */
  saleMode?: SaleModeOutcome;
}

/** What a posting round did: its pings, its post attempts (the sold ones among them), its gate. */
export interface RoundDone {
  pings: PingRow[];
  sold: PostAttempt[];
  attempts: PostAttempt[];
  /** Fixed-price contracts that competed (counted in the summary). */
  fixed: number;
  gate: Gate;
  saleMode?: SaleModeOutcome;
}

/** Sold as an exclusive lead: by value, as the bid was priced; otherwise as the campaign sells. */
const exclusiveSale = (lot: Lot, a: PostAttempt) => (a.bid.sale ? a.bid.sale === "exclusive" : lot.campaign.exclusive);

export function auctionResult(lot: Lot, done: RoundDone): AuctionResult {
  const { pings, sold, attempts, gate } = done;
  const splits = splitSales(
    lot.source,
    sold.map((s) => s.bid.bidCents),
  );
  const sales = sold.map((s, i) => ({ contract: s.bid.contract, split: splits[i]!, buyerLeadId: s.buyerLeadId }));
  const posts = attempts.map((a) => {
    const saleIdx = sold.indexOf(a);
    return postRow(lot, a.bid.contract.id, {
      outcome: a.outcome,
      reason: a.reason ?? (a.bid.pricedBy ? pricedReason(a.bid.pricedBy, a.bid.bidCents) : null),
      httpStatus: a.httpStatus,
      latencyMs: a.latencyMs,
      priceCents: a.bid.bidCents,
      payoutCents: saleIdx >= 0 ? splits[saleIdx]!.payoutCents : 0,
      buyerLeadId: a.buyerLeadId,
      exclusive: exclusiveSale(lot, a),
    });
  });
  const count = (o: string) => pings.filter((p) => p.outcome === o).length;
  const awaited = pings.filter((p) => p.outcome !== "skipped" && p.latencyMs != null).map((p) => p.latencyMs!);
  return {
    sales,
    total: sumSplits(splits),
    pings,
    posts,
    transientFailure: attempts.some((a) => isTransient(a.outcome)) && sold.length === 0,
    summary: {
      skipped: count("skipped"),
      pinged: pings.length - count("skipped"),
      bids: count("bid"),
      fixed: done.fixed,
      posts: posts.length,
      sold: sales.length,
    },
    priced: sold.flatMap(({ bid: b }) =>
      b.pricedBy
        ? [
            {
              contract: b.contract.id,
              rule: b.pricedBy.rule,
              name: b.pricedBy.name,
              base_cents: b.pricedBy.baseCents,
              price_cents: b.bidCents,
            },
          ]
        : [],
    ),
    timing: {
      pingMs: lot.campaign.mode === "waterfall" ? awaited.reduce((a, b) => a + b, 0) : Math.max(0, ...awaited),
      postMs: attempts.reduce((a, p) => a + p.latencyMs, 0),
      gateMs: gate.waitedMs,
    },
    holdsToClaim: attempts
      .filter((a) => wasSent(a.outcome) && gate.holds(a.bid.contract))
      .map((a) => ({ key: a.bid.contract.dedupeKey, windowS: a.bid.contract.dedupeWindowS })),
    ...(done.saleMode ? { saleMode: done.saleMode } : {}),
  };
}
