// GET /v1/leads/:id — a lead's status and its whole lifecycle trace, for the source that sent it.
import { Hono } from "hono";
import type { Env } from "../../env";
import { dbOf } from "../../db/client";
import { leadSummary, leadTrace } from "../../db/records";
import { responseFromSummary } from "../../lead/ingest";
import { requireSourceKey } from "../auth";
import { ApiError } from "../errors";

export const leadsGet = new Hono<{ Bindings: Env }>();

const parseDetail = (d: string | null): unknown => {
  if (d === null) return null;
  try {
    return JSON.parse(d);
  } catch {
    return d;
  }
};

leadsGet.get("/v1/leads/:id", async (c) => {
  const { source, rules } = await requireSourceKey(c);
  const db = dbOf(c.env.DB);
  const summary = await leadSummary(db, c.req.param("id"));
  // Another source's lead is reported as missing, not forbidden: ids are not an oracle.
  if (!summary || summary.lead.sourceId !== source.id) throw new ApiError(404, "not_found", "no such lead");
  const trace = await leadTrace(db, summary.lead.id);
  const buyerOf = (contractId: string) => rules.contractsById.get(contractId)?.buyerName ?? null;
  return c.json({
    ...responseFromSummary(source, summary),
    received_at: new Date(summary.lead.createdAt).toISOString(),
    final_at: summary.lead.finalAt ? new Date(summary.lead.finalAt).toISOString() : null,
    retries: summary.lead.attempts,
    trace: {
      events: trace.events.map((e) => ({ at: new Date(e.at).toISOString(), kind: e.kind, detail: parseDetail(e.detail) })),
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
  });
});
