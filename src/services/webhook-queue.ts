// The webhook queue's message: a delivery to attempt (src/queues/webhook-consumer.ts). The delivery's
// row in D1 says everything else (when it is due, how many attempts), so a message lost, repeated or
// early changes nothing: the consumer claims the row, and a message that came early is sent again.
import * as z from "zod";

export const WebhookMessageSchema = z.object({ kind: z.literal("webhook_delivery"), deliveryId: z.string().min(1).max(64) });
export type WebhookMessage = z.infer<typeof WebhookMessageSchema>;
