// GET /admin/reports/scrubs — what the scrub and validation connectors did and cost, per campaign and
// scrub, over ?from=&to=: checks, paid calls, answers reused from the cache, listed consumers, vendor
// failures and the cost (each call at its scrub's cost_cents).
import { createRoute, z } from "@hono/zod-openapi";
import { centsToDollars } from "../../lib/money";
import { router } from "../context";
import { errorResponses } from "../errors";
import { RangeQuery, rangeOf } from "./reports";

const ScrubReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    scrubs: z.array(
      z.object({
        campaign: z.string(),
        name: z.string(),
        vendor: z.string(),
        checks: z.number().int().describe("leads checked"),
        calls: z.number().int().describe("paid calls to the vendor"),
        cached: z.number().int().describe("answers reused from the cache (no call, no cost)"),
        fails: z.number().int().describe("consumers the vendor listed or found invalid"),
        vendor_failures: z.number().int().describe("timeouts and errors"),
        cost: z.number().describe("dollars: calls x the scrub's cost_cents"),
      }),
    ),
    total_cost: z.number().describe("dollars"),
  })
  .openapi("ScrubReport");

const scrubReportRoute = createRoute({
  method: "get",
  path: "/admin/reports/scrubs",
  operationId: "getScrubReport",
  tags: ["admin", "reports"],
  summary: "Scrub and validation calls and their cost, per campaign",
  security: [{ AdminToken: [] }],
  request: { query: RangeQuery },
  responses: {
    200: { description: "Per campaign and scrub", content: { "application/json": { schema: ScrubReportSchema } } },
    ...errorResponses(401, 404, 422),
  },
});

export const adminScrubs = router();

adminScrubs.openapi(scrubReportRoute, async (c) => {
  const range = rangeOf(c.req.valid("query"));
  const rows = await c.var.services.records.scrubs.report(range.from, range.to);
  const slug = (id: string) => c.var.rules.campaignsById.get(id)?.slug ?? id;
  const n = (v: unknown) => Number(v ?? 0);
  const scrubs = rows.map((r) => ({
    campaign: slug(r.campaignId),
    name: r.name,
    vendor: r.vendor,
    checks: n(r.checks),
    calls: n(r.calls),
    cached: n(r.cached),
    fails: n(r.fails),
    vendor_failures: n(r.vendorFailures),
    cost: centsToDollars(n(r.costCents)),
  }));
  const totalCents = rows.reduce((a, r) => a + n(r.costCents), 0);
  return c.json(
    { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), scrubs, total_cost: centsToDollars(totalCents) },
    200,
  );
});
