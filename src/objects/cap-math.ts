// The arithmetic of caps, pure: which cap binds first for one more lead, when a refusal may be retried,
// and how big a block of headroom an isolate may lease. The CapLedger object applies it to its windows.
import type { Caps } from "../rules/model";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export type CapLimit = "cap_hour" | "cap_day" | "cap_month" | "budget_day" | "budget_month";

export interface WindowUsage {
  window: string;
  count: number;
  spendCents: number;
}

/** Which cap binds first for one more lead at `priceCents`, in the current windows. */
export function bindingLimit(caps: Caps, h: WindowUsage, d: WindowUsage, m: WindowUsage, priceCents: number): CapLimit | undefined {
  if (caps.hour !== null && h.count + 1 > caps.hour) return "cap_hour";
  if (caps.day !== null && d.count + 1 > caps.day) return "cap_day";
  if (caps.month !== null && m.count + 1 > caps.month) return "cap_month";
  if (caps.budgetDayCents !== null && d.spendCents + priceCents > caps.budgetDayCents) return "budget_day";
  if (caps.budgetMonthCents !== null && m.spendCents + priceCents > caps.budgetMonthCents) return "budget_month";
  return undefined;
}

export interface Refusal {
  ok: false;
  limit: CapLimit;
  /** When it may be worth asking again (epoch ms, an upper bound). */
  retryAfter: number;
  /**
   * The cap is taken by headroom in use, not by sales: posts in flight and blocks leased to isolates
   * (returned when they settle or their block closes). False: sold out until the window ends.
   */
  held: boolean;
}

/** A refusal: sold out until the limiting window ends, or held until the earliest hold or block ends. */
export function refusal(limit: CapLimit, now: number, heldUntil: number | null = null): Refusal {
  const span = limit === "cap_hour" ? HOUR : limit === "cap_day" || limit === "budget_day" ? DAY : 31 * DAY;
  return heldUntil === null
    ? { ok: false, limit, retryAfter: now + span, held: false }
    : { ok: false, limit, retryAfter: heldUntil, held: true };
}

/** What the windows hold in sales alone, once headroom in use (`held`) is taken out. */
export const salesOnly = (u: WindowUsage, held: { count: number; cents: number }): WindowUsage => ({
  window: u.window,
  count: u.count - held.count,
  spendCents: u.spendCents - held.cents,
});

/**
 * A block for an isolate: up to `wanted` leads (at most a quarter of what the tightest count cap has
 * left, at least one), and a quarter of the tightest budget's remainder (null without a budget).
 */
export function leaseSize(
  c: Caps,
  h: WindowUsage,
  d: WindowUsage,
  m: WindowUsage,
  wanted: number,
): { units: number; cents: number | null } {
  const countLeft = Math.min(
    c.hour === null ? Infinity : c.hour - h.count,
    c.day === null ? Infinity : c.day - d.count,
    c.month === null ? Infinity : c.month - m.count,
  );
  const centsLeft = Math.min(
    c.budgetDayCents === null ? Infinity : c.budgetDayCents - d.spendCents,
    c.budgetMonthCents === null ? Infinity : c.budgetMonthCents - m.spendCents,
  );
  return {
    units: Math.max(1, Math.min(wanted, Math.floor(countLeft / 4))),
    cents: centsLeft === Infinity ? null : Math.ceil(centsLeft / 4),
  };
}
