// POST /admin/consumers/erase and POST /admin/consumers/export — a consumer's CCPA/GDPR requests,
// by phone and/or email in a JSON body (never in a URL, where logs would keep it), fingerprinted here
// with the Worker's pepper: the number is never stored. Erasure works on the person, not the
// identifier (src/pipeline/erasure.ts): it ends their unfinished leads as `erased`, redacts every one
// across campaigns, suppresses and forgets every fingerprint their leads share, tells the buyers that
// bought them, and says what it touched; it is idempotent. Access returns everything leadgate holds
// on the consumer.
import { createRoute, z } from "@hono/zod-openapi";
import { eraseConsumer } from "../../pipeline/erasure";
import { router } from "../context";
import { errorResponses } from "../errors";
import { deferIn } from "../submission";
import { isoOf, parseDetail } from "../trace";
import { fingerprintsOrFail } from "./admin-suppressions";

const Consumer = z
  .object({
    phone: z.string().max(40).optional().describe("any common format"),
    email: z.email().max(254).optional(),
  })
  .refine((b) => b.phone !== undefined || b.email !== undefined, { message: "give a phone, an email or both", path: ["phone"] });

const ErasureSchema = z
  .object({
    leads_redacted: z.number().int().describe("leads whose personal fields were removed by this request (0 when repeated)"),
    lead_ids: z.array(z.string()).describe("every lead of the person: found by the identifiers given and by the ones their leads share"),
    leads_erased: z.array(z.string()).describe("leads that were not finished (received, auctioning, pending) and are now `erased`"),
    sales_recorded: z.number().int().describe("sales a round made before the erasure and had not recorded yet, recorded now"),
    dedupe_records_removed: z.number().int(),
    suppressed: z
      .array(z.object({ kind: z.enum(["phone", "email"]), added: z.boolean() }))
      .describe("every fingerprint of the person, the ones given first; added: false when it was already suppressed"),
    deletion_notices: z.number().int().describe("signed notices to the buyers that bought the consumer, sent after the answer"),
  })
  .openapi("ErasureResult");

const ExportSchema = z
  .object({
    leads: z.array(
      z.object({
        lead_id: z.string(),
        campaign: z.string(),
        source: z.string(),
        status: z.string(),
        received_at: z.string(),
        data: z.unknown().describe("the lead's fields as stored"),
        consent: z.unknown().describe("the consent evidence as stored"),
        meta: z.unknown().describe("where it came from: IP, user agent, country, region, sub-id"),
        sold_to: z.array(z.object({ buyer: z.string().nullable(), contract: z.string(), price: z.number(), at: z.string() })),
      }),
    ),
    suppressed: z.boolean().describe("the consumer is on the suppression list"),
  })
  .openapi("ConsumerExport");

export const eraseRoute = createRoute({
  method: "post",
  path: "/admin/consumers/erase",
  operationId: "eraseConsumer",
  tags: ["admin"],
  summary: "Erase a consumer: end and redact their leads, drop their dedupe records, suppress them, tell their buyers",
  security: [{ AdminToken: [] }],
  request: { body: { required: true, content: { "application/json": { schema: Consumer } } } },
  responses: {
    200: { description: "What was touched", content: { "application/json": { schema: ErasureSchema } } },
    ...errorResponses(401, 404, 422, 503),
  },
});

export const exportRoute = createRoute({
  method: "post",
  path: "/admin/consumers/export",
  operationId: "exportConsumer",
  tags: ["admin"],
  summary: "Everything leadgate holds on a consumer",
  description: "A POST with a JSON body, so the phone or email is never in a URL (nor in the logs that keep URLs).",
  security: [{ AdminToken: [] }],
  request: { body: { required: true, content: { "application/json": { schema: Consumer } } } },
  responses: {
    200: { description: "The consumer's leads, sales and consent", content: { "application/json": { schema: ExportSchema } } },
    ...errorResponses(401, 404, 422, 503),
  },
});

export const adminConsumers = router();

adminConsumers.openapi(eraseRoute, async (c) => {
  const { services, config } = c.var;
  const fps = await fingerprintsOrFail(c.req.valid("json"), config.FINGERPRINT_PEPPER);
  const r = await eraseConsumer(services, c.var.rules, fps, deferIn(c));
  return c.json(
    {
      leads_redacted: r.leadsRedacted,
      lead_ids: r.leadIds,
      leads_erased: r.leadsErased,
      sales_recorded: r.salesRecorded,
      dedupe_records_removed: r.dedupeRecordsRemoved,
      suppressed: r.suppressed,
      deletion_notices: r.deletionNotices,
    },
    200,
  );
});

adminConsumers.openapi(exportRoute, async (c) => {
  const { services, rules, config } = c.var;
  const fps = await fingerprintsOrFail(c.req.valid("json"), config.FINGERPRINT_PEPPER);
  const lifecycle = services.records.lifecycle;
  const leads = await lifecycle.leadsOfConsumer(fps.map((f) => f.hash));
  const [sales, suppressed] = await Promise.all([
    lifecycle.salesOf(leads.map((l) => l.id)),
    lifecycle.isSuppressed(fps.map((f) => f.hash)),
  ]);
  return c.json(
    {
      leads: leads.map((l) => ({
        lead_id: l.id,
        campaign: rules.campaignsById.get(l.campaign_id)?.slug ?? l.campaign_id,
        source: l.source_id,
        status: l.status,
        received_at: isoOf(l.created_at),
        data: parseDetail(l.data),
        consent: parseDetail(l.consent),
        meta: parseDetail(l.meta),
        sold_to: sales
          .filter((s) => s.lead_id === l.id)
          .map((s) => ({
            buyer: rules.contractsById.get(s.contract_id)?.buyerName ?? null,
            contract: s.contract_id,
            price: s.price_cents / 100,
            at: isoOf(s.created_at),
          })),
      })),
      suppressed,
    },
    200,
  );
});
