// The dead-letter queue's consumer: a lead whose retries are exhausted ends `unsold`, with the
// reasons from its trace, its source is told and its aged tiers are scheduled; a resale offer whose round
// kept failing is given up; a deletion notice the queue gave up on is recorded
// on its lead; an erasure sweep that kept failing is logged (the leads' bodies are redacted already).
import type { Env } from "../env";
import { log } from "../lib/log";
import { noticeGaveUp } from "../pipeline/deletion-notice";
import { notifyPostback } from "../pipeline/postback";
import { offerAgedLead } from "../pipeline/resale-offers";
import { scopeOf } from "../services";
import { DeletionNoticeMessageSchema, ErasureSweepMessageSchema, ResaleMessageSchema, RetryMessageSchema } from "../services/retry-queue";

export async function handleDeadLetterBatch(batch: MessageBatch<unknown>, env: Env, ctx?: ExecutionContext): Promise<void> {
  const { services: svc, rules } = scopeOf(env, undefined, ctx && ((p) => ctx.waitUntil(p)));
  for (const msg of batch.messages) {
    const notice = DeletionNoticeMessageSchema.safeParse(msg.body);
    if (notice.success) {
      await noticeGaveUp(svc, notice.data, msg.attempts);
      msg.ack();
      continue;
    }
    const sweep = ErasureSweepMessageSchema.safeParse(msg.body);
    if (sweep.success) {
      log("erasure_sweep_gave_up", { leads: sweep.data.leadIds.length }, "error");
      msg.ack();
      continue;
    }
    const resale = ResaleMessageSchema.safeParse(msg.body);
    if (resale.success) {
      await svc.records.resale.giveUp(resale.data.resaleId, "the queue gave up on its round", Date.now());
      msg.ack();
      continue;
    }
    const parsed = RetryMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      msg.ack();
      continue;
    }
    const leadId = parsed.data.leadId;
    const lastPosts = await svc.records.lastPosts(leadId, 5);
    const reasons = lastPosts.map((p) => `${p.contractId}: ${p.outcome}${p.reason ? ` (${p.reason})` : ""}`);
    const reason = `retries exhausted${reasons.length ? `; last posts: ${reasons.join("; ")}` : ""}`.slice(0, 500);
    // Only a lead waiting for a retry: one whose round is running (another message's) records its own end.
    if (await svc.records.transition(leadId, "unsold", reason, ["pending"])) {
      await svc.records.recordEvents(leadId, [{ kind: "final", detail: { status: "unsold", reason, via: "dead-letter queue" } }]);
      const lead = await svc.records.lead(leadId);
      const source = lead && (await rules()).sourcesById.get(lead.sourceId);
      if (source) await notifyPostback(svc, source, leadId);
      await offerAgedLead(svc, await rules(), leadId, Date.now());
      await svc.events.leadEnded(leadId);
      log("lead_dead_lettered", { lead_id: leadId });
    }
    msg.ack(); // final, or already final: nothing more to do either way
  }
}
