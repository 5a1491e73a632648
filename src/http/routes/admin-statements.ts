// Statements and payables, for admins: a buyer's or a source's ledger for a period (opening balance,
// every entry, closing balance) as JSON or CSV, streamed through any number of entries; and what each
// source is owed for a period, net of clawbacks, as JSON or a CSV to pay from.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { period, type Period } from "../../billing/money-text";
import { payablesCsv, statementStream } from "../../pipeline/statements";
import { router, type AppEnv } from "../context";
import { ApiError, errorResponses } from "../errors";
import { buyerOr404 } from "./admin-billing";

export const PeriodQuery = z.object({
  from: z.string().max(40).describe("start, included: a date (2026-11-01, UTC), an ISO date-time with a zone, or epoch ms"),
  to: z.string().max(40).describe("end, excluded"),
  format: z.enum(["json", "csv"]).default("json"),
});

/** The period a query names, or a 422 naming the field. */
export function periodOr422(q: { from: string; to: string }): Period {
  const p = period(q.from, q.to);
  if ("field" in p) throw new ApiError(422, "validation_failed", `${p.field} is not valid`, [{ path: p.field, message: p.message }]);
  return p;
}

const StatementSchema = z
  .object({
    account: z.string(),
    from: z.string(),
    to: z.string(),
    opening_cents: z.number().int(),
    entries: z.array(
      z.object({
        at: z.string(),
        kind: z.enum(["sale", "return", "deposit", "topup", "credit", "write_off", "charge", "payment"]),
        entry_key: z.string(),
        amount_cents: z.number().int(),
        balance_cents: z.number().int().describe("the running balance after it"),
        lead_id: z.string().nullable(),
        contract_id: z.string().nullable(),
        campaign_id: z.string().nullable(),
        reference: z.string().nullable(),
        memo: z.string().nullable(),
        booked_by: z.string().nullable(),
      }),
    ),
    closing_cents: z.number().int(),
    entries_count: z.number().int(),
  })
  .openapi("Statement");

const PayablesSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    sources: z.array(
      z.object({
        source_id: z.string(),
        name: z.string(),
        opening_cents: z.number().int().describe("owed when the period opened"),
        earned_cents: z.number().int().describe("payouts of the period's sales"),
        clawback_cents: z.number().int().describe("payouts taken back by the period's approved returns"),
        net_cents: z.number().int().describe("earned − clawed back"),
        paid_cents: z.number().int().describe("payments recorded in the period"),
        owed_cents: z.number().int().describe("what the exchange owes it when the period ends"),
      }),
    ),
  })
  .openapi("Payables");

const statementRoute = (who: "buyers" | "sources") =>
  createRoute({
    method: "get",
    path: `/admin/${who}/{id}/statement`,
    operationId: who === "buyers" ? "getBuyerStatement" : "getSourceStatement",
    tags: ["admin"],
    summary: `A ${who === "buyers" ? "buyer's" : "source's"} statement: opening balance, every entry, closing balance`,
    description: "JSON, or CSV with `?format=csv`; both streamed, any size.",
    security: [{ AdminToken: [] }],
    request: {
      params: z.object({
        id: z
          .string()
          .max(64)
          .openapi({ param: { name: "id", in: "path" } }),
      }),
      query: PeriodQuery,
    },
    responses: {
      200: {
        description: "The statement",
        content: { "application/json": { schema: StatementSchema }, "text/csv": { schema: z.string() } },
      },
      ...errorResponses(401, 404, 422, 503),
    },
  });

export const buyerStatementRoute = statementRoute("buyers");
export const sourceStatementRoute = statementRoute("sources");

export const payablesRoute = createRoute({
  method: "get",
  path: "/admin/payables",
  operationId: "getPayables",
  tags: ["admin"],
  summary: "What each source is owed for a period, net of clawbacks (JSON, or a CSV to pay from)",
  security: [{ AdminToken: [] }],
  request: { query: PeriodQuery },
  responses: {
    200: {
      description: "One row per source",
      content: { "application/json": { schema: PayablesSchema }, "text/csv": { schema: z.string() } },
    },
    ...errorResponses(401, 404, 422, 503),
  },
});

/** A statement as a streamed response. */
export function statementResponse(c: Context<AppEnv>, account: string, p: Period, format: "json" | "csv", name: string): Response {
  const stream = statementStream(c.var.services.records, account, p, format);
  const headers: Record<string, string> =
    format === "csv"
      ? { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${name}.csv"` }
      : { "content-type": "application/json; charset=utf-8" };
  return new Response(stream, { status: 200, headers: { ...headers, "cache-control": "no-store" } });
}

export const adminStatements = router();

adminStatements.openapi(buyerStatementRoute, async (c) => {
  const q = c.req.valid("query");
  const p = periodOr422(q);
  const b = await buyerOr404(c, c.req.valid("param").id);
  return statementResponse(c, `buyer:${b.id}`, p, q.format, `statement-${b.id}`);
});

adminStatements.openapi(sourceStatementRoute, async (c) => {
  const q = c.req.valid("query");
  const p = periodOr422(q);
  const id = c.req.valid("param").id;
  if (!(await c.var.services.records.billing.sourceExists(id))) throw new ApiError(404, "not_found", `no source "${id.slice(0, 64)}"`);
  return statementResponse(c, `source:${id}`, p, q.format, `statement-${id}`);
});

adminStatements.openapi(payablesRoute, async (c) => {
  const q = c.req.valid("query");
  const p = periodOr422(q);
  const rows = await c.var.services.records.invoices.payables(p);
  if (q.format === "csv")
    return c.body(payablesCsv(rows, p), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="payables.csv"',
    });
  return c.json(
    {
      from: new Date(p.from).toISOString(),
      to: new Date(p.to).toISOString(),
      sources: rows.map((r) => ({
        source_id: r.sourceId,
        name: r.name,
        opening_cents: r.openingCents,
        earned_cents: r.earnedCents,
        clawback_cents: r.clawbackCents,
        net_cents: r.earnedCents - r.clawbackCents,
        paid_cents: r.paidCents,
        owed_cents: r.closingCents,
      })),
    },
    200,
  );
});
