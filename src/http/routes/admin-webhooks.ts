// /admin/webhooks — event webhook subscriptions: create (POST), list and read (GET), change (PATCH:
// URL, events, consumer data, description, status, a new secret), pause and resume, delete. The
// events are src/events/catalog.ts's list; delivery, signing and retries are docs/API.md, Webhooks.
// The test event and the delivery log are ./admin-webhook-deliveries.ts.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { WebhookSubscriptionRow } from "../../db/schema";
import { EVENT_TYPE_LIST } from "../../events/catalog";
import { urlProblem } from "../../events/delivery";
import { isoOrNull } from "../../lib/time";
import { changeSubscription, createSubscription, deleteSubscription, type ChangeInput } from "../../services/subscriptions";
import { router, type AppEnv } from "../context";
import { ApiError, errorResponses } from "../errors";

const EventsSchema = z
  .array(z.enum([...EVENT_TYPE_LIST, "*"]))
  .min(1)
  .max(EVENT_TYPE_LIST.length + 1)
  .refine((a) => new Set(a).size === a.length, { message: "name each event type once" })
  .describe('event types (docs/API.md, Webhooks), or ["*"] for all of them');

const SecretSchema = z.string().min(32).max(256).describe("signs every delivery (v3); at least 32 characters");

export const SubscriptionSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    include_pii: z.boolean().describe("its lead events carry the consumer's contact fields (docs/API.md lists them)"),
    status: z.enum(["active", "paused"]),
    description: z.string().nullable(),
    failures: z.number().int().describe("failed attempts in a row (0 after a delivery)"),
    last_error: z.string().nullable(),
    last_failure_at: z.string().nullable(),
    last_success_at: z.string().nullable(),
    previous_secret_until: z.string().nullable().describe("during a rotation: the previous secret also signs until then"),
    created_at: z.string(),
  })
  .openapi("WebhookSubscription");

const WithSecretSchema = SubscriptionSchema.extend({
  secret: z.string().describe("the signing secret: shown only here, keep it"),
}).openapi("WebhookSubscriptionWithSecret");

const CreateSchema = z
  .object({
    url: z.string().max(2048).describe("https (http to 127.0.0.1 or localhost only in development); redirects are never followed"),
    events: EventsSchema,
    secret: SecretSchema.optional().describe("omit it and one is generated (and answered once)"),
    include_pii: z.boolean().default(false),
    description: z.string().max(200).optional(),
  })
  .openapi("WebhookSubscriptionCreate");

const ChangeSchema = z
  .object({
    url: z.string().max(2048).optional(),
    events: EventsSchema.optional(),
    include_pii: z.boolean().optional(),
    description: z.string().max(200).nullable().optional(),
    status: z.enum(["active", "paused"]).optional(),
    secret: SecretSchema.optional().describe("a new secret; the previous one keeps signing for 24 hours"),
    rotate_secret: z
      .literal(true)
      .optional()
      .describe("generate a new secret (answered once); the previous one keeps signing for 24 hours"),
  })
  .refine((b) => !(b.secret && b.rotate_secret), { message: "give a secret or rotate_secret, not both", path: ["secret"] })
  .openapi("WebhookSubscriptionChange");

export const view = (r: WebhookSubscriptionRow, now = Date.now()): z.infer<typeof SubscriptionSchema> => ({
  id: r.id,
  url: r.url,
  events: JSON.parse(r.events) as string[],
  include_pii: r.includePii,
  status: r.status,
  description: r.description,
  failures: r.failures,
  last_error: r.lastError,
  last_failure_at: isoOrNull(r.lastFailureAt),
  last_success_at: isoOrNull(r.lastSuccessAt),
  previous_secret_until: r.secretPrevious && (r.secretPreviousUntil ?? 0) > now ? isoOrNull(r.secretPreviousUntil) : null,
  created_at: new Date(r.createdAt).toISOString(),
});

/** 422 naming `url` when a subscription may not point there. */
function checkedUrl(c: Context<AppEnv>, url: string): string {
  const problem = urlProblem(url, c.var.config.LEADGATE_ENV === "development");
  if (problem) throw new ApiError(422, "validation_failed", "the URL is not allowed", [{ path: "url", message: problem }]);
  return url;
}

export const webhookIdParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const ADMIN = { tags: ["admin", "webhooks"], security: [{ AdminToken: [] }] };

const createWebhookRoute = createRoute({
  method: "post",
  path: "/admin/webhooks",
  operationId: "createWebhook",
  ...ADMIN,
  summary: "Subscribe a URL to events",
  request: { body: { required: true, content: { "application/json": { schema: CreateSchema } } } },
  responses: { 201: json(WithSecretSchema, "Subscribed"), ...errorResponses(401, 404, 422, 503) },
});

