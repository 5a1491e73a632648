// GET /v1/leads/{id} — a lead's status and its whole lifecycle trace, for the source that sent it.
import { createRoute, z } from "@hono/zod-openapi";
import * as t from "../../db/schema";
import { LeadResponseSchema, responseFromSummary } from "../../lead/response";
import { sourceByApiKey } from "../auth";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";

const iso = z.string().describe("ISO 8601 UTC");

const LeadTraceSchema = LeadResponseSchema.extend({
  received_at: iso,
  final_at: iso.nullable(),
  retries: z.number().int(),
  trace: z.object({
    events: z.array(z.object({ at: iso, kind: z.string(), detail: z.unknown().describe("what happened, by kind") })),
    pings: z.array(
      z.object({
        attempt: z.number().int().describe("0 for the live auction, then each retry round"),
        contract: z.string(),
        buyer: z.string().nullable(),
        outcome: z.enum(t.pings.outcome.enumValues),
        reason: z.string().nullable(),
        latency_ms: z.number().int().nullable(),
        bid: z.number().nullable().describe("dollars"),
        effective_bid: z.number().nullable().describe("dollars, after the contract's adjustment factor: what ranks"),
      }),
    ),
    posts: z.array(
      z.object({
        attempt: z.number().int(),
        contract: z.string(),
        buyer: z.string().nullable(),
        outcome: z.enum(t.posts.outcome.enumValues),
        reason: z.string().nullable(),
        http_status: z.number().int().nullable(),
        latency_ms: z.number().int().nullable(),
        price: z.number().describe("dollars"),
      }),
    ),
  }),
}).openapi("LeadTrace");

export const getLeadRoute = createRoute({
  method: "get",
  path: "/v1/leads/{id}",
  operationId: "getLead",
  tags: ["leads"],
  summary: "A lead's status and lifecycle trace",
  security: [{ ApiKey: [] }],
  request: { params: z.object({ id: z.string().max(64).openapi({ param: { name: "id", in: "path" }, example: "ld_01M7Z1TKM1ZGVCH7CJP5KPPFJ1" }) }) },
  responses: {
    200: { description: "The lead's answer plus its trace", content: { "application/json": { schema: LeadTraceSchema } } },
    ...errorResponses(401, 404, 422, 503),
  },
});

const parseDetail = (d: string | null): unknown => {
  if (d === null) return null;
  try {
    return JSON.parse(d);
  } catch {
    return d;
  }
};

const isoOf = (ms: number) => new Date(ms).toISOString();

export const leadsGet = router();

leadsGet.openapi(getLeadRoute, async (c) => {
  const { rules, services } = c.var;
  const source = await sourceByApiKey(rules, c.req.header("x-api-key"));
  const summary = await services.records.summary(c.req.valid("param").id);
  // Another source's lead is reported as missing, not forbidden: ids are not an oracle.
  if (!summary || summary.lead.sourceId !== source.id) throw new ApiError(404, "not_found", "no such lead");
  const trace = await services.records.trace(summary.lead.id);
  const buyerOf = (contractId: string) => rules.contractsById.get(contractId)?.buyerName ?? null;
  return c.json(
    {
      ...responseFromSummary(source, summary),
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
    },
    200,
  );
});
