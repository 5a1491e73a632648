// Reports: GET /v1/reports/summary (a source, with its API key or its reporting key), GET
// /admin/reports/buyers and GET /admin/reports/resales (admins). The range is ?from=&to= (ISO 8601), by default the last 24 hours, at most 93 days.
import { createRoute, z } from "@hono/zod-openapi";
import type { Range } from "../../db/reports";
import { sourceForReports } from "../auth";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";

const DAY = 86_400_000;
const MAX_RANGE_DAYS = 93;

export const RangeQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601; default: 24 hours before `to`" }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601; default: now" }),
});

export function rangeOf(q: z.infer<typeof RangeQuery>): Range {
  const to = q.to ? Date.parse(q.to) : Date.now();
  const from = q.from ? Date.parse(q.from) : to - DAY;
  if (!(from < to && to - from <= MAX_RANGE_DAYS * DAY))
    throw new ApiError(422, "validation_failed", "bad report range", [
      { path: "from", message: `from must be before to, at most ${MAX_RANGE_DAYS} days apart` },
    ]);
  return { from, to };
}

const iso = (r: Range) => ({ from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() });

const SourceReportSchema = z
  .object({
    source: z.string(),
    from: z.string(),
    to: z.string(),
    leads: z.number().int(),
    statuses: z.record(z.string(), z.number().int()).describe("leads by status"),
    sell_through: z.number().describe("sold leads per lead, percent"),
    payout: z.number().describe("dollars earned in the range"),
    payout_per_lead: z.number().describe("dollars per lead sent"),
    returned: z.number().int().describe("leads buyers returned (approved) in the range"),
    clawback: z.number().describe("payout taken back for them, dollars (0 when the exchange absorbs returns)"),
    net_payout: z.number().describe("payout minus clawback"),
    pings: z.number().int().describe("POST /v1/pings made by the source"),
    posts: z.number().int().describe("of those, posted"),
    ping_to_post: z.number().describe("posts per ping, percent"),
  })
  .openapi("SourceReport");

const BuyerReportRowSchema = z.object({
  contract: z.string(),
  buyer: z.string().nullable(),
  pings: z.number().int(),
  bids: z.number().int(),
  bid_rate: z.number().describe("percent of pings answered with a bid"),
  avg_bid: z.number().nullable(),
  avg_latency_ms: z.number().nullable(),
  timeouts: z.number().int(),
  bad_answers: z.number().int(),
  posts: z.number().int(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  failed: z.number().int(),
  revenue: z.number(),
  returns: z.number().int().describe("approved returns in the range"),
  returned: z.number().describe("dollars credited back for them"),
  net_revenue: z.number().describe("revenue minus returned"),
  quality_score: z.number().describe("its quality score now (1.0 = neutral): bid x score ranks when the campaign weights quality"),
  ping_to_post: z.number().describe("sold leads per ping, percent"),
  reject_rate: z.number().describe("percent of posts rejected"),
  breaker_trips: z.number().int().describe("times its circuit breaker paused it in the range"),
  breaker_state: z.enum(["closed", "open", "half_open"]).describe("its circuit breaker now"),
  breaker_reason: z.string().nullable(),
  top_reject_reasons: z.array(z.object({ reason: z.string().nullable(), count: z.number().int() })),
});

const BuyerReportSchema = z.object({ from: z.string(), to: z.string(), contracts: z.array(BuyerReportRowSchema) }).openapi("BuyerReport");

const ResaleLine = {
  offers: z.number().int().describe("offers that ended in the range"),
  sold: z.number().int(),
  unsold: z.number().int().describe("offered, no buyer"),
  skipped: z
    .number()
    .int()
    .describe("not offered: erased, suppressed, past retention or the resale age, consent too old, certificate expired"),
  revenue: z.number().describe("dollars buyers paid for resales"),
  payout: z.number().describe("dollars paid to sources for them"),
  margin: z.number(),
};

const ResaleReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    totals: z.object({
      ...ResaleLine,
      returned: z.number().describe("dollars credited for resold leads returned again (approved in the range)"),
      net_revenue: z.number().describe("revenue minus returned"),
    }),
    by_reason: z.array(z.object({ reason: z.enum(["returned", "unsold", "sold"]), ...ResaleLine })),
    by_tier: z.array(z.object({ tier_days: z.number().int().describe("aged tier in days; 0: a returned lead's resale"), ...ResaleLine })),
    rows: z.array(z.object({ reason: z.enum(["returned", "unsold", "sold"]), tier_days: z.number().int(), ...ResaleLine })),
  })
  .openapi("ResaleReport");

