// What the views of a lead's trace share (a source's, and an operator's in the API and the console),
// and the operator's full trace itself.
import { z } from "@hono/zod-openapi";
import type { Records } from "../db/records";
import { responseFromSummary } from "../lead/response";
import type { Rules } from "../rules/model";

export const iso = z.string().describe("ISO 8601 UTC");

export const isoOf = (ms: number) => new Date(ms).toISOString();

/** An event's stored JSON detail, or the raw text if it is not JSON. */
export const parseDetail = (d: string | null): unknown => {
  if (d === null) return null;
  try {
    return JSON.parse(d) as unknown;
  } catch {
    return d;
  }
};

const NO_PAGES = { successUrl: null, failureUrl: null };

/** A lead's whole trace for an operator (GET /admin/leads/{id}, the console), or null. */
export async function fullTrace(rules: Rules, records: Records, id: string) {
  const summary = await records.summary(id);
  if (!summary) return null;
  const source = rules.sourcesById.get(summary.lead.sourceId) ?? NO_PAGES;
  const trace = await records.trace(summary.lead.id);
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
