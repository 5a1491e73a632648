// Returns and feedback. Buyers: POST /v1/returns and POST /v1/feedback, signed with the contract's
// key. Admins: GET /admin/returns (the queue of pending ones, or decided ones), POST /admin/returns
// (on a buyer's behalf) and POST /admin/returns/{id}/approve|deny.
// The rules and the money are in src/pipeline/returns.ts and src/returns/policy.ts.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { POSITIVE_OUTCOMES } from "../../auction/quality";
import { decidePendingReturn, fileReturn, ReturnRefused, type ReturnRow } from "../../pipeline/returns";
import { centsToDollars } from "../../lib/money";
import type { Contract } from "../../rules/model";
import { principalOf, SIGNED_BY_BUYER } from "../auth";
import { boughtBy } from "../buyer-auth";
import { router, type AppEnv } from "../context";
import { ApiError, errorResponses, parsedOr422 } from "../errors";

const ReturnRequestSchema = z.object({
  lead_id: z.string().max(64),
  reason: z.string().min(1).max(64).describe("one of the contract's return reasons"),
  note: z.string().max(500).optional(),
});

const ReturnSchema = z
  .object({
    return_id: z.string(),
    lead_id: z.string(),
    contract: z.string(),
    status: z.enum(["pending", "approved", "denied"]).describe("approved: credited; pending: waiting for an admin"),
    reason: z.string(),
    credit: z.number().describe("dollars credited to the buyer when approved"),
    clawback: z.number().describe("dollars taken back from the source when approved"),
  })
  .openapi("Return");

export const FEEDBACK_OUTCOMES = [...POSITIVE_OUTCOMES, "no_answer", "bad_data", "not_interested", "duplicate"] as const;
const FeedbackSchema = z.object({ lead_id: z.string().max(64), outcome: z.enum(FEEDBACK_OUTCOMES) });

const answer = (r: ReturnRow) => ({
  return_id: r.id,
  lead_id: r.lead_id,
  contract: r.contract_id,
  status: r.status,
  reason: r.reason,
  credit: centsToDollars(r.price_cents),
  clawback: centsToDollars(r.clawback_cents),
});

async function file(c: Context<AppEnv>, contract: Contract, body: z.infer<typeof ReturnRequestSchema>, by: "buyer" | "admin") {
  const sale = await boughtBy(c, body.lead_id, contract.id);
  try {
    return answer(
      await fileReturn(c.var.services, c.var.rules, {
        leadId: body.lead_id,
        contract,
        sale,
        reason: body.reason,
        note: body.note ?? null,
        by,
      }),
    );
  } catch (err) {
    if (err instanceof ReturnRefused)
      throw new ApiError(
        err.refusal.status,
        err.refusal.code,
        err.refusal.message,
        err.refusal.code === "reason_not_allowed" ? [{ path: "reason", message: err.refusal.message }] : [],
      );
    throw err;
  }
}

const returnErrors = {
  ...errorResponses(401, 404, 409, 413, 422),
};

export const buyerReturnRoute = createRoute({
  method: "post",
  path: "/v1/returns",
  security: [{ BuyerSignature: [] }],
  operationId: "createReturn",
  tags: ["leads"],
  summary: "A buyer returns a lead it bought (signed with the contract's key)",
  description: `Body: \`{lead_id, reason, note?}\`. ${SIGNED_BY_BUYER} Errors: 404 not bought under this contract, 409 already_returned, 422 reason_not_allowed / return_window_closed / return_cap_reached / returns_not_allowed.`,
  responses: {
    200: { description: "The return and its status", content: { "application/json": { schema: ReturnSchema } } },
    ...returnErrors,
  },
});

export const buyerFeedbackRoute = createRoute({
  method: "post",
  path: "/v1/feedback",
  security: [{ BuyerSignature: [] }],
  operationId: "createFeedback",
  tags: ["leads"],
  summary: "A buyer's outcome for a lead it bought: contacted, converted, bad_data… (signed)",
  description: `Body: \`{lead_id, outcome}\`. ${SIGNED_BY_BUYER} Feeds the contract's quality score.`,
  responses: {
    200: {
      description: "Recorded",
      content: { "application/json": { schema: z.object({ lead_id: z.string(), outcome: z.string(), recorded: z.boolean() }) } },
    },
    ...errorResponses(401, 404, 413, 422),
  },
});

