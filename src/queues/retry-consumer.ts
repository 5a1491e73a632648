// The retry queue's consumer: validates each message and runs it — a lead's retry round
// (src/pipeline/retry.ts), a deletion notice to a buyer, an erasure's second pass over its leads'
// free text, or a resale offer's round (src/pipeline/resale.ts); the queue's own retry carries the backoff. At-least-once delivery is assumed: the round
// itself is a no-op for a lead that is not pending, a notice says the same thing twice, a sweep
// finds nothing left.
import type { Env } from "../env";
import { errorText, log } from "../lib/log";
import { deliverNotice, noticeRetryDelay } from "../pipeline/deletion-notice";
import { runResale } from "../pipeline/resale";
import { retryStoredLead } from "../pipeline/retry";
import { scopeOf, type Scope } from "../services";
import { DeletionNoticeMessageSchema, ErasureSweepMessageSchema, ResaleMessageSchema, RetryMessageSchema } from "../services/retry-queue";

export async function handleRetryBatch(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
  const defer = (p: Promise<unknown>) => ctx.waitUntil(p);
  const scope = scopeOf(env, undefined, defer);
  // Messages are independent: run them concurrently, so a batch takes as long as its slowest
  // auction rather than the sum of them. One that fails is retried on its own and never cuts the
  // others short (a rejected batch would end the invocation with their rounds mid-flight).
  await Promise.all(
    batch.messages.map((msg) =>
      handle(scope, msg, defer).catch((err: unknown) => {
        log("retry_message_failed", { id: msg.id, error: errorText(err) }, "error");
        msg.retry({ delaySeconds: 30 });
      }),
    ),
  );
}

async function handle(scope: Scope, msg: Message<unknown>, defer: (p: Promise<unknown>) => void): Promise<void> {
  const { services } = scope;
  const notice = DeletionNoticeMessageSchema.safeParse(msg.body);
  if (notice.success) {
    const outcome = await deliverNotice(services, notice.data, msg.attempts, "queue");
    if (outcome === "failed") msg.retry({ delaySeconds: noticeRetryDelay(msg.attempts + 1) });
    else msg.ack();
    return;
  }
  const sweep = ErasureSweepMessageSchema.safeParse(msg.body);
  if (sweep.success) {
    await services.records.erasure.redactFreeText(sweep.data.leadIds).then(
      () => msg.ack(),
      (err: Error) => {
        log("erasure_sweep_failed", { leads: sweep.data.leadIds.length, error: err.message.slice(0, 200) }, "error");
        msg.retry({ delaySeconds: 60 });
      },
    );
    return;
  }
  const resale = ResaleMessageSchema.safeParse(msg.body);
  if (resale.success) {
    // Judged no earlier than when the cron queued it. A round that fails after taking its offer is
    // left to the cron's recovery; a redelivery finds the offer taken and does nothing.
    await runResale(services, await scope.rules(), resale.data.resaleId, Math.max(Date.now(), resale.data.at), defer).then(
      () => msg.ack(),
      (err: Error) => {
        log("resale_failed", { resale: resale.data.resaleId, error: err.message.slice(0, 200) }, "error");
        msg.retry({ delaySeconds: 60 });
      },
    );
    return;
  }
  const parsed = RetryMessageSchema.safeParse(msg.body);
  if (!parsed.success) {
    log("retry_message_invalid", { id: msg.id }, "warn");
    msg.ack();
    return;
  }
  const { leadId } = parsed.data;
  try {
    const next = await retryStoredLead(services, await scope.rules(), leadId, msg.attempts, defer);
    if (next === "done") defer(services.events.leadEnded(leadId)); // final now (or already: its event is stored once)
    if (next === "done") msg.ack();
    else msg.retry({ delaySeconds: next.retryInS });
  } catch (err) {
    log("retry_failed", { lead_id: leadId, error: errorText(err) }, "error");
    msg.retry({ delaySeconds: 30 });
  }
}
