// The dead-letter queue's consumer: a lead whose retries are exhausted ends `unsold`, with the
// reasons from its trace, and its source is told.
import { desc, eq } from "drizzle-orm";
import { configOf, type Env } from "../env";
import { dbOf } from "../db/client";
import { recordEvents, transition } from "../db/records";
import * as t from "../db/schema";
import { log } from "../lib/log";
import { getRules } from "../rules/cache";
import { RetryMessageSchema } from "./messages";
import { notifyPostback } from "./postback";

export async function handleDeadLetterBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = dbOf(env.DB);
  for (const msg of batch.messages) {
    const parsed = RetryMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      msg.ack();
      continue;
    }
    const leadId = parsed.data.leadId;
    const lastPosts = await db
      .select({ contractId: t.posts.contractId, outcome: t.posts.outcome, reason: t.posts.reason })
      .from(t.posts)
      .where(eq(t.posts.leadId, leadId))
      .orderBy(desc(t.posts.createdAt))
      .limit(5);
    const reasons = lastPosts.map((p) => `${p.contractId}: ${p.outcome}${p.reason ? ` (${p.reason})` : ""}`);
    const reason = `retries exhausted${reasons.length ? `; last posts: ${reasons.join("; ")}` : ""}`.slice(0, 500);
    if (await transition(db, leadId, "unsold", reason)) {
      await recordEvents(db, leadId, [{ kind: "final", detail: { status: "unsold", reason, via: "dead-letter queue" } }]);
      const [lead] = await db.select({ sourceId: t.leads.sourceId }).from(t.leads).where(eq(t.leads.id, leadId));
      const source = lead && (await getRules(env.DB, configOf(env).RULES_TTL_MS)).sourcesById.get(lead.sourceId);
      if (source) await notifyPostback(env, source, leadId);
      log("lead_dead_lettered", { lead_id: leadId });
    }
    msg.ack(); // final, or already final: nothing more to do either way
  }
}