export const adminReturnRoute = createRoute({
  method: "post",
  path: "/admin/returns",
  operationId: "adminCreateReturn",
  tags: ["admin"],
  summary: "Return a lead on a buyer's behalf",
  security: [{ AdminToken: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: ReturnRequestSchema.extend({ contract_id: z.string().max(64) }) } } },
  },
  responses: {
    200: { description: "The return and its status", content: { "application/json": { schema: ReturnSchema } } },
    ...returnErrors,
  },
});

const decideRoute = (action: "approve" | "deny") =>
  createRoute({
    method: "post",
    path: `/admin/returns/{id}/${action}`,
    operationId: `${action}Return`,
    tags: ["admin"],
    summary:
      action === "approve" ? "Approve a pending return (credits the buyer, claws back per the source's setting)" : "Deny a pending return",
    security: [{ AdminToken: [] }],
    request: {
      params: z.object({
        id: z
          .string()
          .max(64)
          .openapi({ param: { name: "id", in: "path" } }),
      }),
    },
    responses: {
      200: { description: "The decided return", content: { "application/json": { schema: ReturnSchema } } },
      ...errorResponses(401, 404, 409),
    },
  });

const ListedReturnSchema = ReturnSchema.extend({
  source: z.string(),
  campaign: z.string(),
  note: z.string().nullable(),
  requested_by: z.enum(["buyer", "admin"]),
  requested_at: z.string().describe("ISO 8601 UTC"),
  decided_at: z.string().nullable(),
}).openapi("ListedReturn");

export const listReturnsRoute = createRoute({
  method: "get",
  path: "/admin/returns",
  operationId: "listReturns",
  tags: ["admin"],
  summary: "Returns: the ones waiting for a decision (oldest first), or the decided ones (newest first)",
  security: [{ AdminToken: [] }],
  request: {
    query: z.object({
      status: z.enum(["pending", "approved", "denied"]).default("pending"),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      after: z.string().max(64).optional().describe("the last return_id of the previous page"),
    }),
  },
  responses: {
    200: {
      description: "Returns",
      content: { "application/json": { schema: z.object({ items: z.array(ListedReturnSchema), next_after: z.string().nullable() }) } },
    },
    ...errorResponses(401, 404, 422),
  },
});

export const returnRoutes = router();

returnRoutes.openapi(listReturnsRoute, async (c) => {
  const q = c.req.valid("query");
  const rows = await c.var.services.records.returns.list({ status: q.status, limit: q.limit, after: q.after });
  const items = rows.map((r) => ({
    ...answer(r),
    source: r.source_id,
    campaign: r.campaign_id,
    note: r.note,
    requested_by: r.requested_by,
    requested_at: new Date(r.created_at).toISOString(),
    decided_at: r.decided_at === null ? null : new Date(r.decided_at).toISOString(),
  }));
  return c.json({ items, next_after: rows.length === q.limit ? rows[rows.length - 1]!.id : null }, 200);
});

returnRoutes.openapi(buyerReturnRoute, async (c) => {
  const { contract, body } = principalOf(c, "buyer");
  return c.json(await file(c, contract, parsedOr422(ReturnRequestSchema, body), "buyer"), 200);
});

returnRoutes.openapi(buyerFeedbackRoute, async (c) => {
  const { contract, body } = principalOf(c, "buyer");
  const f = parsedOr422(FeedbackSchema, body);
  await boughtBy(c, f.lead_id, contract.id);
  await c.var.services.records.returns.recordFeedback(f.lead_id, contract.id, f.outcome, Date.now());
  await c.var.services.records.recordEvents(f.lead_id, [{ kind: "feedback", detail: { contract: contract.id, outcome: f.outcome } }]);
  return c.json({ lead_id: f.lead_id, outcome: f.outcome, recorded: true }, 200);
});

returnRoutes.openapi(adminReturnRoute, async (c) => {
  const body = c.req.valid("json");
  const contract = c.var.rules.contractsById.get(body.contract_id);
  if (!contract) throw new ApiError(404, "not_found", "no active contract with that id");
  return c.json(await file(c, contract, body, "admin"), 200);
});

for (const action of ["approve", "deny"] as const)
  returnRoutes.openapi(decideRoute(action), async (c) => {
    const r = await decidePendingReturn(c.var.services, c.var.rules, c.req.valid("param").id, action === "approve" ? "approved" : "denied");
    if (r === "not_found") throw new ApiError(404, "not_found", "no such return");
    if (r === "already_decided") throw new ApiError(409, "already_decided", "this return was already approved or denied");
    return c.json(answer(r), 200);
  });
