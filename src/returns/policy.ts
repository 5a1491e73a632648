// Whether a buyer's return of a lead is allowed, and what it does to the money. Pure, integer cents.
// The rules are the contract's: a window after the sale, a cap on the share of its recent purchases
// that may be returned, the reasons it may give, and the reasons approved without an admin.
import type { ReturnRules } from "../rules/model";

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
  if ((r.returns30d + 1) * 10_000 > rules.capBps * Math.max(1, r.purchases30d))
    return {
      ok: false,
      status: 422,
      code: "return_cap_reached",
      message: `at most ${rules.capBps / 100}% of the last 30 days' purchases may be returned`,
    };
  return {
    ok: true,
    status: rules.autoApprove.includes(r.reason) ? "approved" : "pending",
    priceCents: r.priceCents,
    clawbackCents: r.clawback ? r.payoutCents : 0,
  };
}
