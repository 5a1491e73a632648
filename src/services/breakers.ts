// The circuit breakers as the auction meets them: the state comes with the rules (written by the
// cron's evaluation, src/queues/breakers.ts); this isolate remembers when it last let a half-open
// contract have a probe, so one isolate sends it at most one lead per PROBE_SPACING_MS.
import { breakerBlocks } from "../auction/breaker";
import type { Contract } from "../rules/model";

const lastProbe = new Map<string, number>();

export class BreakerGate {
  /** Why the contract is kept out now, or undefined (a probe, if it is half-open, is counted as sent). */
  paused(c: Contract, now = Date.now()): string | undefined {
    const v = breakerBlocks(c.health, now, lastProbe.get(c.id));
    if ("blocked" in v) return v.blocked;
    if (v.probe) lastProbe.set(c.id, now);
    return undefined;
  }
}

export function forgetProbes(): void {
  lastProbe.clear();
}
