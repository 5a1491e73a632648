// Rate-limit counters for one location (a pool per colo, like the relays: each object is created near
// the requests it counts, so a check costs no long round trip). Counters live in memory: a limit is
// protection, not accounting, and an object under load stays resident. A check of several limits is
// atomic: either all count the request or none does.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { admit, type LimitCheck, type LimitVerdict, type WindowState } from "../limits/window";

/** Above this many keys, windows that ended are dropped (a flood from many IPs stays bounded). */
const PRUNE_AT = 20_000;

export class RateCounter extends DurableObject<Env> {
  private readonly windows = new Map<string, WindowState & { periodMs: number }>();

  async check(checks: LimitCheck[], now = Date.now()): Promise<LimitVerdict> {
    const next: [string, WindowState & { periodMs: number }][] = [];
    for (const c of checks) {
      const r = admit(this.windows.get(c.key), now, c, c.cost ?? 1);
      if (!r.ok) return { ok: false, key: c.key, retryAfterMs: r.retryAfterMs };
      next.push([c.key, { ...r.state, periodMs: c.periodMs }]);
    }
    for (const [k, s] of next) this.windows.set(k, s);
    if (this.windows.size > PRUNE_AT) this.prune(now);
    return { ok: true };
  }

  private prune(now: number): void {
    // Two periods without a hit: the window holds nothing any more.
    for (const [k, s] of this.windows) if (now - s.start >= 2 * s.periodMs) this.windows.delete(k);
  }
}
