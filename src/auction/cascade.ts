// The post-reject cascade: post to the best candidates until the lead is sold (to one buyer, or to
// up to N on a shared campaign), the candidates run out, or the post deadline passes. The I/O of a
// post is injected, so the cascade itself is tested without any network.
import type { Bid } from "./ranking";

/**
 * How a post ended. The first four mean the full lead was sent to the buyer, whatever it answered;
 * cap_full, no_funds (the buyer's wallet can't pay the price), duplicate and unavailable (a cap ledger,
 * wallet or dedupe shard did not answer) mean it was not.
 */
export type PostOutcome = "accepted" | "rejected" | "error" | "timeout" | "cap_full" | "no_funds" | "duplicate" | "unavailable";

/** The buyer received the full lead: it has had its chance with this consumer. */
export const wasSent = (o: PostOutcome) => o === "accepted" || o === "rejected" || o === "error" || o === "timeout";

export interface PostAttempt {
  bid: Bid;
  outcome: PostOutcome;
  reason: string | null;
  httpStatus: number | null;
  latencyMs: number;
  buyerLeadId: string | null;
}

/**
 * Worth another round later (the retry queue): a buyer's error or timeout (another buyer may take the
 * lead then; this one has had its chance) or our own storage not answering. Rejects, caps and
 * duplicates are answers.
 */
export const isTransient = (o: PostOutcome) => o === "error" || o === "timeout" || o === "unavailable";

export interface CascadeOptions {
  /** 1 for exclusive campaigns. */
  maxBuyers: number;
  /** Epoch ms after which no new post starts. */
  deadline: number;
  /** A post's own time limit (the contract's `post_timeout_ms`), within what is left of the deadline. */
  postTimeoutMs?: (bid: Bid) => number;
  now: () => number;
  post: (bid: Bid, timeoutMs: number) => Promise<PostAttempt>;
}

export interface CascadeResult {
  sold: PostAttempt[];
  attempts: PostAttempt[];
  deadlinePassed: boolean;
}

/** A post whose own machinery failed (not the buyer's answer): recorded, and worth a retry. */
export function failedAttempt(bid: Bid, err: unknown): PostAttempt {
  const message = err instanceof Error ? err.message : String(err);
  return { bid, outcome: "error", reason: `post failed: ${message}`.slice(0, 200), httpStatus: null, latencyMs: 0, buyerLeadId: null };
}

export async function cascadePosts(ranked: Bid[], opts: CascadeOptions): Promise<CascadeResult> {
  const queue = [...ranked];
  const sold: PostAttempt[] = [];
  const attempts: PostAttempt[] = [];
  const buyers = new Set<string>();
  let deadlinePassed = false;
  while (sold.length < opts.maxBuyers && queue.length > 0) {
    const remaining = opts.deadline - opts.now();
    if (remaining <= 0) {
      deadlinePassed = true;
      break;
    }
    // Fill every open slot at once: on shared leads the top N are posted in parallel.
    const batch: Bid[] = [];
    while (batch.length < opts.maxBuyers - sold.length && queue.length > 0) {
      const bid = queue.shift()!;
      // Two contracts of one buyer never both buy the same lead.
      if (buyers.has(bid.contract.buyerId) || batch.some((b) => b.contract.buyerId === bid.contract.buyerId)) continue;
      batch.push(bid);
    }
    if (batch.length === 0) break;
    // Posts settle independently: one that throws is an `error` attempt, never the loss of a sale
    // another buyer already accepted in the same batch.
    // Each post has its own timeout: a buyer that hangs costs its slot of the cascade, not the lead.
    const timeoutOf = (bid: Bid) => Math.max(1, Math.min(remaining, opts.postTimeoutMs?.(bid) ?? remaining));
    const settled = await Promise.allSettled(batch.map((bid) => opts.post(bid, timeoutOf(bid))));
    const results = settled.map((s, i) => (s.status === "fulfilled" ? s.value : failedAttempt(batch[i]!, s.reason)));
    for (const r of results) {
      attempts.push(r);
      if (r.outcome === "accepted") {
        sold.push(r);
        buyers.add(r.bid.contract.buyerId);
      }
    }
  }
  return { sold, attempts, deadlinePassed };
}
