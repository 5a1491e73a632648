// The webhook queue's consumer: each message names a delivery (src/services/webhooks.ts decides and
// sends); every message of a batch runs at once, each bounded by WEBHOOK_TIMEOUT_MS, so a slow
// receiver costs a batch at most that, and another subscription's deliveries never wait behind it. A
// retry is a new message with a delay (12 h at most, longer waits chained), not the queue's own
// retry: the schedule lives in D1. The queue's retry and its dead-letter queue are for this consumer
// failing itself (D1 unreachable): the dead-letter consumer records the delivery as failed. The
// cron re-queues deliveries whose message was lost.
import type { Env } from "../env";
import { errorText, log } from "../lib/log";
import { scopeOf, type Scope } from "../services";
import { WebhookMessageSchema } from "../services/webhook-queue";
import { deliverWebhook } from "../services/webhooks";

/** `clock` is injectable: tests move time instead of waiting for it. */
export async function handleWebhookBatch(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext, clock = Date.now): Promise<void> {
  const scope = scopeOf(env, undefined, (p) => ctx.waitUntil(p));
  await Promise.all(batch.messages.map((msg) => handle(scope, msg, clock)));
}

async function handle(scope: Scope, msg: Message<unknown>, clock: () => number): Promise<void> {
  const parsed = WebhookMessageSchema.safeParse(msg.body);
  if (!parsed.success) {
    log("webhook_message_invalid", { id: msg.id }, "warn");
    msg.ack();
    return;
  }
  const { deliveryId } = parsed.data;
  const { config, services } = scope;
  try {
    const now = clock();
    const timeoutMs = config.WEBHOOK_TIMEOUT_MS;
    const next = await deliverWebhook(services, deliveryId, { now, timeoutMs, local: config.LEADGATE_ENV === "development" });
    if ("at" in next) await services.events.enqueue([deliveryId], next.at, now);
    msg.ack();
  } catch (err) {
    log("webhook_delivery_failed", { delivery: deliveryId, error: errorText(err) }, "error");
    msg.retry({ delaySeconds: 30 });
  }
}

/** Messages this consumer kept failing on: their deliveries are recorded as failed ("send again" revives them). */
export async function handleWebhookDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const { services } = scopeOf(env);
  for (const msg of batch.messages) {
    const parsed = WebhookMessageSchema.safeParse(msg.body);
    if (parsed.success)
      await services.records.webhookDeliveries.giveUp(
        parsed.data.deliveryId,
        `dead-lettered: the webhook consumer failed on it ${msg.attempts} times`,
        Date.now(),
      );
    msg.ack();
  }
}
