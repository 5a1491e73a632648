// Client of the RateCounter objects: the gateway's rate limits (per client network, per key, seller
// pings, a campaign's pings per minute). A check is one call to a counter object: the shields (per
// client network) to one of this location's pool, so a flood is counted where it lands; budgets (per
// key, per campaign) to one object for the whole exchange, so a key's budget is the same everywhere.
// A key that was refused is refused again from memory until its window turns, so a flood does not
// even reach the object. A counter that does not answer lets a server's request through (logged: a
// limit must never cost a lead) but refuses a browser's (`failClosed`: an anonymous flood must not
// get through because the counter is down).
import { errorText, log } from "../lib/log";
import { hash32 } from "../lib/strings";
import type { LimitCheck, LimitVerdict } from "../limits/window";
import type { RateCounter } from "../objects/rate-counter";

export type { LimitCheck, LimitVerdict };

const SHARDS = 16;
/** The key of a verdict refused because the counter could not be reached (failClosed). */
export const UNAVAILABLE = "(limiter unavailable)";

export interface CheckOptions {
  /** "location": counted per colo (shields); "global": one counter for the exchange (budgets). */
  scope?: "location" | "global";
  /** Refuse when the counter can't be reached, instead of letting the request through. */
  failClosed?: boolean;
}
const refusedUntil = new Map<string, number>();

export function forgetRefusals(): void {
  refusedUntil.clear();
}

export class RateLimits {
  constructor(
    private readonly ns: DurableObjectNamespace<RateCounter>,
    private readonly location: string,
  ) {}

  /** `shard`: what the checks are about (a source, a campaign): its counters live in one object. */
  async check(shard: string, checks: LimitCheck[], opts: CheckOptions = {}, now = Date.now()): Promise<LimitVerdict> {
    if (checks.length === 0) return { ok: true };
    for (const c of checks) {
      const until = refusedUntil.get(c.key);
      if (until === undefined) continue;
      if (now < until) return { ok: false, key: c.key, retryAfterMs: until - now };
      refusedUntil.delete(c.key);
    }
    const where = opts.scope === "global" ? "global" : this.location;
    const counter = this.ns.get(this.ns.idFromName(`rate:${where}:${hash32(shard) % SHARDS}`));
    let verdict: LimitVerdict;
    try {
      verdict = await counter.check(checks);
    } catch (err) {
      log("rate_limit_unavailable", { error: errorText(err), fail_closed: opts.failClosed === true }, "error");
      return opts.failClosed ? { ok: false, key: UNAVAILABLE, retryAfterMs: 1000 } : { ok: true };
    }
    // Only a single-unit refusal is certain to hold for everyone until the window turns.
    if (!verdict.ok && (checks.find((c) => c.key === verdict.key)?.cost ?? 1) === 1) {
      if (refusedUntil.size > 10_000) refusedUntil.clear();
      refusedUntil.set(verdict.key, now + verdict.retryAfterMs);
    }
    return verdict;
  }
}