const listWebhooksRoute = createRoute({
  method: "get",
  path: "/admin/webhooks",
  operationId: "listWebhooks",
  ...ADMIN,
  summary: "Every subscription, with how its deliveries are going (no secrets)",
  responses: { 200: json(z.object({ webhooks: z.array(SubscriptionSchema) }), "The subscriptions"), ...errorResponses(401, 404) },
});

const getWebhookRoute = createRoute({
  method: "get",
  path: "/admin/webhooks/{id}",
  operationId: "getWebhook",
  ...ADMIN,
  summary: "One subscription",
  request: { params: webhookIdParam },
  responses: { 200: json(SubscriptionSchema, "The subscription"), ...errorResponses(401, 404) },
});

const changeWebhookRoute = createRoute({
  method: "patch",
  path: "/admin/webhooks/{id}",
  operationId: "changeWebhook",
  ...ADMIN,
  summary: "Change a subscription: URL, events, consumer data, description, status, secret",
  request: { params: webhookIdParam, body: { required: true, content: { "application/json": { schema: ChangeSchema } } } },
  responses: {
    200: json(SubscriptionSchema.extend({ secret: z.string().optional().describe("the generated secret (rotate_secret)") }), "Changed"),
    ...errorResponses(401, 404, 422),
  },
});

const deleteWebhookRoute = createRoute({
  method: "delete",
  path: "/admin/webhooks/{id}",
  operationId: "deleteWebhook",
  ...ADMIN,
  summary: "Remove a subscription, its pending deliveries and its delivery log",
  request: { params: webhookIdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses(401, 404) },
});

const statusRoute = (action: "pause" | "resume") =>
  createRoute({
    method: "post",
    path: `/admin/webhooks/{id}/${action}`,
    operationId: `${action}Webhook`,
    ...ADMIN,
    summary:
      action === "pause"
        ? "Pause a subscription: nothing is sent; new events are not kept for it; deliveries in flight wait"
        : "Resume a paused subscription: the deliveries that waited are sent",
    request: { params: webhookIdParam },
    responses: { 200: json(SubscriptionSchema, action === "pause" ? "Paused" : "Resumed"), ...errorResponses(401, 404) },
  });

export const adminWebhooks = router();

adminWebhooks.openapi(createWebhookRoute, async (c) => {
  const b = c.req.valid("json");
  const { row, secret } = await createSubscription(c.var.services, {
    url: checkedUrl(c, b.url),
    events: b.events,
    ...(b.secret ? { secret: b.secret } : {}),
    includePii: b.include_pii,
    description: b.description ?? null,
  });
  return c.json({ ...view(row), secret }, 201);
});

adminWebhooks.openapi(listWebhooksRoute, async (c) => {
  const rows = await c.var.services.records.webhooks.list();
  return c.json({ webhooks: rows.map((r) => view(r)) }, 200);
});

adminWebhooks.openapi(getWebhookRoute, async (c) => {
  const row = await c.var.services.records.webhooks.get(c.req.valid("param").id);
  if (!row) throw new ApiError(404, "not_found", "no such webhook subscription");
  return c.json(view(row), 200);
});

adminWebhooks.openapi(changeWebhookRoute, async (c) => {
  const b = c.req.valid("json");
  const ch: ChangeInput = {
    ...(b.url !== undefined ? { url: checkedUrl(c, b.url) } : {}),
    ...(b.events !== undefined ? { events: b.events } : {}),
    ...(b.include_pii !== undefined ? { includePii: b.include_pii } : {}),
    ...(b.description !== undefined ? { description: b.description } : {}),
    ...(b.status !== undefined ? { status: b.status } : {}),
    ...(b.secret ? { secret: b.secret } : b.rotate_secret ? { secret: true as const } : {}),
  };
  const { row, secret } = await changeSubscription(c.var.services, c.req.valid("param").id, ch);
  if (!row) throw new ApiError(404, "not_found", "no such webhook subscription");
  return c.json({ ...view(row), ...(secret ? { secret } : {}) }, 200);
});

adminWebhooks.openapi(deleteWebhookRoute, async (c) => {
  if (!(await deleteSubscription(c.var.services, c.req.valid("param").id)))
    throw new ApiError(404, "not_found", "no such webhook subscription");
  return c.body(null, 204);
});

for (const action of ["pause", "resume"] as const)
  adminWebhooks.openapi(statusRoute(action), async (c) => {
    const { row } = await changeSubscription(c.var.services, c.req.valid("param").id, { status: action === "pause" ? "paused" : "active" });
    if (!row) throw new ApiError(404, "not_found", "no such webhook subscription");
    return c.json(view(row), 200);
  });
