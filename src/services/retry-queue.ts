// The retry queue's message: what a producer (services/index.ts, scheduleRetry) sends and the consumers
// (queues/) read.
import * as z from "zod";

/** A lead to run another auction round for. Validated on receipt: queues are an input too. */
export const RetryMessageSchema = z.object({ leadId: z.string().min(1).max(64) });
export type RetryMessage = z.infer<typeof RetryMessageSchema>;
