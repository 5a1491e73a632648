// The safety net behind "every accepted lead reaches a final state": a lead whose worker died
// between storing it and recording its outcome stays `received` or `auctioning`; every minute the
// cron moves such leads to `pending` (compare-and-set) and hands them to the retry queue. A lead
// `pending` far longer than any retry delay lost its message (a send that failed after its record
// was written): its retry is sent again.
import { MAX_RETRY_DELAY_S } from "../lead/state";
import { log } from "../lib/log";
import type { Services } from "../services";

/** Older than this without a recorded outcome means its worker is gone (auctions last seconds). */
export const STUCK_AFTER_MS = 2 * 60_000;
/** Pending this long means its retry message is lost: the longest delay is an hour, plus the queue's own retries. */
export const LOST_RETRY_AFTER_MS = 3 * MAX_RETRY_DELAY_S * 1000;
const BATCH = 100;

export async function sweepStuckLeads(svc: Pick<Services, "records" | "scheduleRetry">, now = Date.now()): Promise<number> {
  let moved = 0;
  for (const id of await svc.records.retries.stuck(["received", "auctioning"], now - STUCK_AFTER_MS, BATCH)) {
    if (!(await svc.records.transition(id, "pending", "recovered after an interrupted auction"))) continue;
    await svc.records.recordEvents(id, [{ kind: "recovered", detail: { reason: "no outcome recorded within 2 minutes" } }]);
    await svc.scheduleRetry(id);
    moved++;
  }
  for (const id of await svc.records.retries.stuck(["pending"], now - LOST_RETRY_AFTER_MS, BATCH)) {
    // Touched first, so the next sweep leaves it alone while this message is on its way; a message
    // that was only late finds the lead taken (or final) and changes nothing.
    if (!(await svc.records.retries.touchPending(id))) continue;
    await svc.records.recordEvents(id, [{ kind: "recovered", detail: { reason: "its retry message was lost; sent again" } }]);
    await svc.scheduleRetry(id);
    moved++;
  }
  if (moved) log("leads_recovered", { count: moved }, "warn");
  return moved;
}
