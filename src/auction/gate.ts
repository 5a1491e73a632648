// The post gate: what must be known before anything is posted, settled while the pings are out (the
// live round: the lead stored, the dedupe verdict). Bids that can't be used once it opens are
// discarded, their pings recorded as such.
import type { PingRow } from "../db/schema";
import type { Contract } from "../rules/model";
import type { Bid } from "./ranking";
import { discardedRow, type RowOwner } from "./rows";

/** `go: false` halts the round after the pings: their bids are discarded, the pings recorded. */
export type PostGate =
  | {
      go: true;
      /** Buyer dedupe keys found taken after the pings left: their bids are discarded. */
      alreadyBought: ReadonlySet<string>;
      /** Buyer dedupe keys the intake holds for this lead: posting to them needs no claim. */
      holding: ReadonlySet<string>;
    }
  | { go: false };

/** A retry round knows what is taken before it pings, and holds nothing: its gate is open. */
export const openPostGate = (): Promise<PostGate> => Promise.resolve({ go: true, alreadyBought: new Set(), holding: new Set() });

/** The post gate as a round uses it: awaited once, the wait measured, its answers at hand. */
export interface Gate {
  /** Waits for the gate; false when the round must not post. */
  open(): Promise<boolean>;
  /** The buyer was found taken after the pings left (its bid is discarded). */
  taken(c: Contract): boolean;
  /** The intake holds this buyer's key for the lead. */
  holds(c: Contract): boolean;
  waitedMs: number;
}

export const NOT_AUCTIONED = "lead not auctioned";
export const ALREADY_TAKEN = "buyer already bought or rejected this consumer";

export function gateOf(postGate: Promise<PostGate>): Gate {
  let answer: PostGate | undefined;
  const g: Gate = {
    async open() {
      if (!answer) {
        const started = Date.now();
        answer = await postGate;
        g.waitedMs = Date.now() - started;
      }
      return answer.go;
    },
    taken: (c) => answer?.go === true && c.dedupeWindowS > 0 && answer.alreadyBought.has(c.dedupeKey),
    holds: (c) => answer?.go === true && c.dedupeWindowS > 0 && answer.holding.has(c.dedupeKey),
    waitedMs: 0,
  };
  return g;
}

/**
 * Opens the gate and keeps the ranked bids that may be posted. The others are discarded: their ping
 * rows say why (a bid without a ping row, such as a fixed-price one, gets one).
 */
export async function usableBids(owner: RowOwner, gate: Gate, ranked: Bid[], pings: PingRow[]): Promise<Bid[] | null> {
  const go = await gate.open();
  const usable: Bid[] = [];
  for (const bid of ranked) {
    if (go && !gate.taken(bid.contract)) {
      usable.push(bid);
      continue;
    }
    const reason = go ? ALREADY_TAKEN : NOT_AUCTIONED;
    const row = bid.pingId ? pings.find((p) => p.id === bid.pingId) : undefined;
    if (row) Object.assign(row, { outcome: "discarded", reason });
    else pings.push(discardedRow(owner, bid.contract.id, reason, bid.bidCents));
  }
  return go ? usable : null;
}
