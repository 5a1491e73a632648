// The rows a round records. Every ping row is built by `pingRow` (its id, lead and round number, then
// what happened to that contract), every post row by `postRow`; the helpers below name the usual cases.
import type { PingResult } from "../buyers/ping";
import type { PingRow, PostRow } from "../db/schema";
import { newId } from "../lib/ids";
import type { Lot } from "./lot";
import { describeRule, type PricedBy } from "./price-rules";
import type { RankOutcome } from "./ranking";

/** Whose rows they are: the lead and the round. */
export type RowOwner = Pick<Lot, "leadId" | "round">;

type PingFacts = Omit<PingRow, "id" | "leadId" | "contractId" | "attempt" | "createdAt"> & { id?: string };
type PostFacts = Omit<PostRow, "id" | "leadId" | "contractId" | "attempt" | "createdAt">;

/** The one factory of ping rows. `facts.id`: the ping's own id, when the contract was pinged. */
export function pingRow(owner: RowOwner, contractId: string, facts: PingFacts): PingRow {
  const { id = newId("pg"), ...rest } = facts;
  return { id, leadId: owner.leadId, contractId, attempt: owner.round, ...rest };
}

/** Stamped when the round builds it (its posts are over), not when the record lands: "no post after an erasure" is checked on it. */
export function postRow(owner: RowOwner, contractId: string, facts: PostFacts): PostRow {
  return { id: newId("po"), leadId: owner.leadId, contractId, attempt: owner.round, createdAt: Date.now(), ...facts };
}

/** A contract left out of the round, and why. */
export const skippedRow = (owner: RowOwner, contractId: string, reason: string): PingRow =>
  pingRow(owner, contractId, { outcome: "skipped", reason });

/** A bid that can't be used: the lead was not auctioned, or this buyer already has the consumer. */
export const discardedRow = (owner: RowOwner, contractId: string, reason: string, bidCents?: number): PingRow =>
  pingRow(owner, contractId, bidCents === undefined ? { outcome: "discarded", reason } : { outcome: "discarded", reason, bidCents });

/** Which price rule priced a bid, from what to what: the trace's answer to "why this price?". */
export const pricedReason = (by: PricedBy, priceCents: number): string =>
  `${describeRule(by.rule, by.name)}: ${by.baseCents}c -> ${priceCents}c`;

/**
 * A ping's answer as recorded: a bid the ranking refused (below the floor, above the maximum) says
 * so, and one ranked below its face value by the contract's quality score says by how much.
 */
export function answeredRow(owner: RowOwner, r: PingResult, qualified: RankOutcome | null, qualityWeighting: boolean): PingRow {
  const refused = qualified && !qualified.ok ? qualified : null;
  const priced = qualified?.ok ? qualified.bid : null;
  return pingRow(owner, r.contract.id, {
    id: r.pingId,
    outcome: refused ? refused.outcome : r.outcome,
    reason: refused
      ? refused.reason
      : priced?.pricedBy
        ? pricedReason(priced.pricedBy, priced.bidCents)
        : qualityWeighting && r.outcome === "bid" && r.contract.qualityBps < 10_000
          ? `ranked at quality ${(r.contract.qualityBps / 10_000).toFixed(2)}`
          : r.reason,
    httpStatus: r.httpStatus,
    latencyMs: r.latencyMs,
    bidCents: r.bidCents,
    effectiveCents: qualified ? (qualified.ok ? qualified.bid.effectiveCents : qualified.effectiveCents) : null,
    bidToken: r.token,
  });
}
