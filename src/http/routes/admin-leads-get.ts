// GET /admin/leads/{id} — a lead's whole lifecycle trace for an operator: every ping with its bid,
// adjustment and raw failure reason, every post. (A source sees only its own outcome: leads-get.ts.)
import { createRoute, z } from "@hono/zod-openapi";
import { PING_OUTCOMES, POST_OUTCOMES } from "../../db/trace";
import { LeadResponseSchema } from "../../lead/response";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";
import { iso } from "../trace";

const AdminLeadTraceSchema = LeadResponseSchema.extend({
  source: z.string(),
  campaign: z.string(),
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
        outcome: z.enum(PING_OUTCOMES),
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
        outcome: z.enum(POST_OUTCOMES),
        reason: z.string().nullable(),
        http_status: z.number().int().nullable(),
        latency_ms: z.number().int().nullable(),
        price: z.number().describe("dollars"),
      }),
    ),
  }),
}).openapi("AdminLeadTrace");

export const adminGetLeadRoute = createRoute({
  method: "get",
  path: "/admin/leads/{id}",
  operationId: "adminGetLead",
  tags: ["admin"],
  summary: "A lead's full trace: every ping, bid and post",
  security: [{ AdminToken: [] }],
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: "id", in: "path" }, example: "ld_01M7Z1TKM1ZGVCH7CJP5KPPFJ1" }),
    }),
  },
  responses: {
    200: { description: "The lead's answer plus its full trace", content: { "application/json": { schema: AdminLeadTraceSchema } } },
    ...errorResponses(401, 404, 422, 503),
  },
});

export const adminLeadsGet = router();

adminLeadsGet.openapi(adminGetLeadRoute, async (c) => {
  const trace = await c.var.services.records.fullTrace(c.var.rules, c.req.valid("param").id);
  if (!trace) throw new ApiError(404, "not_found", "no such lead");
  return c.json(trace, 200);
});
