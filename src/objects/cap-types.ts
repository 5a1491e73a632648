// The CapLedger's requests and answers, as its clients (src/services/caps.ts) name them.
import type { Caps } from "../rules/model";
import type { CapLimit, Refusal, WindowUsage } from "./cap-math";

export type { CapLimit, Refusal, WindowUsage };
export type { PostPause, PostRecord } from "./post-meter";

export interface ReserveRequest {
  reservationId: string;
  caps: Caps;
  timezone: string;
  priceCents: number;
  leaseMs: number;
  /** The instant whose cap windows count (defaults to now). */
  now?: number;
}

export type ReserveResult = { ok: true; state: "held" | "committed" } | Refusal;

/** A sale made from a lease, reported after the fact (commitLeased's arguments). */
export interface SaleReport {
  leaseId: string;
  reservationId: string;
  priceCents: number;
  timezone: string;
  /** When it was sold: it counts in that instant's windows. */
  at: number;
}

export interface LeaseRequest {
  leaseId: string;
  caps: Caps;
  timezone: string;
  /** Units (leads) wanted; fewer are granted when headroom is short. */
  units: number;
  leaseMs: number;
  now?: number;
}

export type LeaseResult =
  | {
      ok: true;
      leaseId: string;
      units: number;
      /** Budget slice in cents; null when the contract has no budget cap. */
      cents: number | null;
      /** The cap windows the lease counts in: it may only be spent while they are current. */
      windows: string[];
      expiresAt: number;
    }
  | Refusal;

export type WindowHeadroom = WindowUsage & { sold: number; soldCents: number };

export interface Headroom {
  hour: WindowHeadroom;
  day: WindowHeadroom;
  month: WindowHeadroom;
  caps: Caps;
  /** Reservations of posts in flight. */
  held: number;
  /** Lease units taken by isolates and not spent yet (counted as used until their lease closes). */
  leased: number;
}