/** Either of a source's keys that may read its report. */
const SOURCE_KEYS: Record<string, string[]>[] = [{ ApiKey: [] }, { ReportKey: [] }];

export const sourceSummaryRoute = createRoute({
  method: "get",
  path: "/v1/reports/summary",
  operationId: "getSourceSummary",
  tags: ["reports"],
  summary: "A source's leads by status, sell-through and payout per lead",
  description: "Takes the source's API key (X-Api-Key) or its reporting key (X-Report-Key), which reads reports and never posts a lead.",
  security: SOURCE_KEYS,
  request: { query: RangeQuery },
  responses: {
    200: { description: "The source's figures over the range", content: { "application/json": { schema: SourceReportSchema } } },
    ...errorResponses(401, 422, 503),
  },
});

export const buyerReportRoute = createRoute({
  method: "get",
  path: "/admin/reports/buyers",
  operationId: "getBuyerReport",
  tags: ["admin", "reports"],
  summary: "Each contract's pings, bids, ping-to-post ratio, rejects and reasons",
  security: [{ AdminToken: [] }],
  request: { query: RangeQuery },
  responses: {
    200: { description: "One row per contract active in the range", content: { "application/json": { schema: BuyerReportSchema } } },
    ...errorResponses(401, 404, 422, 503),
  },
});

export const resaleReportRoute = createRoute({
  method: "get",
  path: "/admin/reports/resales",
  operationId: "getResaleReport",
  tags: ["admin", "reports"],
  summary: "Resale revenue apart from first sales, by reason (returned, unsold, sold) and aged tier",
  security: [{ AdminToken: [] }],
  request: { query: RangeQuery },
  responses: {
    200: { description: "Resale offers that ended in the range", content: { "application/json": { schema: ResaleReportSchema } } },
    ...errorResponses(401, 404, 422, 503),
  },
});

export const reports = router();

reports.openapi(sourceSummaryRoute, async (c) => {
  const source = await sourceForReports(c.var.rules, c.req.header("x-api-key"), c.req.header("x-report-key"));
  const range = rangeOf(c.req.valid("query"));
  return c.json({ source: source.id, ...iso(range), ...(await c.var.services.records.reports.sourceReport(source.id, range)) }, 200);
});

reports.openapi(buyerReportRoute, async (c) => {
  const range = rangeOf(c.req.valid("query"));
  const rows = await c.var.services.records.reports.buyerReport(range);
  const contract = (id: string) => c.var.rules.contractsById.get(id);
  return c.json(
    {
      ...iso(range),
      contracts: rows.map((r) => {
        const health = contract(r.contract)?.health ?? null;
        return {
          ...r,
          buyer: contract(r.contract)?.buyerName ?? null,
          quality_score: (contract(r.contract)?.qualityBps ?? 10_000) / 10_000,
          breaker_state: health?.state ?? ("closed" as const),
          breaker_reason: health?.state === "closed" ? null : (health?.reason ?? null),
        };
      }),
    },
    200,
  );
});

reports.openapi(resaleReportRoute, async (c) => {
  const range = rangeOf(c.req.valid("query"));
  const report = await c.var.services.records.reports.resaleReport(range);
  const reason = (r: string) => ResaleReportSchema.shape.rows.element.shape.reason.parse(r);
  return c.json(
    {
      ...iso(range),
      ...report,
      by_reason: report.by_reason.map((r) => ({ ...r, reason: reason(r.reason) })),
      rows: report.rows.map((r) => ({ ...r, reason: reason(r.reason) })),
    },
    200,
  );
});
