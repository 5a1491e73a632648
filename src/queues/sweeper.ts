// The safety net behind "every accepted lead reaches a final state": a lead whose worker died
// between storing it and recording its outcome stays `received` or `auctioning`. Every minute the
// cron moves such leads to `pending` (compare-and-set) and hands them to the retry queue.
import { log } from "../lib/log";
import type { Services } from "../services";

/** Older than this without a recorded outcome means its worker is gone (auctions last seconds). */
export const STUCK_AFTER_MS = 2 * 60_000;
const BATCH = 100;

export async function sweepStuckLeads(svc: Pick<Services, "records" | "scheduleRetry">, now = Date.now()): Promise<number> {
  let moved = 0;
  for (const id of await svc.records.stuckLeads(now - STUCK_AFTER_MS, BATCH)) {
    if (!(await svc.records.transition(id, "pending", "recovered after an interrupted auction"))) continue;
    await svc.records.recordEvents(id, [{ kind: "recovered", detail: { reason: "no outcome recorded within 2 minutes" } }]);
    await svc.scheduleRetry(id);
    moved++;
  }
  if (moved) log("leads_recovered", { count: moved }, "warn");
  return moved;
}
