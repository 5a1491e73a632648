// A subscription's deliveries: POST /admin/webhooks/{id}/test (a `webhook.test` event to it alone),
// GET /admin/webhooks/{id}/deliveries (the delivery log: each delivery with every attempt, its answer,
// latency and next retry) and POST /admin/webhooks/{id}/deliveries/{delivery_id}/retry ("send again":
// a delivered or failed delivery goes out again with a new day of retries, under the same event id).
import { createRoute, z } from "@hono/zod-openapi";
import { testEvent } from "../../events/bodies";
import { isoOrNull } from "../../lib/time";
import { newId } from "../../lib/ids";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";
import { webhookIdParam } from "./admin-webhooks";

const ADMIN = { tags: ["admin", "webhooks"], security: [{ AdminToken: [] }] };

const AttemptSchema = z.object({
  attempt: z.number().int(),
  outcome: z.enum(["delivered", "retry", "failed"]),
  http_status: z.number().int().nullable().describe("the receiver's answer; null: no answer (timeout, connection error)"),
  error: z.string().nullable().describe("why it did not count as delivered (with the first 200 characters of the answer)"),
  latency_ms: z.number().int(),
  next_attempt_at: z.string().nullable().describe("when it is tried again (outcome retry)"),
  at: z.string(),
});

const DeliverySchema = z
  .object({
    id: z.string(),
    event_id: z.string().describe("the event's id: the receiver's idempotency key, the same on every attempt"),
    type: z.string(),
    lead_id: z.string().nullable(),
    sequence: z.number().int().nullable(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    next_attempt_at: z.string().nullable(),
    last_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    delivered_at: z.string().nullable(),
    log: z.array(AttemptSchema),
  })
  .openapi("WebhookDelivery");

const LogQuery = z.object({
  status: z.enum(["pending", "delivered", "failed"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,15}\.wd_[0-9a-f]{1,64}$/)
    .optional()
    .openapi({ description: "the next page: the previous page's next_cursor" }),
});

const testRoute = createRoute({
  method: "post",
  path: "/admin/webhooks/{id}/test",
  operationId: "testWebhook",
  ...ADMIN,
  summary: "Send the subscription a webhook.test event (through the queue, signed like any other)",
  request: { params: webhookIdParam },
  responses: {
    202: {
      description: "Queued: follow it in the delivery log",
      content: { "application/json": { schema: z.object({ event_id: z.string(), delivery_id: z.string() }) } },
    },
    ...errorResponses(401, 404, 503),
  },
});

const logRoute = createRoute({
  method: "get",
  path: "/admin/webhooks/{id}/deliveries",
  operationId: "listWebhookDeliveries",
  ...ADMIN,
  summary: "The delivery log: deliveries, newest first, each with every attempt",
  request: { params: webhookIdParam, query: LogQuery },
  responses: {
    200: {
      description: "A page of deliveries",
      content: { "application/json": { schema: z.object({ deliveries: z.array(DeliverySchema), next_cursor: z.string().nullable() }) } },
    },
    ...errorResponses(401, 404, 422),
  },
});

const retryRoute = createRoute({
  method: "post",
  path: "/admin/webhooks/{id}/deliveries/{delivery_id}/retry",
  operationId: "retryWebhookDelivery",
  ...ADMIN,
  summary: "Send again: the delivery goes out again now (same event id), with a new day of retries",
  request: {
    params: webhookIdParam.extend({
      delivery_id: z
        .string()
        .max(64)
        .openapi({ param: { name: "delivery_id", in: "path" } }),
    }),
  },
  responses: {
    202: {
      description: "Queued",
      content: { "application/json": { schema: z.object({ delivery_id: z.string(), status: z.literal("pending") }) } },
    },
    ...errorResponses(401, 404),
  },
});

export const adminWebhookDeliveries = router();

adminWebhookDeliveries.openapi(testRoute, async (c) => {
  const { records, events } = c.var.services;
  const id = c.req.valid("param").id;
  if (!(await records.webhooks.get(id))) throw new ApiError(404, "not_found", "no such webhook subscription");
  const event = testEvent(newId("evt"), id, Date.now());
  const deliveryId = await events.test(event, id);
  if (!deliveryId) throw new ApiError(404, "not_found", "no such webhook subscription");
  return c.json({ event_id: event.id, delivery_id: deliveryId }, 202);
});

adminWebhookDeliveries.openapi(logRoute, async (c) => {
  const id = c.req.valid("param").id;
  const q = c.req.valid("query");
  const { records } = c.var.services;
  if (!(await records.webhooks.get(id))) throw new ApiError(404, "not_found", "no such webhook subscription");
  const page = await records.webhooks.deliveryLog(id, {
    limit: q.limit,
    after: q.cursor ? { at: Number(q.cursor.slice(0, q.cursor.indexOf("."))), id: q.cursor.slice(q.cursor.indexOf(".") + 1) } : null,
    status: q.status ?? null,
  });
  const deliveries = page.deliveries.map((d) => ({
    id: d.id,
    event_id: d.event_id,
    type: d.type,
    lead_id: d.lead_id,
    sequence: d.sequence,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === "pending" ? isoOrNull(d.next_attempt_at) : null,
    last_status: d.last_status,
    last_error: d.last_error,
    created_at: new Date(d.created_at).toISOString(),
    delivered_at: isoOrNull(d.delivered_at),
    log: page.attempts
      .filter((a) => a.delivery_id === d.id)
      .map(({ delivery_id: _, ...a }) => ({ ...a, next_attempt_at: isoOrNull(a.next_attempt_at), at: new Date(a.at).toISOString() })),
  }));
  const last = page.deliveries.at(-1);
  const next_cursor = page.deliveries.length === q.limit && last ? `${last.created_at}.${last.id}` : null;
  return c.json({ deliveries, next_cursor }, 200);
});

adminWebhookDeliveries.openapi(retryRoute, async (c) => {
  const { id, delivery_id } = c.req.valid("param");
  const { records, events } = c.var.services;
  if (!(await records.webhookDeliveries.sendAgain(id, delivery_id, Date.now())))
    throw new ApiError(404, "not_found", "no such delivery for this subscription");
  await events.enqueue([delivery_id]);
  return c.json({ delivery_id, status: "pending" as const }, 202);
});
