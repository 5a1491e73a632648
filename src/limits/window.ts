// The sliding-window counter behind every rate limit (Cloudflare's own approximation): the count of
// the current fixed window plus the previous window's count weighted by how much of it still overlaps
// the sliding window. Pure; O(1) memory per key.

export interface WindowState {
  /** Start of the current fixed window (ms). */
  start: number;
  current: number;
  previous: number;
}

export interface Limit {
  limit: number;
  periodMs: number;
}

/** One limit a request is held to, under its counter key (`cost`: units it takes, default 1). */
export interface LimitCheck extends Limit {
  key: string;
  cost?: number;
}

export type LimitVerdict = { ok: true } | { ok: false; key: string; retryAfterMs: number };

/** The state rolled forward to `now`'s fixed window. */
export function roll(s: WindowState | undefined, now: number, periodMs: number): WindowState {
  const start = now - (now % periodMs);
  if (!s || start - s.start >= 2 * periodMs) return { start, current: 0, previous: 0 };
  if (start === s.start) return s;
  return { start, current: 0, previous: s.current };
}

/** Requests counted in the sliding window ending at `now` (rounded down). */
export function estimate(s: WindowState, now: number, periodMs: number): number {
  const overlap = periodMs - (now - s.start);
  return s.current + Math.floor((s.previous * overlap) / periodMs);
}

/**
 * Admits `cost` more requests if they fit under the limit: the new state, or how long until they
 * might (at most the rest of the current fixed window).
 */
export function admit(
  s: WindowState | undefined,
  now: number,
  l: Limit,
  cost = 1,
): { ok: true; state: WindowState } | { ok: false; state: WindowState; retryAfterMs: number } {
  const state = roll(s, now, l.periodMs);
  if (estimate(state, now, l.periodMs) + cost > l.limit)
    return { ok: false, state, retryAfterMs: Math.max(1, state.start + l.periodMs - now) };
  return { ok: true, state: { ...state, current: state.current + cost } };
}
