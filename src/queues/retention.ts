// Every minute (with the sweeper): leads older than their campaign's retention_days lose their
// personal fields (src/lead/redact.ts), in bounded batches so no run holds D1 for long; scrub results
// no campaign may reuse any more are dropped. Progress per
// campaign is in retention_runs and on GET /admin/retention.
import type { Records } from "../db/records";
import { log } from "../lib/log";

/** At most this many leads per campaign per run, and this many in all. */
export const RETENTION_BATCH = 500;
const RUN_LIMIT = 2000;
const DAY = 86_400_000;

/** No campaign reuses a scrub result longer than this (campaigns.scrubs cache_s). */
const SCRUB_CACHE_MAX_MS = 90 * DAY;

export async function runRetention(records: Records, now = Date.now()): Promise<number> {
  const lifecycle = records.lifecycle;
  await records.scrubs.prune(now - SCRUB_CACHE_MAX_MS);
  let total = 0;
  for (const c of await lifecycle.campaignRetention()) {
    if (c.retention_days === null || total >= RUN_LIMIT) continue;
    const rows = await lifecycle.dueForRetention(c.id, now - c.retention_days * DAY, Math.min(RETENTION_BATCH, RUN_LIMIT - total));
    if (rows.length === 0) continue;
    const n = await lifecycle.redactLeads(rows, () => c.fields, now);
    await lifecycle.noteRetentionRun(c.id, n, now);
    total += n;
  }
  if (total) log("retention_redacted", { leads: total });
  return total;
}
