// Which contracts may compete for a lead, and why the others may not. Pure.
import type { LeadData } from "../lead/fields";
import type { Contract } from "../rules/model";
import { describeFilter, failingFilter } from "./filters";
import { refusedBy } from "./price-rules";
import { isScheduleOpen } from "./schedule";

export interface EligibilityInput {
  contracts: Contract[];
  lead: LeadData;
  now: number;
  /** Why the isolate's snapshot knows a contract's cap to be taken, or undefined (the authority is reserve()). */
  capFull: (contractId: string) => string | undefined;
  /** Why the isolate believes the contract's buyer can't pay its least price (its wallet), or undefined. */
  noFunds?: (contract: Contract) => string | undefined;
  /** Dedupe keys (buyer or contract) that already bought or rejected this consumer within their window. */
  alreadyBought: ReadonlySet<string>;
  /** Contracts that already rejected or failed this lead (retries never go back to them). */
  exclude: ReadonlySet<string>;
  /** Fallback contracts compete only in retry rounds. */
  includeFallback: boolean;
  /** Most pings one lead may send; the lowest-priority contracts beyond it are left out. */
  maxFanout: number;
  /** Why a contract's circuit breaker keeps it out now, if it does (see ./breaker.ts). */
  paused?: (contract: Contract) => string | undefined;
  /**
   * One-to-one consent: the sellers the consumer named (buyer names or ids, any case); only their
   * contracts may compete. Undefined: the campaign does not take one-to-one consent.
   */
  namedSellers?: readonly string[];
}

export interface Skip {
  contract: Contract;
  reason: string;
}

export interface Eligibility {
  /** Dynamic-price contracts to ping, highest priority first. */
  ping: Contract[];
  /** Fixed-price (direct post) contracts: join the ranking at their price without a ping. */
  fixed: Contract[];
  skipped: Skip[];
}

export function selectEligible(input: EligibilityInput): Eligibility {
  const result: Eligibility = { ping: [], fixed: [], skipped: [] };
  for (const c of input.contracts) {
    const reason = skipReason(c, input);
    if (reason) result.skipped.push({ contract: c, reason });
    else if (c.pricing === "fixed") result.fixed.push(c);
    else result.ping.push(c);
  }
  result.ping.sort((a, b) => b.priority - a.priority);
  if (result.ping.length > input.maxFanout) {
    for (const c of result.ping.splice(input.maxFanout))
      result.skipped.push({ contract: c, reason: `fan-out limit (${input.maxFanout} pings per lead)` });
  }
  return result;
}

function skipReason(c: Contract, input: EligibilityInput): string | undefined {
  if (input.exclude.has(c.id)) return "already tried for this lead";
  if (input.namedSellers && !namedIn(input.namedSellers, c)) return "not named in the consumer's one-to-one consent";
  if (c.fallback && !input.includeFallback) return "fallback contract (retry rounds only)";
  const failed = failingFilter(c.filters, input.lead);
  if (failed) return describeFilter(failed);
  // A price rule that refuses the lead keeps the contract out: not pinged, not posted.
  const refused = refusedBy(c, input.lead);
  if (refused) return refused;
  if (!isScheduleOpen(c.schedule, c.timezone, input.now)) return "outside schedule";
  const capped = input.capFull(c.id);
  if (capped) return capped;
  const broke = input.noFunds?.(c);
  if (broke) return broke;
  if (input.alreadyBought.has(c.dedupeKey)) return "buyer already bought or rejected this consumer";
  // Last: a half-open breaker spends its probe only on a lead the contract would otherwise take.
  return input.paused?.(c);
}

const namedIn = (sellers: readonly string[], c: Contract) => {
  const names = new Set(sellers.map((s) => s.trim().toLowerCase()));
  return names.has(c.buyerName.toLowerCase()) || names.has(c.buyerId.toLowerCase());
};
