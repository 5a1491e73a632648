// Reports: GET /v1/reports/summary (a source, with its API key) and GET /admin/reports/buyers
// (admins). The range is ?from=&to= (ISO 8601), by default the last 24 hours.
import { Hono, type Context } from "hono";
import { z } from "zod";
import { configOf, type Env } from "../../env";
import { dbOf } from "../../db/client";
import { buyerReport, sourceReport, type Range } from "../../db/reports";
import { fieldErrors } from "../../lead/fields";
import { getRules } from "../../rules/cache";
import { requireAdmin, requireSourceKey } from "../auth";
import { ApiError } from "../errors";

const DAY = 86_400_000;
const RangeQuery = z
  .object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() })
  .transform((q) => {
    const to = q.to ? Date.parse(q.to) : Date.now();
    return { from: q.from ? Date.parse(q.from) : to - DAY, to };
  })
  .refine((r) => r.from < r.to && r.to - r.from <= 93 * DAY, { message: "from must be before to, at most 93 days apart", path: ["from"] });

function rangeOf(c: Context): Range {
  const parsed = RangeQuery.safeParse(c.req.query());
  if (!parsed.success) throw new ApiError(422, "validation_failed", "bad report range", fieldErrors(parsed.error));
  return parsed.data;
}

const iso = (r: Range) => ({ from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() });

export const reports = new Hono<{ Bindings: Env }>();

reports.get("/v1/reports/summary", async (c) => {
  const { source } = await requireSourceKey(c);
  const range = rangeOf(c);
  return c.json({ source: source.id, ...iso(range), ...(await sourceReport(dbOf(c.env.DB), source.id, range)) });
});

reports.get("/admin/reports/buyers", async (c) => {
  await requireAdmin(c);
  const range = rangeOf(c);
  const rules = await getRules(c.env.DB, configOf(c.env).RULES_TTL_MS);
  const rows = await buyerReport(dbOf(c.env.DB), range);
  return c.json({ ...iso(range), contracts: rows.map((r) => ({ ...r, buyer: rules.contractsById.get(r.contract)?.buyerName ?? null })) });
});
