// The retry queue's consumer: another auction round for a pending lead, against the contracts
// that have not rejected it, fallback tiers included. At-least-once delivery is assumed: the lead
// is taken with a compare-and-set (pending -> auctioning), so a redelivered message finds it taken
// or final and changes nothing; caps and buyer dedupe are idempotent per lead on top of that.
import { and, eq, inArray } from "drizzle-orm";
import { auctionRound } from "../auction/round";
import { configOf, type Env } from "../env";
import { dbOf } from "../db/client";
import { recordRound, transition } from "../db/records";
import * as t from "../db/schema";
import { buyerDedupeKeys, fingerprintsForCampaign, shardOf } from "../lead/dedupe";
import type { LeadData } from "../lead/fields";
import { retryDelaySeconds } from "../lead/state";
import { log } from "../lib/log";
import { getRules } from "../rules/cache";
import { notifyPostback } from "./postback";
import { RetryMessageSchema, type RetryMessage } from "./messages";

export async function handleRetryBatch(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
  // Messages are independent leads: run their rounds concurrently, so a batch takes as long as its
  // slowest auction rather than the sum of them.
  await Promise.all(batch.messages.map((msg) => handleRetryMessage(msg, env, ctx)));
}

async function handleRetryMessage(msg: Message<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
  const parsed = RetryMessageSchema.safeParse(msg.body);
  if (!parsed.success) {
    log("retry_message_invalid", { id: msg.id }, "warn");
    msg.ack();
    return;
  }
  try {
    const next = await retryLead(env, ctx, parsed.data, msg.attempts);
    if (next === "retry") msg.retry({ delaySeconds: await delayFor(env, parsed.data.leadId, msg.attempts) });
    else msg.ack();
  } catch (err) {
    log("retry_failed", { lead_id: parsed.data.leadId, error: (err as Error).message.slice(0, 200) }, "error");
    msg.retry({ delaySeconds: 30 });
  }
}

async function delayFor(env: Env, leadId: string, attempts: number): Promise<number> {
  const db = dbOf(env.DB);
  const [lead] = await db.select({ campaignId: t.leads.campaignId }).from(t.leads).where(eq(t.leads.id, leadId));
  const rules = await getRules(env.DB, configOf(env).RULES_TTL_MS);
  const base = (lead && rules.campaignsById.get(lead.campaignId)?.retryBaseDelayS) ?? 30;
  return retryDelaySeconds(base, attempts + 1);
}

/** One retry round. "retry": schedule another; "done": the lead is final or was not ours to touch. */
export async function retryLead(env: Env, ctx: ExecutionContext, msg: RetryMessage, deliveries: number): Promise<"retry" | "done"> {
  const config = configOf(env);
  const db = dbOf(env.DB);
  const [lead] = await db.select().from(t.leads).where(eq(t.leads.id, msg.leadId));
  if (!lead || lead.status !== "pending") return "done"; // final already, or a redelivery
  if (!(await transition(db, lead.id, "auctioning"))) return "done"; // another consumer took it

  const rules = await getRules(env.DB, config.RULES_TTL_MS);
  const campaign = rules.campaignsById.get(lead.campaignId);
  const source = rules.sourcesById.get(lead.sourceId);
  if (!campaign || !source) {
    await transition(db, lead.id, "unsold", "campaign or source no longer active");
    return "done";
  }
  const lead_ = JSON.parse(lead.data) as LeadData;
  const fps = await fingerprintsForCampaign(campaign, lead_);
  const contracts = rules.contractsByCampaign.get(campaign.id) ?? [];
  // Contracts that already answered this lead for good are not tried again; ones that failed
  // transiently (error, timeout) or had no cap headroom may be.
  const earlier = await db
    .select({ contractId: t.posts.contractId })
    .from(t.posts)
    .where(and(eq(t.posts.leadId, lead.id), inArray(t.posts.outcome, ["accepted", "rejected", "duplicate"])));
  const exclude = new Set(earlier.map((p) => p.contractId));
  const keys = buyerDedupeKeys(contracts);
  const held = await Promise.all(fps.map((fp) => shardOf(env, config.DEDUPE_SHARDS, fp.hash).claimAndCheck(null, fp.hash, keys)));
  const alreadyBought = new Set(held.flatMap((h) => h.held));

  const round = await auctionRound({
    env,
    config,
    campaign,
    source,
    contracts,
    leadId: lead.id,
    lead: lead_,
    fingerprints: fps,
    alreadyBought,
    exclude,
    includeFallback: true,
    retriesDone: lead.attempts + 1,
    createdAt: lead.createdAt,
    defer: (p) => ctx.waitUntil(p),
  });
  await recordRound(db, round.record);
  log("lead_retried", { lead_id: lead.id, delivery: deliveries, status: round.status, ...round.result.summary });
  if (round.status !== "pending") {
    await notifyPostback(env, source, lead.id);
    return "done";
  }
  return "retry";
}
