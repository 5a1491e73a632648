// Every minute (with the sweeper): webhook deliveries whose message was lost (queued but never
// handled, or an emit that stored its deliveries and then failed to queue them) are queued again,
// 15 minutes after they were due; once an hour, the delivery log forgets what is older than 30 days.
import { log } from "../lib/log";
import type { Services } from "../services";

const LOST_AFTER_MS = 15 * 60_000;
const LOG_KEPT_MS = 30 * 86_400_000;
const BATCH = 500;

export async function sweepWebhooks(svc: Pick<Services, "records" | "events">, now = Date.now()): Promise<number> {
  const lost = await svc.records.webhookDeliveries.overdue(now - LOST_AFTER_MS, now, BATCH);
  if (lost.length > 0) {
    await svc.events.enqueue(lost);
    log("webhook_deliveries_requeued", { count: lost.length }, "warn");
  }
  if (now % 3_600_000 < 60_000) await svc.records.webhookDeliveries.prune(now - LOG_KEPT_MS, 5000);
  return lost.length;
}
