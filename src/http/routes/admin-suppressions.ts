// POST /admin/suppressions — adds a consumer (phone and/or email) to the suppression list. The
// fingerprint is computed here, with the Worker's pepper, so admins never need the pepper and the
// number itself is never stored. GET /admin/suppressions lists the list: fingerprints, kinds, reasons.
import { createRoute, z } from "@hono/zod-openapi";
import { consumerFingerprints, type Fingerprint } from "../../lead/fingerprints";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";

/** A consumer named by phone and/or email, as fingerprints; 422 for a phone that is not one. */
export async function fingerprintsOrFail(who: { phone?: string; email?: string }, pepper: string | undefined): Promise<Fingerprint[]> {
  const r = await consumerFingerprints(who, pepper);
  if (!r.ok)
    throw new ApiError(422, "validation_failed", "not a valid phone number", [{ path: "phone", message: "must be a valid phone number" }]);
  return r.fingerprints;
}

const SuppressionRequestSchema = z
  .object({
    phone: z.string().max(40).optional().describe("any common format; stored as the fingerprint of its E.164 form"),
    email: z.email().max(254).optional(),
    reason: z.string().min(1).max(200).describe("e.g. do-not-call, opt-out, erasure request"),
  })
  .refine((b) => b.phone !== undefined || b.email !== undefined, { message: "give a phone, an email or both", path: ["phone"] })
  .openapi("SuppressionRequest");

const SuppressionResultSchema = z
  .object({
    suppressed: z.array(z.object({ kind: z.enum(["phone", "email"]), added: z.boolean().describe("false: it was already suppressed") })),
  })
  .openapi("SuppressionResult");

export const adminSuppressionsRoute = createRoute({
  method: "post",
  path: "/admin/suppressions",
  operationId: "addSuppression",
  tags: ["admin"],
  summary: "Suppress a consumer: every later lead with this phone or email is rejected",
  security: [{ AdminToken: [] }],
  request: { body: { required: true, content: { "application/json": { schema: SuppressionRequestSchema } } } },
  responses: {
    200: { description: "What was added", content: { "application/json": { schema: SuppressionResultSchema } } },
    ...errorResponses(401, 404, 422, 503),
  },
});

export const adminSuppressions = router();

adminSuppressions.openapi(adminSuppressionsRoute, async (c) => {
  const body = c.req.valid("json");
  const entries = (await fingerprintsOrFail(body, c.var.config.FINGERPRINT_PEPPER)).map((f) => ({ ...f, reason: body.reason }));
  const added = await c.var.services.records.suppress(entries);
  return c.json({ suppressed: entries.map((e, i) => ({ kind: e.kind, added: added[i] ?? false })) }, 200);
});

const ListedSuppressionSchema = z
  .object({
    hash: z.string().describe("the consumer's fingerprint (never the number or the address)"),
    kind: z.enum(["phone", "email"]),
    reason: z.string(),
    created_at: z.string().describe("ISO 8601 UTC"),
  })
  .openapi("ListedSuppression");

export const listSuppressionsRoute = createRoute({
  method: "get",
  path: "/admin/suppressions",
  operationId: "listSuppressions",
  tags: ["admin"],
  summary: "The suppression list, newest first",
  security: [{ AdminToken: [] }],
  request: {
    query: z.object({
      kind: z.enum(["phone", "email"]).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      before: z.coerce.number().int().optional().describe("entries added before this epoch ms (the previous page's next_before)"),
    }),
  },
  responses: {
    200: {
      description: "Entries",
      content: {
        "application/json": { schema: z.object({ items: z.array(ListedSuppressionSchema), next_before: z.number().int().nullable() }) },
      },
    },
    ...errorResponses(401, 404, 422),
  },
});

adminSuppressions.openapi(listSuppressionsRoute, async (c) => {
  const q = c.req.valid("query");
  const rows = await c.var.services.records.suppressions.list({ kind: q.kind, limit: q.limit, before: q.before });
  const items = rows.map((r) => ({ hash: r.hash, kind: r.kind, reason: r.reason, created_at: new Date(r.createdAt).toISOString() }));
  return c.json({ items, next_before: rows.length === q.limit ? rows[rows.length - 1]!.createdAt : null }, 200);
});
