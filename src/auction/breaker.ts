// The circuit breaker of a contract, as plain functions over counts. A buyer that rejects almost every
// post it is sent (harvesting leads for free), or errors or times out on most requests, is paused
// automatically; after a cool-down it is probed with live traffic and comes back if the probe goes
// well. The cron evaluates it from the recorded pings and posts (src/queues/breakers.ts); eligibility
// reads the state with the rules.
import type { BreakerSettings, Health, TripKind } from "../rules/model";

/** What a contract's pings and posts came to over a span of time. */
export interface OutcomeCounts {
  /** Pings sent (not skipped). */
  pings: number;
  pingTimeouts: number;
  /** Errors and unreadable answers. */
  pingErrors: number;
  /** Posts sent: the full lead reached the buyer (not cap_full, duplicate or unavailable). */
  posts: number;
  accepted: number;
  rejected: number;
  postTimeouts: number;
  postErrors: number;
}

export const NO_OUTCOMES: OutcomeCounts = {
  pings: 0,
  pingTimeouts: 0,
  pingErrors: 0,
  posts: 0,
  accepted: 0,
  rejected: 0,
  postTimeouts: 0,
  postErrors: 0,
};
export const CLOSED: Health = { state: "closed", reason: null, since: 0, until: null, trips: 0 };

const pct = (n: number, of: number) => Math.round((100 * n) / of);
const minutes = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);

/** What a contract's posts came to: posts that reached it (sent), and how each ended. */
export type PostCounts = Pick<OutcomeCounts, "posts" | "accepted" | "rejected" | "postErrors" | "postTimeouts">;

/**
 * Judged on the posts a contract received (the full lead was sent), never diluted by its pings: the
 * share it did not pay for (rejects, errors and timeouts together: a buyer harvesting leads may do
 * any of them) against the reject threshold, and its errors and timeouts each against their own. At
 * or above a threshold trips. Integer arithmetic only.
 */
export function postTripReason(s: BreakerSettings, w: PostCounts): string | null {
  if (w.posts < s.minSamples) return null;
  const over = (n: number, limit: number | null) => limit !== null && n * 100 >= limit * w.posts;
  const of = `of ${w.posts} posts over ${minutes(s.windowS)}`;
  const unpaid = w.rejected + w.postErrors + w.postTimeouts;
  if (over(unpaid, s.rejectPct))
    return `reject_rate: ${pct(unpaid, w.posts)}% ${of} not paid for (${w.rejected} rejected, ${w.postErrors} errors, ${w.postTimeouts} timeouts; limit ${s.rejectPct}%)`;
  if (over(w.postErrors, s.errorPct)) return `error_rate: ${pct(w.postErrors, w.posts)}% ${of} failed (limit ${s.errorPct}%)`;
  if (over(w.postTimeouts, s.timeoutPct)) return `timeout_rate: ${pct(w.postTimeouts, w.posts)}% ${of} timed out (limit ${s.timeoutPct}%)`;
  return null;
}

/** A contract whose ping endpoint mostly fails or times out costs every auction its wait: judged on pings alone. */
function pingTripReason(s: BreakerSettings, w: OutcomeCounts): string | null {
  if (w.pings < s.minSamples) return null;
  const of = `of ${w.pings} pings over ${minutes(s.windowS)}`;
  if (s.errorPct !== null && w.pingErrors * 100 >= s.errorPct * w.pings)
    return `error_rate: ${pct(w.pingErrors, w.pings)}% ${of} failed (limit ${s.errorPct}%)`;
  if (s.timeoutPct !== null && w.pingTimeouts * 100 >= s.timeoutPct * w.pings)
    return `timeout_rate: ${pct(w.pingTimeouts, w.pings)}% ${of} timed out (limit ${s.timeoutPct}%)`;
  return null;
}

/** The first rate at or above its threshold, as `<kind>: <figures>`, or null: posts first, then pings. */
export function tripReason(s: BreakerSettings, w: OutcomeCounts): string | null {
  return postTripReason(s, w) ?? pingTripReason(s, w);
}

const kindOf = (reason: string | null): TripKind => {
  const k = reason?.slice(0, reason.indexOf(":"));
  return k === "error_rate" || k === "timeout_rate" ? k : "reject_rate";
};

/** How a probe went, judged on the rate that tripped the breaker. */
export function probeVerdict(kind: TripKind, c: OutcomeCounts): "good" | "bad" | "none" {
  const answered = c.pings - c.pingTimeouts - c.pingErrors + c.accepted + c.rejected;
  const [good, bad] =
    kind === "reject_rate"
      ? [c.accepted, c.rejected + c.postErrors + c.postTimeouts]
      : kind === "error_rate"
        ? [answered, c.pingErrors + c.postErrors]
        : [answered, c.pingTimeouts + c.postTimeouts];
  if (good + bad === 0) return "none";
  return good > bad ? "good" : "bad";
}

/**
 * The next state. `counts` are the outcomes since the state's start for a half-open breaker (the
 * probe), and over the window otherwise (see `countsFrom`).
 */
export function nextHealth(s: BreakerSettings, h: Health, counts: OutcomeCounts, now: number): Health {
  const open = (reason: string): Health => ({ state: "open", reason, since: now, until: now + s.cooldownS * 1000, trips: h.trips + 1 });
  switch (h.state) {
    case "closed": {
      const reason = tripReason(s, counts);
      return reason ? open(reason) : h;
    }
    case "open":
      return h.until !== null && now >= h.until ? { ...h, state: "half_open", since: now, until: null } : h;
    case "half_open": {
      const verdict = probeVerdict(kindOf(h.reason), counts);
      if (verdict === "good") return { ...CLOSED, since: now, trips: h.trips };
      if (verdict === "bad") return open(h.reason ?? "probe failed");
      return h;
    }
  }
}

/** Where the counts `nextHealth` needs begin. */
export const countsFrom = (s: BreakerSettings, h: Health, now: number) => (h.state === "half_open" ? h.since : now - s.windowS * 1000);

/** Between probes of a half-open contract, one isolate lets this long pass. */
export const PROBE_SPACING_MS = 10_000;

/**
 * Why a contract may not be used now, or null. Open: paused (until the cool-down ends, after which
 * it may be probed even before the cron marks it half-open). Half-open: one lead per isolate per
 * PROBE_SPACING_MS goes through; `lastProbe` is when this isolate last sent it one.
 */
export function breakerBlocks(h: Health | null, now: number, lastProbe: number | undefined): { blocked: string } | { probe: boolean } {
  if (!h || h.state === "closed") return { probe: false };
  if (h.state === "open" && (h.until === null || now < h.until)) return { blocked: `paused by circuit breaker: ${h.reason ?? "tripped"}` };
  if (lastProbe !== undefined && now - lastProbe < PROBE_SPACING_MS) return { blocked: "circuit breaker half-open: waiting for the probe" };
  return { probe: true };
}
