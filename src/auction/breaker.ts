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
  /** Posts sent (not cap_full or duplicate: those never reached the buyer). */
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

/** The first rate above its threshold, as `<kind>: <figures>`, or null. Integer arithmetic only. */
export function tripReason(s: BreakerSettings, w: OutcomeCounts): string | null {
  const decided = w.accepted + w.rejected;
  if (s.rejectPct !== null && decided >= s.minSamples && w.rejected * 100 > s.rejectPct * decided)
    return `reject_rate: ${pct(w.rejected, decided)}% of ${decided} posts rejected over ${minutes(s.windowS)} (limit ${s.rejectPct}%)`;
  const requests = w.pings + w.posts;
  if (requests < s.minSamples) return null;
  const errors = w.pingErrors + w.postErrors;
  if (s.errorPct !== null && errors * 100 > s.errorPct * requests)
    return `error_rate: ${pct(errors, requests)}% of ${requests} requests failed over ${minutes(s.windowS)} (limit ${s.errorPct}%)`;
  const timeouts = w.pingTimeouts + w.postTimeouts;
  if (s.timeoutPct !== null && timeouts * 100 > s.timeoutPct * requests)
    return `timeout_rate: ${pct(timeouts, requests)}% of ${requests} requests timed out over ${minutes(s.windowS)} (limit ${s.timeoutPct}%)`;
  return null;
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
      ? [c.accepted, c.rejected]
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
