// One auction round for a stored lead, from the live request or from the retry queue: run the
// auction, decide the lead's next state, and describe what to record.
import type { RoundRecord } from "../db/records";
import { afterRound } from "../lead/state";
import { runAuction, type AuctionInput, type AuctionResult } from "./run";

export interface RoundInput extends Omit<AuctionInput, "attempt"> {
  /** Retry rounds made before this one (0 for the live auction). */
  retriesDone: number;
  createdAt: number;
}

export interface RoundOutcome {
  status: "sold" | "pending" | "unsold";
  reason: string | null;
  result: AuctionResult;
  record: RoundRecord;
}

export async function auctionRound(input: RoundInput): Promise<RoundOutcome> {
  const attempt = input.retriesDone;
  const result = await runAuction({ ...input, attempt });
  const { status, reason } = afterRound({
    sold: result.sales.length,
    transientFailure: result.transientFailure,
    attempts: attempt,
    maxAttempts: input.campaign.retryMaxAttempts,
    saleWindowEnd: input.createdAt + input.campaign.saleWindowS * 1000,
    now: Date.now(),
  });
  const record: RoundRecord = {
    leadId: input.leadId,
    pings: result.pings,
    posts: result.posts,
    events: [
      { kind: attempt === 0 ? "auction" : "retry_auction", detail: { attempt, ...result.summary } },
      { kind: status === "pending" ? "retry_scheduled" : "final", detail: { status, reason, price_cents: result.total.priceCents } },
    ],
    status,
    reason,
    priceCents: result.total.priceCents,
    payoutCents: result.total.payoutCents,
    marginCents: result.total.marginCents,
    attempts: attempt,
  };
  return { status, reason, result, record };
}
