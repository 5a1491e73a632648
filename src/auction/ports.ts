// What the auction needs from the outside, as interfaces it owns: the methods of the caps, dedupe,
// buyers, journal, breakers and limits clients it calls. The service clients (src/services/)
// satisfy them structurally and the pipeline passes them in, so the auction never imports a layer
// above it.
import type { PingResult, PingTarget } from "../buyers/ping";
import type { PostResult } from "../buyers/post";
import type { PostContext } from "../buyers/protocol";
import type { Fingerprint } from "../lead/fingerprints";
import type { LimitCheck, LimitVerdict } from "../limits/window";
import type { Contract } from "../rules/model";

/** Side effects that must finish but need not delay the answer (cap commits, give-backs). */
export type Defer = (p: Promise<unknown>) => void;

/** Cap headroom taken for one post: commit it on a sale, release it otherwise. */
export type CapReservation =
  | {
      ok: true;
      /** "committed": this contract already bought this lead (a recovered round). */
      state: "held" | "committed";
      /** The isolate block the unit came from, or null. */
      leaseId: string | null;
      commit(): Promise<void>;
      release(): Promise<void>;
    }
  | { ok: false; limit: string };

export interface CapsPort {
  /** Why the isolate believes a contract's cap is taken right now (no round trip), or undefined. */
  fullReason(contractId: string, now: number): string | undefined;
  /** Takes headroom blocks for the capped contracts that may win, while the pings are out. */
  prepare(contracts: Contract[], defer: Defer): void;
  /** Headroom for one post; `live`: the live round, which may spend from the isolate's block. */
  reserve(contract: Contract, leadId: string, priceCents: number, live?: { postMs: number }): Promise<CapReservation>;
}

/** Money held for one post in a billed buyer's wallet: commit it on a sale, release it otherwise. */
export type WalletReservation =
  { ok: true; state: "held" | "committed"; commit(): Promise<void>; release(): Promise<void> } | { ok: false; limit: string };

export interface WalletsPort {
  /** Why the isolate believes the buyer can't pay this contract's least price (no round trip), or undefined. */
  shortReason(c: Contract, now: number, defer: Defer): string | undefined;
  /** Takes blocks of money from the wallets of the billed buyers that may win, while the pings are out. */
  prepare(contracts: Contract[], defer: Defer): void;
  /** Money for one post; `live`: the live round, which may spend from the isolate's block. */
  reserve(contract: Contract, leadId: string, priceCents: number, live?: { postMs: number }): Promise<WalletReservation>;
}

export interface DedupePort {
  /** A buyer-level claim before a post to a key the intake does not hold: false when it is taken. */
  claimForBuyer(fps: Fingerprint[], key: string, leadId: string, windowS: number): Promise<boolean>;
  releaseForBuyer(fps: Fingerprint[], key: string, leadId: string, windowS: number): Promise<void>;
}

export interface BuyersPort {
  ping(targets: PingTarget[], deadline: number): Promise<PingResult[]>;
  post(contract: Contract, ctx: PostContext, timeoutMs: number): Promise<PostResult>;
}

/** A sale as the journal keeps it (the recovery path reads it back). */
export interface JournaledSale {
  contractId: string;
  priceCents: number;
  buyerLeadId: string | null;
  /** The cap block the unit came from (the recovery commits it there), or null. */
  leaseId: string | null;
  at: number;
}

export interface JournalPort {
  recordSale(journal: string, leadId: string, sale: JournaledSale): Promise<void>;
}

export interface BreakersPort {
  /** Why the contract is kept out now, or undefined (a half-open probe is counted as sent). */
  paused(c: Contract, now: number): string | undefined;
  /**
   * How a post that reached the buyer ended (deferred, off the wait): the contract's meter counts it,
   * and a contract found not paying for what it receives is paused at once, before the cron's turn.
   */
  recordPost(c: Contract, leadId: string, round: number, outcome: "accepted" | "rejected" | "error" | "timeout"): Promise<void>;
}

export interface LimitsPort {
  check(shard: string, checks: LimitCheck[]): Promise<LimitVerdict>;
}

export interface AuctionPorts {
  caps: CapsPort;
  wallets: WalletsPort;
  dedupe: DedupePort;
  buyers: BuyersPort;
  journal: JournalPort;
  breakers: BreakersPort;
  limits: LimitsPort;
}
