// Exports of the records as CSV or NDJSON, streamed (src/services/exports.ts), for three callers:
// GET /admin/exports/{kind} (admins: every column, any filter, consumer fields with include_pii=1),
// GET /console/source/exports/{kind} (a publisher in its console: its own leads and returns) and
// GET /v1/buyers/exports/{kind} (a buyer, signed with its contract's key: its own pings, posts and
// returns). Every export is recorded first (who asked, what, and whether consumer fields were in it).
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { EXPORT_KIND_LIST, EXPORT_KINDS, type Audience, type ExportFilter, type ExportKindName } from "../../db/export-kinds";
import { newId } from "../../lib/ids";
import { exportStream } from "../../services/exports";
import { principalOf, SIGNED_BY_BUYER } from "../auth";
import { router, type AppEnv } from "../context";
import { ApiError, errorResponses } from "../errors";

const DAY = 86_400_000;
const MAX_RANGE_DAYS = 366;

const ExportQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601, inclusive; default: 24 hours before `to`" }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601, exclusive; default: now" }),
  format: z.enum(["csv", "ndjson"]).default("csv"),
  campaign: z.string().max(64).optional().openapi({ description: "a campaign's slug or id (admins)" }),
  source: z.string().max(64).optional().openapi({ description: "a source's id (admins)" }),
  buyer: z.string().max(64).optional().openapi({ description: "a buyer's id (admins): its rows, or for leads those it bought" }),
  include_pii: z
    .enum(["0", "1"])
    .default("0")
    .openapi({ description: "1: the consumer's fields too (admins only; recorded with who asked)" }),
});
type Query = z.infer<typeof ExportQuery>;

const kindParam = (kinds: readonly ExportKindName[]) =>
  z.object({
    kind: z.enum(kinds as [ExportKindName, ...ExportKindName[]]).openapi({ param: { name: "kind", in: "path" } }),
  });

const STREAMED = {
  description: "The rows, streamed: CSV with a header line, or NDJSON (one object per line); columns in docs/API.md, Exports",
  content: { "text/csv": { schema: z.string() }, "application/x-ndjson": { schema: z.string() } },
};

const kindsFor = (audience: Audience) => EXPORT_KIND_LIST.filter((k) => EXPORT_KINDS[k].audiences.includes(audience));

function filterOf(c: Context<AppEnv>, q: Query, audience: Audience, own: { sourceId?: string; buyerId?: string }): ExportFilter {
  const to = q.to ? Date.parse(q.to) : Date.now();
  const from = q.from ? Date.parse(q.from) : to - DAY;
  if (!(from < to && to - from <= MAX_RANGE_DAYS * DAY))
    throw new ApiError(422, "validation_failed", "bad export range", [
      { path: "from", message: `from must be before to, at most ${MAX_RANGE_DAYS} days apart` },
    ]);
  if (audience !== "admin" && (q.include_pii === "1" || q.campaign || q.source || q.buyer))
    throw new ApiError(422, "validation_failed", "only admins filter by campaign, source or buyer, or ask for consumer fields", [
      { path: q.include_pii === "1" ? "include_pii" : "campaign", message: "not allowed here" },
    ]);
  const campaign = q.campaign ? (c.var.rules.campaignsBySlug.get(q.campaign) ?? c.var.rules.campaignsById.get(q.campaign)) : undefined;
  if (q.campaign && !campaign)
    throw new ApiError(422, "validation_failed", "unknown campaign", [{ path: "campaign", message: "no such campaign" }]);
  return {
    from,
    to,
    campaignId: campaign?.id ?? null,
    sourceId: own.sourceId ?? q.source ?? null,
    buyerId: own.buyerId ?? q.buyer ?? null,
    includePii: q.include_pii === "1",
  };
}

/** Records the export, then answers with its stream. */
async function streamed(c: Context<AppEnv>, kind: ExportKindName, audience: Audience, by: string, q: Query, filter: ExportFilter) {
  const id = newId("ex");
  const { records } = c.var.services;
  const { includePii, ...filters } = filter;
  await records.exports.record({ id, requestedBy: by, kind, format: q.format, includePii, filters, at: Date.now() });
  const day = new Date(filter.from).toISOString().slice(0, 10);
  const stream = exportStream(records, { id, kind, audience, format: q.format, filter }, (p) => c.executionCtx.waitUntil(p));
  return c.body(stream, 200, {
    "content-type": q.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    "content-disposition": `attachment; filename="${kind}-${day}.${q.format === "csv" ? "csv" : "ndjson"}"`,
    "cache-control": "no-store",
    "x-leadgate-export-id": id,
  });
}

const adminExportRoute = createRoute({
  method: "get",
  path: "/admin/exports/{kind}",
  operationId: "exportRecords",
  tags: ["admin", "exports"],
  summary: "Export leads, pings, posts or returns as CSV or NDJSON, streamed (any size)",
  security: [{ AdminToken: [] }],
  request: { params: kindParam(kindsFor("admin")), query: ExportQuery },
  responses: { 200: STREAMED, ...errorResponses(401, 404, 422, 503) },
});

const sourceExportRoute = createRoute({
  method: "get",
  path: "/console/source/exports/{kind}",
  operationId: "exportSourceRecords",
  tags: ["console", "exports"],
  summary: "A publisher's own leads or returns (its columns only), from its console",
  security: [{ SourceSession: [] }],
  request: { params: kindParam(kindsFor("source")), query: ExportQuery },
  responses: { 200: STREAMED, 303: { description: "To the login page" }, ...errorResponses(404, 422) },
});

const buyerExportRoute = createRoute({
  method: "get",
  path: "/v1/buyers/exports/{kind}",
  operationId: "exportBuyerRecords",
  tags: ["exports"],
  summary: "A buyer's own pings, posts or returns (its columns only)",
  description: `Signed by the buyer (a GET: the signed body is empty). ${SIGNED_BY_BUYER} The buyer console links here too.`,
  security: [{ BuyerSignature: [] }],
  request: { params: kindParam(kindsFor("buyer")), query: ExportQuery },
  responses: { 200: STREAMED, ...errorResponses(401, 422) },
});

export const exportRoutes = router();

exportRoutes.openapi(adminExportRoute, async (c) => {
  const { kind } = c.req.valid("param");
  const q = c.req.valid("query");
  return streamed(c, kind, "admin", "admin", q, filterOf(c, q, "admin", {}));
});

exportRoutes.openapi(sourceExportRoute, async (c) => {
  const { source } = principalOf(c, "source");
  const { kind } = c.req.valid("param");
  const q = c.req.valid("query");
  return streamed(c, kind, "source", `source:${source.id}`, q, filterOf(c, q, "source", { sourceId: source.id }));
});

exportRoutes.openapi(buyerExportRoute, async (c) => {
  const { contract } = principalOf(c, "buyer");
  const { kind } = c.req.valid("param");
  const q = c.req.valid("query");
  return streamed(
    c,
    kind,
    "buyer",
    `buyer:${contract.buyerId} (contract ${contract.id})`,
    q,
    filterOf(c, q, "buyer", { buyerId: contract.buyerId }),
  );
});
