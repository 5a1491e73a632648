// The safety net behind "every accepted lead reaches a final state": a lead whose worker died
// between storing it and recording its outcome stays `received` or `auctioning`. Every minute the
// cron moves such leads to `pending` (compare-and-set) and hands them to the retry queue.
import { and, inArray, lt } from "drizzle-orm";
import type { Env } from "../env";
import { dbOf } from "../db/client";
import { recordEvents, transition } from "../db/records";
import * as t from "../db/schema";
import { log } from "../lib/log";

/** Older than this without a recorded outcome means its worker is gone (auctions last seconds). */
export const STUCK_AFTER_MS = 2 * 60_000;
const BATCH = 100;

export async function sweepStuckLeads(env: Env, now = Date.now()): Promise<number> {
  const db = dbOf(env.DB);
  const stuck = await db
    .select({ id: t.leads.id })
    .from(t.leads)
    .where(and(inArray(t.leads.status, ["received", "auctioning"]), lt(t.leads.updatedAt, now - STUCK_AFTER_MS)))
    .limit(BATCH);
  let moved = 0;
  for (const { id } of stuck) {
    if (!(await transition(db, id, "pending", "recovered after an interrupted auction"))) continue;
    await recordEvents(db, id, [{ kind: "recovered", detail: { reason: "no outcome recorded within 2 minutes" } }]);
    await env.RETRY_QUEUE.send({ leadId: id });
    moved++;
  }
  if (moved) log("leads_recovered", { count: moved }, "warn");
  return moved;
}
