// The circuit breakers as the auction meets them. The state comes with the rules (written by the cron's
// evaluation, src/queues/breakers.ts); on top of it, each post that reached a buyer is reported to the
// contract's meter (its CapLedger object), which pauses a contract that stops paying for what it
// receives at once, and this isolate remembers that pause. It also remembers when it last let a
// half-open contract have a probe, so one isolate sends it at most one lead per PROBE_SPACING_MS.
import { breakerBlocks } from "../auction/breaker";
import { buyerPausedEvent } from "../events/bodies";
import { log } from "../lib/log";
import type { CapLedger, PostPause } from "../objects/cap-ledger";
import { CapReports } from "./cap-reports";
import type { Contract } from "../rules/model";
import type { Events } from "./events";

const lastProbe = new Map<string, number>();
const meterPauses = new Map<string, PostPause>();

export class BreakerGate {
  private readonly reports?: CapReports;

  constructor(
    meters?: DurableObjectNamespace<CapLedger>,
    /** Told of a pause the meter imposes (`buyer.paused`, one event per pause by its id). */
    private readonly events?: Pick<Events, "emit">,
  ) {
    this.reports = meters ? new CapReports(meters) : undefined;
  }

  /** Why the contract is kept out now, or undefined (a probe, if it is half-open, is counted as sent). */
  paused(c: Contract, now = Date.now()): string | undefined {
    const pause = meterPauses.get(c.id);
    // The meter's pause holds until it ends, or until the cron's breaker has judged the contract since
    // (it then governs: open, the half-open probes, closed).
    const superseded = pause !== undefined && c.health !== null && c.health.since >= pause.since;
    if (pause && now < pause.until && !superseded) return `paused by circuit breaker: ${pause.reason}`;
    if (pause) meterPauses.delete(c.id);
    const v = breakerBlocks(c.health, now, lastProbe.get(c.id));
    if ("blocked" in v) return v.blocked;
    if (v.probe) lastProbe.set(c.id, now);
    return undefined;
  }

  /** Reports a post that reached the buyer to its contract's meter, and learns a pause from the answer. */
  async recordPost(c: Contract, leadId: string, round: number, outcome: "accepted" | "rejected" | "error" | "timeout"): Promise<void> {
    if (!this.reports) return;
    // Batched with the contract's other news (./cap-reports.ts): a verdict may take REPORT_MS longer.
    const pause = await this.reports.report(c.id, {
      post: { postId: `${leadId}:${round}`, outcome, settings: c.breaker, now: Date.now() },
    });
    if (!pause) return;
    if (!meterPauses.has(c.id)) {
      log("breaker_meter_paused", { contract: c.id, until: pause.until, reason: pause.reason }, "warn");
      await this.events?.emit([buyerPausedEvent(c, pause, "post_meter")]);
    }
    if (meterPauses.size > 10_000) meterPauses.clear();
    meterPauses.set(c.id, pause);
  }
}

export function forgetProbes(): void {
  lastProbe.clear();
  meterPauses.clear();
}
