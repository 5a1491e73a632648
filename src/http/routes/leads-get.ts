// GET /v1/leads/{id} — a lead's status and timeline, for the source that sent it: its own outcome
// (status, price, payout, retries, what happened when), never other buyers' bids, adjustment
// factors, targeting, raw connection errors, another source's lead id or the suppression list's
// reason. The full trace is an admin route (admin-leads-get.ts).
import { createRoute, z } from "@hono/zod-openapi";
import { forServer, LeadResponseSchema, reasonForSource, responseFromSummary } from "../../lead/response";
import { own } from "../../lib/own";
import { sourceByApiKey } from "../auth";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";
import { iso, isoOf, parseDetail } from "../trace";

const SourceLeadTraceSchema = LeadResponseSchema.extend({
  received_at: iso,
  final_at: iso.nullable(),
  retries: z.number().int(),
  trace: z.object({
    events: z.array(
      z.object({
        at: iso,
        kind: z.string().describe("accepted, auction, retry_auction, retry_scheduled, recovered, final…"),
        status: z.string().optional(),
        reason: z.string().nullable().optional(),
        attempt: z.number().int().optional(),
      }),
    ),
  }),
}).openapi("LeadTrace");

export const getLeadRoute = createRoute({
  method: "get",
  path: "/v1/leads/{id}",
  operationId: "getLead",
  tags: ["leads"],
  summary: "A lead's status and timeline",
  security: [{ ApiKey: [] }],
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: "id", in: "path" }, example: "ld_01M7Z1TKM1ZGVCH7CJP5KPPFJ1" }),
    }),
  },
  responses: {
    200: { description: "The lead's answer plus its timeline", content: { "application/json": { schema: SourceLeadTraceSchema } } },
    ...errorResponses(401, 404, 422, 503),
  },
});

/** The parts of an event's detail a source may see. */
function sourceView(detail: unknown): { status?: string; reason?: string | null; attempt?: number } {
  if (typeof detail !== "object" || detail === null) return {};
  const d = detail as Record<string, unknown>;
  const out: { status?: string; reason?: string | null; attempt?: number } = {};
  const status = own(d, "status");
  const reason = own(d, "reason");
  const attempt = own(d, "attempt");
  if (typeof status === "string") out.status = status;
  if (typeof reason === "string" || reason === null) out.reason = reasonForSource(reason);
  if (typeof attempt === "number") out.attempt = attempt;
  return out;
}

export const leadsGet = router();

leadsGet.openapi(getLeadRoute, async (c) => {
  const { rules, services } = c.var;
  const source = await sourceByApiKey(rules, c.req.header("x-api-key"));
  const summary = await services.records.summary(c.req.valid("param").id);
  // Another source's lead is reported as missing, not forbidden: ids are not an oracle.
  if (!summary || summary.lead.sourceId !== source.id) throw new ApiError(404, "not_found", "no such lead");
  const [trace, answer] = await Promise.all([
    services.records.trace(summary.lead.id),
    forServer(responseFromSummary(source, summary), source.id, services.records),
  ]);
  return c.json(
    {
      ...answer,
      received_at: isoOf(summary.lead.createdAt),
      final_at: summary.lead.finalAt ? isoOf(summary.lead.finalAt) : null,
      retries: summary.lead.attempts,
      trace: { events: trace.events.map((e) => ({ at: isoOf(e.at), kind: e.kind, ...sourceView(parseDetail(e.detail)) })) },
    },
    200,
  );
});
