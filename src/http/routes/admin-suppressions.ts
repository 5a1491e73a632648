// POST /admin/suppressions — adds a consumer (phone and/or email) to the suppression list. The
// fingerprint is computed here, with the Worker's pepper, so admins never need the pepper and the
// number itself is never stored.
import { createRoute, z } from "@hono/zod-openapi";
import { normalizePhone } from "../../lead/fields";
import { fingerprintHash } from "../../lead/fingerprints";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";

const SuppressionRequestSchema = z
  .object({
    phone: z.string().max(40).optional().describe("any common format; stored as the fingerprint of its E.164 form"),
    email: z.email().max(254).optional(),
    reason: z.string().min(1).max(200).describe("e.g. do-not-call, opt-out, erasure request"),
  })
  .refine((b) => b.phone !== undefined || b.email !== undefined, { message: "give a phone, an email or both", path: ["phone"] })
  .openapi("SuppressionRequest");

const SuppressionResultSchema = z
  .object({ suppressed: z.array(z.object({ kind: z.enum(["phone", "email"]), added: z.boolean().describe("false: it was already suppressed") })) })
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
  const pepper = c.var.config.FINGERPRINT_PEPPER;
  const entries: { hash: string; kind: "phone" | "email"; reason: string }[] = [];
  if (body.phone !== undefined) {
    const e164 = normalizePhone(body.phone);
    if (!e164) throw new ApiError(422, "validation_failed", "not a valid phone number", [{ path: "phone", message: "must be a valid phone number" }]);
    entries.push({ kind: "phone", hash: await fingerprintHash("phone", e164, pepper), reason: body.reason });
  }
  if (body.email !== undefined) entries.push({ kind: "email", hash: await fingerprintHash("email", body.email.trim().toLowerCase(), pepper), reason: body.reason });
  const added = await c.var.services.records.suppress(entries);
  return c.json({ suppressed: entries.map((e, i) => ({ kind: e.kind, added: added[i] ?? false })) }, 200);
});
