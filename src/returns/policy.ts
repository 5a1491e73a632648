// Whether a buyer's return of a lead is allowed, and what it does to the money. Pure, integer cents.
// The rules are the contract's: a window after the sale, a cap on the share of its recent purchases
// that may be returned, the reasons it may give, and the reasons approved without an admin.
import type { ReturnRules } from "../rules/model";

/** The cap counts returns (approved or pending) against purchases over this period. */
export const RETURN_CAP_PERIOD_MS = 30 * 86_400_000;

/**
 * Whether one more return fits the cap: (returns + 1) / max(1, purchases) <= capBps / 10000, in
 * integers. The records apply the same inequality inside the insert (db/returns.ts), so returns filed
 * at the same moment can't all pass a check made before any of them was stored.
 */
export function withinReturnCap(capBps: number, returns: number, purchases: number): boolean {
  return (returns + 1) * 10_000 <= capBps * Math.max(1, purchases);
}

export interface ReturnRequest {
  reason: string;
  /** When the buyer bought the lead (the accepted post). */
  soldAt: number;
  now: number;
  /** The contract's purchases and returns (approved or pending) in the last 30 days, before this one. */
  purchases30d: number;
  returns30d: number;
  alreadyReturned: boolean;
  /** What the buyer paid and what the source was paid for this sale. */
  priceCents: number;
  payoutCents: number;
  /** The source's setting: an approved return takes its payout back. */
  clawback: boolean;
}

export type ReturnRefusal =
  | { status: 409; code: "already_returned"; message: string }
  | { status: 422; code: "reason_not_allowed" | "return_window_closed" | "returns_not_allowed" | "return_cap_reached"; message: string };

export type ReturnDecision =
  { ok: true; status: "approved" | "pending"; priceCents: number; clawbackCents: number } | ({ ok: false } & ReturnRefusal);

export function decideReturn(rules: ReturnRules, r: ReturnRequest): ReturnDecision {
  if (r.alreadyReturned)
    return { ok: false, status: 409, code: "already_returned", message: "this lead was already returned under this contract" };
  if (rules.windowH <= 0) return { ok: false, status: 422, code: "returns_not_allowed", message: "this contract takes no returns" };
  if (!rules.reasons.includes(r.reason))
    return { ok: false, status: 422, code: "reason_not_allowed", message: `reason must be one of: ${rules.reasons.join(", ")}` };
  if (r.now - r.soldAt > rules.windowH * 3_600_000)
    return {
      ok: false,
      status: 422,
      code: "return_window_closed",
      message: `returns are accepted for ${rules.windowH} hours after the sale`,
    };
  // With this return, the share of the period's purchases returned must stay within the cap.
  if (!withinReturnCap(rules.capBps, r.returns30d, r.purchases30d)) return capReached(rules.capBps);
  return {
    ok: true,
    status: rules.autoApprove.includes(r.reason) ? "approved" : "pending",
    priceCents: r.priceCents,
    clawbackCents: r.clawback ? r.payoutCents : 0,
  };
}

/** The refusal when the cap is reached: before filing, or by the atomic insert itself. */
export function capReached(capBps: number): { ok: false } & ReturnRefusal {
  return {
    ok: false,
    status: 422,
    code: "return_cap_reached",
    message: `at most ${capBps / 100}% of the last 30 days' purchases may be returned`,
  };
}
