// A lead read back: its summary (the lead and its sales, what an answer is shaped from), its trace
// rows (events, pings, posts), and the operator's full trace built from both (GET /admin/leads/{id},
// the console). A read model: plain data, no HTTP.
import { and, asc, eq } from "drizzle-orm";
import { responseFromSummary, type LeadSummary } from "../lead/response";
import type { Rules } from "../rules/model";
import type { Db } from "./client";
import { isoOf, parseDetail } from "./format";
import * as t from "./schema";

/** The outcomes a trace's pings and posts can have (for the answer's schema). */
export const PING_OUTCOMES = t.pings.outcome.enumValues;
export const POST_OUTCOMES = t.posts.outcome.enumValues;

/** The lead and its sales, in one batch. */
export async function leadSummary(db: Db, leadId: string): Promise<LeadSummary | undefined> {
  const [leadRows, saleRows] = await db.batch([
    db.select().from(t.leads).where(eq(t.leads.id, leadId)),
    db
      .select({
        contractId: t.posts.contractId,
        buyerId: t.buyers.id,
        buyerName: t.buyers.name,
        priceCents: t.posts.priceCents,
        payoutCents: t.posts.payoutCents,
      })
      .from(t.posts)
      .innerJoin(t.contracts, eq(t.contracts.id, t.posts.contractId))
      .innerJoin(t.buyers, eq(t.buyers.id, t.contracts.buyerId))
      .where(and(eq(t.posts.leadId, leadId), eq(t.posts.outcome, "accepted")))
      .orderBy(asc(t.posts.createdAt)),
  ]);
  const lead = leadRows[0];
  return lead ? { lead, sales: saleRows } : undefined;
}

export interface TraceRows {
  events: (typeof t.leadEvents.$inferSelect)[];
  pings: (typeof t.pings.$inferSelect)[];
  posts: (typeof t.posts.$inferSelect)[];
}

/** A lead's events, pings and posts, in order, in one batch. */
export async function traceRows(db: Db, leadId: string): Promise<TraceRows> {
  const [events, pings, posts] = await db.batch([
    db.select().from(t.leadEvents).where(eq(t.leadEvents.leadId, leadId)).orderBy(asc(t.leadEvents.at), asc(t.leadEvents.id)),
    db.select().from(t.pings).where(eq(t.pings.leadId, leadId)).orderBy(asc(t.pings.createdAt)),
    db.select().from(t.posts).where(eq(t.posts.leadId, leadId)).orderBy(asc(t.posts.createdAt)),
  ]);
  return { events, pings, posts };
}

const NO_PAGES = { successUrl: null, failureUrl: null };

/** A lead's whole trace for an operator, or null: its summary, then its trace rows (two batches). */
export async function fullTrace(db: Db, rules: Rules, id: string) {
  const summary = await leadSummary(db, id);
  if (!summary) return null;
  const source = rules.sourcesById.get(summary.lead.sourceId) ?? NO_PAGES;
  const trace = await traceRows(db, summary.lead.id);
  const buyerOf = (contractId: string) => rules.contractsById.get(contractId)?.buyerName ?? null;
  return {
    ...responseFromSummary(source, summary),
    source: summary.lead.sourceId,
    campaign: summary.lead.campaignId,
    received_at: isoOf(summary.lead.createdAt),
    final_at: summary.lead.finalAt ? isoOf(summary.lead.finalAt) : null,
    retries: summary.lead.attempts,
    trace: {
      events: trace.events.map((e) => ({ at: isoOf(e.at), kind: e.kind, detail: parseDetail(e.detail) })),
      pings: trace.pings.map((p) => ({
        attempt: p.attempt,
        contract: p.contractId,
        buyer: buyerOf(p.contractId),
        outcome: p.outcome,
        reason: p.reason,
        latency_ms: p.latencyMs,
        bid: p.bidCents === null ? null : p.bidCents / 100,
        effective_bid: p.effectiveCents === null ? null : p.effectiveCents / 100,
      })),
      posts: trace.posts.map((p) => ({
        attempt: p.attempt,
        contract: p.contractId,
        buyer: buyerOf(p.contractId),
        outcome: p.outcome,
        reason: p.reason,
        http_status: p.httpStatus,
        latency_ms: p.latencyMs,
        price: p.priceCents / 100,
      })),
    },
  };
}
export type FullTrace = NonNullable<Awaited<ReturnType<typeof fullTrace>>>;
