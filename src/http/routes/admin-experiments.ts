// GET /admin/experiments/{id}/report — an experiment's variants compared: leads, sell-through,
// revenue and margin per lead (with 95 % intervals, and the difference from the first variant),
// returns, net revenue per lead, and latency. POST /admin/experiments/{id}/end stops assigning leads;
// the report stays. Experiments are created with POST /admin/experiments (./admin-rules.ts) or in D1.
import { createRoute, z } from "@hono/zod-openapi";
import { histogramPercentile } from "../../db/rollups";
import { differenceInterval, meanInterval } from "../../experiments/assign";
import { centsToDollars } from "../../lib/money";
import { updateRule } from "../../pipeline/rule-edits";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";
import { apiEditor } from "./admin-rules";

const LATENCY = [100, 200, 400, 800, 1600, 3200, 6400] as const;
/** Means and intervals are fractional cents: whole cents, then dollars. */
const dollars = (cents: number) => centsToDollars(Math.round(cents));
const interval = z.object({ mean: z.number(), low: z.number(), high: z.number() }).describe("dollars per lead, with its 95 % interval");

const ReportSchema = z
  .object({
    experiment: z.string(),
    name: z.string(),
    status: z.enum(["running", "ended"]),
    variants: z.array(
      z.object({
        name: z.string(),
        share: z.number().int(),
        leads: z.number().int(),
        sold: z.number().int(),
        sell_through: z.number().describe("percent"),
        revenue_per_lead: interval,
        margin_per_lead: interval,
        returns: z.number().int(),
        net_revenue_per_lead: z.number().describe("revenue minus approved returns, per lead"),
        latency_p50_ms: z.number().nullable().describe("live-round leads: receipt to final state (histogram bucket bound)"),
        latency_p95_ms: z.number().nullable(),
        vs_first: z
          .object({ diff: z.number(), low: z.number(), high: z.number(), significant: z.boolean() })
          .nullable()
          .describe("revenue per lead minus the first variant's, with its 95 % interval"),
      }),
    ),
  })
  .openapi("ExperimentReport");

const idParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

export const experimentReportRoute = createRoute({
  method: "get",
  path: "/admin/experiments/{id}/report",
  operationId: "getExperimentReport",
  tags: ["admin", "reports"],
  summary: "An experiment's variants compared",
  security: [{ AdminToken: [] }],
  request: { params: idParam },
  responses: {
    200: { description: "Per variant", content: { "application/json": { schema: ReportSchema } } },
    ...errorResponses(401, 404),
  },
});

export const endExperimentRoute = createRoute({
  method: "post",
  path: "/admin/experiments/{id}/end",
  operationId: "endExperiment",
  tags: ["admin"],
  summary: "End an experiment: no new leads are assigned; its report stays",
  security: [{ AdminToken: [] }],
  request: { params: idParam },
  responses: {
    200: {
      description: "Ended",
      content: { "application/json": { schema: z.object({ experiment: z.string(), status: z.literal("ended") }) } },
    },
    ...errorResponses(401, 404),
  },
});

export const adminExperiments = router();

adminExperiments.openapi(experimentReportRoute, async (c) => {
  const id = c.req.valid("param").id;
  const e = c.var.rules.experimentsById.get(id);
  if (!e) throw new ApiError(404, "not_found", "no such experiment");
  const { byVariant, returned } = await c.var.services.records.experiments.variantRows(id, LATENCY);
  const n = (v: unknown) => Number(v ?? 0);
  const stats = e.variants.map((v) => {
    const r = byVariant.find((x) => x.variant === v.name) ?? {};
    const ret = returned.find((x) => x.variant === v.name) ?? {};
    const leads = n(r.leads);
    const rev = meanInterval(leads, n(r.rev), n(r.rev_sq));
    const margin = meanInterval(leads, n(r.margin), n(r.margin_sq));
    const hist = [...LATENCY.map((_, i) => n(r[`l${i}`])), n(r.lmax)];
    return { v, leads, sold: n(r.sold), rev, margin, returns: n(ret.n), returnedCents: n(ret.cents), hist };
  });
  const first = stats[0]!;
  return c.json(
    {
      experiment: e.id,
      name: e.name,
      status: e.status,
      variants: stats.map((s, i) => ({
        name: s.v.name,
        share: s.v.share,
        leads: s.leads,
        sold: s.sold,
        sell_through: s.leads ? Math.round((1000 * s.sold) / s.leads) / 10 : 0,
        revenue_per_lead: { mean: dollars(s.rev.mean), low: dollars(s.rev.low), high: dollars(s.rev.high) },
        margin_per_lead: { mean: dollars(s.margin.mean), low: dollars(s.margin.low), high: dollars(s.margin.high) },
        returns: s.returns,
        net_revenue_per_lead: s.leads ? dollars((s.rev.mean * s.leads - s.returnedCents) / s.leads) : 0,
        latency_p50_ms: histogramPercentile(s.hist, LATENCY, 0.5),
        latency_p95_ms: histogramPercentile(s.hist, LATENCY, 0.95),
        vs_first:
          i === 0
            ? null
            : (() => {
                const d = differenceInterval({ n: first.leads, ...first.rev }, { n: s.leads, ...s.rev });
                return { diff: dollars(d.diff), low: dollars(d.low), high: dollars(d.high), significant: d.significant };
              })(),
      })),
    },
    200,
  );
});

adminExperiments.openapi(endExperimentRoute, async (c) => {
  const id = c.req.valid("param").id;
  const row = await c.var.services.records.ruleEdits.byId("experiments", id);
  if (!row) throw new ApiError(404, "not_found", "no such experiment");
  // A rule change like any other: recorded in the audit trail under the caller's name. This isolate
  // stops assigning at once; others within RULES_TTL_MS.
  if (row.status !== "ended")
    await updateRule(
      c.var.services,
      "experiments",
      id,
      { status: "ended", ended_at: row.endedAt ?? Date.now() },
      Number(row.version),
      apiEditor(c),
    );
  return c.json({ experiment: id, status: "ended" as const }, 200);
});
