// The lead state machine. Every status write in the database is a compare-and-set over these
// transitions (UPDATE ... WHERE status IN (allowed sources)), so a redelivered queue message or a
// racing worker can never move a lead backwards or sell it twice. `erased` ends a lead that was not
// finished when its consumer asked to be erased (POST /admin/consumers/erase): final, never posted again.
// A resale (src/pipeline/resale.ts) sells a finished lead again: its own record makes an unsold lead
// sold, guarded by its offer rather than by these transitions.
import type { LeadStatus } from "../db/schema";

export const FINAL_STATES: ReadonlySet<LeadStatus> = new Set(["sold", "unsold", "duplicate", "rejected", "erased"]);

/** The reason an erased lead carries. */
export const ERASED_REASON = "consumer erasure request";

/** The states a lead is in while it may still be posted: an erasure ends these as `erased`. */
export const UNFINISHED_STATES: readonly LeadStatus[] = ["received", "auctioning", "pending"];

const TRANSITIONS: Record<LeadStatus, readonly LeadStatus[]> = {
  received: ["auctioning", "duplicate", "rejected", "sold", "unsold", "pending", "erased"],
  auctioning: ["sold", "unsold", "pending", "erased"],
  pending: ["auctioning", "sold", "unsold", "erased"],
  sold: [],
  unsold: [],
  duplicate: [],
  rejected: [],
  erased: [],
};

export const canTransition = (from: LeadStatus, to: LeadStatus): boolean => TRANSITIONS[from].includes(to);

/** The states a lead may be in for a move to `to` to be legal. */
export const sourcesOf = (to: LeadStatus): LeadStatus[] =>
  (Object.keys(TRANSITIONS) as LeadStatus[]).filter((from) => canTransition(from, to));

export const isFinal = (s: LeadStatus): boolean => FINAL_STATES.has(s);

export interface RoundFacts {
  sold: number;
  /** A post failed in a way that may work later (timeout, 5xx, connection error). */
  transientFailure: boolean;
  /** Retry rounds already made (0 after the live auction). */
  attempts: number;
  maxAttempts: number;
  /** Epoch ms after which the lead may no longer be sold. */
  saleWindowEnd: number;
  now: number;
}

/** Where a lead goes after an auction round. Pure. */
export function afterRound(f: RoundFacts): { status: "sold" | "pending" | "unsold"; reason: string | null } {
  if (f.sold > 0) return { status: "sold", reason: null };
  if (f.attempts >= f.maxAttempts) return { status: "unsold", reason: f.maxAttempts === 0 ? "no buyer" : "no buyer after all retries" };
  if (f.now >= f.saleWindowEnd) return { status: "unsold", reason: "sale window ended" };
  return { status: "pending", reason: f.transientFailure ? "buyer unavailable, retry scheduled" : "no buyer yet, retry scheduled" };
}

/** The longest a retry round waits for its turn. */
export const MAX_RETRY_DELAY_S = 3600;

/** Exponential backoff for retry round n (1-based), capped at an hour. */
export const retryDelaySeconds = (baseS: number, n: number): number => Math.min(MAX_RETRY_DELAY_S, baseS * 2 ** Math.max(0, n - 1));
