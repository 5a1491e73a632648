// The retry queue's messages: what a producer (services/index.ts, scheduleRetry and enqueue) sends and
// the consumers (queues/) read. Besides a lead's next round, the queue carries an erasure's follow-up
// work, retried with backoff like a round: a deletion notice to a buyer, and a second pass over the
// erased leads' free text (for rows a round in flight wrote after the erasure); and a resale offer's round.
import * as z from "zod";

const LeadId = z.string().min(1).max(64);

/** A lead to run another auction round for. Validated on receipt: queues are an input too. */
export const RetryMessageSchema = z.object({ leadId: LeadId });
export type RetryMessage = z.infer<typeof RetryMessageSchema>;

/** A buyer that bought an erased consumer is told so (src/pipeline/deletion-notice.ts). */
export const DeletionNoticeMessageSchema = z.object({
  kind: z.literal("deletion_notice"),
  leadId: LeadId,
  contractId: z.string().min(1).max(64),
  buyerLeadId: z.string().max(200).nullable(),
});
export type DeletionNoticeMessage = z.infer<typeof DeletionNoticeMessageSchema>;

/** The erased leads' free text, redacted once more after any round in flight is over. */
export const ErasureSweepMessageSchema = z.object({ kind: z.literal("erasure_sweep"), leadIds: z.array(LeadId).min(1).max(1000) });
export type ErasureSweepMessage = z.infer<typeof ErasureSweepMessageSchema>;

/** A resale offer that came due (src/pipeline/resale.ts); `at`: when the cron queued it (judged no earlier). */
export const ResaleMessageSchema = z.object({ kind: z.literal("resale"), resaleId: z.string().min(1).max(64), at: z.number().int() });
export type ResaleMessage = z.infer<typeof ResaleMessageSchema>;

export type QueueTask = DeletionNoticeMessage | ErasureSweepMessage | ResaleMessage;
