// The retry queue's consumer: validates each message and runs the lead's retry round
// (src/pipeline/retry.ts); the queue's own retry carries the backoff. At-least-once delivery is
// assumed: the round itself is a no-op for a lead that is not pending.
import type { Env } from "../env";
import { log } from "../lib/log";
import { retryStoredLead } from "../pipeline/retry";
import { scopeOf } from "../services";
import { RetryMessageSchema } from "../services/retry-queue";

export async function handleRetryBatch(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
  const { services, rules } = scopeOf(env);
  const defer = (p: Promise<unknown>) => ctx.waitUntil(p);
  // Messages are independent leads: run their rounds concurrently, so a batch takes as long as its
  // slowest auction rather than the sum of them.
  await Promise.all(
    batch.messages.map(async (msg) => {
      const parsed = RetryMessageSchema.safeParse(msg.body);
      if (!parsed.success) {
        log("retry_message_invalid", { id: msg.id }, "warn");
        msg.ack();
        return;
      }
      const { leadId } = parsed.data;
      try {
        const next = await retryStoredLead(services, await rules(), leadId, msg.attempts, defer);
        if (next === "done") msg.ack();
        else msg.retry({ delaySeconds: next.retryInS });
      } catch (err) {
        log("retry_failed", { lead_id: leadId, error: (err as Error).message.slice(0, 200) }, "error");
        msg.retry({ delaySeconds: 30 });
      }
    }),
  );
}
