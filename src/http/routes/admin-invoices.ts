// Invoices, for admins: POST /admin/invoices closes a buyer's period into the next numbered invoice
// (lines per campaign, returns credited; immutable, and its period closed to backdated bookings);
// GET /admin/invoices/{id} as JSON, CSV or a printable HTML page; a buyer's invoices.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { amountDue, invoiceNumber } from "../../billing/invoice";
import type { InvoiceRow } from "../../db/schema";
import { invoiceCsv, invoicePage, linesOf } from "../../console/invoice-page";
import { issueInvoice } from "../../pipeline/billing";
import { router, type AppEnv } from "../context";
import { ApiError, errorResponses } from "../errors";
import { buyerOr404 } from "./admin-billing";
import { periodOr422 } from "./admin-statements";

const InvoiceSchema = z
  .object({
    invoice_id: z.string(),
    number: z.string().describe("INV-000001, in issue order"),
    buyer_id: z.string(),
    from: z.string(),
    to: z.string().describe("excluded"),
    issued_at: z.string(),
    lines: z.array(
      z.object({
        campaign_id: z.string(),
        campaign: z.string(),
        leads: z.number().int(),
        charged_cents: z.number().int(),
        returns: z.number().int(),
        credited_cents: z.number().int(),
      }),
    ),
    opening_cents: z.number().int(),
    charges_cents: z.number().int(),
    credits_cents: z.number().int(),
    payments_cents: z.number().int(),
    adjustments_cents: z.number().int(),
    closing_cents: z.number().int(),
    amount_due_cents: z.number().int(),
  })
  .openapi("Invoice");

const CreateSchema = z.object({
  buyer_id: z.string().min(1).max(64),
  from: z.string().max(40).describe("start, included: a date (UTC), an ISO date-time with a zone, or epoch ms"),
  to: z.string().max(40).describe("end, excluded; not in the future"),
});

export const createInvoiceRoute = createRoute({
  method: "post",
  path: "/admin/invoices",
  operationId: "createInvoice",
  tags: ["admin"],
  summary: "Close a buyer's period into a numbered, immutable invoice",
  security: [{ AdminToken: [] }],
  request: { body: { required: true, content: { "application/json": { schema: CreateSchema } } } },
  responses: {
    201: { description: "Issued", content: { "application/json": { schema: InvoiceSchema } } },
    ...errorResponses(401, 404, 409, 422, 503),
  },
});

export const getInvoiceRoute = createRoute({
  method: "get",
  path: "/admin/invoices/{id}",
  operationId: "getInvoice",
  tags: ["admin"],
  summary: "An invoice as JSON, CSV (`?format=csv`) or a printable page (`?format=html`)",
  security: [{ AdminToken: [] }],
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: "id", in: "path" } }),
    }),
    query: z.object({ format: z.enum(["json", "csv", "html"]).default("json") }),
  },
  responses: {
    200: {
      description: "The invoice",
      content: { "application/json": { schema: InvoiceSchema }, "text/csv": { schema: z.string() }, "text/html": { schema: z.string() } },
    },
    ...errorResponses(401, 404, 422, 503),
  },
});

export const buyerInvoicesRoute = createRoute({
  method: "get",
  path: "/admin/buyers/{id}/invoices",
  operationId: "listBuyerInvoices",
  tags: ["admin"],
  summary: "A buyer's invoices, newest period first",
  security: [{ AdminToken: [] }],
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: "id", in: "path" } }),
    }),
  },
  responses: {
    200: { description: "Its invoices", content: { "application/json": { schema: z.object({ invoices: z.array(InvoiceSchema) }) } } },
    ...errorResponses(401, 404, 503),
  },
});

const iso = (ms: number) => new Date(ms).toISOString();

export const invoiceJson = (inv: InvoiceRow) => ({
  invoice_id: inv.id,
  number: invoiceNumber(inv.number),
  buyer_id: inv.buyerId,
  from: iso(inv.periodFrom),
  to: iso(inv.periodTo),
  issued_at: iso(inv.issuedAt),
  lines: linesOf(inv).map((l) => ({
    campaign_id: l.campaignId,
    campaign: l.campaign,
    leads: l.leads,
    charged_cents: l.chargesCents,
    returns: l.returns,
    credited_cents: l.creditsCents,
  })),
  opening_cents: inv.openingCents,
  charges_cents: inv.chargesCents,
  credits_cents: inv.creditsCents,
  payments_cents: inv.paymentsCents,
  adjustments_cents: inv.adjustmentsCents,
  closing_cents: inv.closingCents,
  amount_due_cents: amountDue(inv.closingCents),
});

/** An invoice in the format asked for (the admin API and the buyer's console share it). */
export async function invoiceResponse(c: Context<AppEnv>, inv: InvoiceRow, format: "json" | "csv" | "html"): Promise<Response> {
  if (format === "csv")
    return c.body(invoiceCsv(inv), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${invoiceNumber(inv.number)}.csv"`,
    });
  if (format === "html") {
    const b = await c.var.services.records.billing.buyer(inv.buyerId);
    return c.html(await invoicePage(inv, b?.name ?? inv.buyerId), 200);
  }
  return c.json(invoiceJson(inv), 200);
}

export const adminInvoices = router();

adminInvoices.openapi(createInvoiceRoute, async (c) => {
  const body = c.req.valid("json");
  const p = periodOr422(body);
  const now = Date.now();
  if (p.to > now)
    throw new ApiError(422, "validation_failed", "the period has not ended", [{ path: "to", message: "may not be in the future" }]);
  const b = await buyerOr404(c, body.buyer_id);
  const res = await issueInvoice(c.var.services, b.id, p, now);
  if (res.result === "overlap") throw new ApiError(409, "period_closed", "the period overlaps one already invoiced for this buyer");
  return c.json(invoiceJson(res.invoice), 201);
});

adminInvoices.openapi(getInvoiceRoute, async (c) => {
  const inv = await c.var.services.records.invoices.invoice(c.req.valid("param").id);
  if (!inv) throw new ApiError(404, "not_found", "no such invoice");
  return invoiceResponse(c, inv, c.req.valid("query").format);
});

adminInvoices.openapi(buyerInvoicesRoute, async (c) => {
  const b = await buyerOr404(c, c.req.valid("param").id);
  return c.json({ invoices: (await c.var.services.records.invoices.invoicesOf(b.id)).map(invoiceJson) }, 200);
});
