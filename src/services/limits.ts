// Client of the RateCounter pool: the gateway's rate limits (per client IP, per key, seller pings,
// a campaign's pings per minute). A check is one call to this location's counter object; a key that
// was refused is refused again from memory until its window turns, so a flood does not even reach
// the object. A counter that does not answer lets the request through (logged): a limit must never
// cost a lead.
import { log } from "../lib/log";
import { hash32 } from "../lib/strings";
import type { LimitCheck, LimitVerdict } from "../limits/window";
import type { RateCounter } from "../objects/rate-counter";

export type { LimitCheck, LimitVerdict };

const SHARDS = 16;
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
  async check(shard: string, checks: LimitCheck[], now = Date.now()): Promise<LimitVerdict> {
    if (checks.length === 0) return { ok: true };
    for (const c of checks) {
      const until = refusedUntil.get(c.key);
      if (until === undefined) continue;
      if (now < until) return { ok: false, key: c.key, retryAfterMs: until - now };
      refusedUntil.delete(c.key);
    }
    const counter = this.ns.get(this.ns.idFromName(`rate:${this.location}:${hash32(shard) % SHARDS}`));
    let verdict: LimitVerdict;
    try {
      verdict = await counter.check(checks);
    } catch (err) {
      log("rate_limit_unavailable", { error: (err as Error).message.slice(0, 200) }, "error");
      return { ok: true };
    }
    // Only a single-unit refusal is certain to hold for everyone until the window turns.
    if (!verdict.ok && (checks.find((c) => c.key === verdict.key)?.cost ?? 1) === 1) {
      if (refusedUntil.size > 10_000) refusedUntil.clear();
      refusedUntil.set(verdict.key, now + verdict.retryAfterMs);
    }
    return verdict;
  }
}
