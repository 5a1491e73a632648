// An invoice as people read it: a printable HTML page (no script, print-friendly), and as a CSV of its
// lines and totals. Both render the stored invoice, which never changes once issued.
import { html, raw } from "hono/html";
import { amountDue, invoiceNumber, type InvoiceLine } from "../billing/invoice";
import { csvRow, dollars as exact } from "../billing/money-text";
import type { InvoiceRow } from "../db/schema";
import type { Html } from "./layout";

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const usd = (cents: number) => `$${exact(cents)}`;

export const linesOf = (inv: InvoiceRow): InvoiceLine[] => JSON.parse(inv.lines) as InvoiceLine[];

const PRINT_STYLE = `body{font:14px/1.5 system-ui,sans-serif;color:#111;max-width:780px;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{padding:.35rem .5rem;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left}tfoot td{font-weight:600}.due{font-size:1.3rem}@media print{a{display:none}}`;

export function invoicePage(inv: InvoiceRow, buyerName: string): Html {
  const lines = linesOf(inv);
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${invoiceNumber(inv.number)}</title><link rel="icon" href="data:,"><style>${raw(PRINT_STYLE)}</style></head>
<body><h1>Invoice ${invoiceNumber(inv.number)}</h1>
<p>To: <b>${buyerName}</b> (${inv.buyerId})<br>Period: ${day(inv.periodFrom)} to ${day(inv.periodTo)} (end excluded)<br>Issued: ${day(inv.issuedAt)}</p>
<table><thead><tr><th>Campaign</th><th>Leads</th><th>Charged</th><th>Returns</th><th>Credited</th></tr></thead>
<tbody>${lines.map((l) => html`<tr><td>${l.campaign}</td><td>${l.leads}</td><td>${usd(l.chargesCents)}</td><td>${l.returns}</td><td>${usd(l.creditsCents)}</td></tr>`)}</tbody>
<tfoot><tr><td>Total</td><td></td><td>${usd(inv.chargesCents)}</td><td></td><td>${usd(inv.creditsCents)}</td></tr></tfoot></table>
<table><tr><td>Opening balance</td><td>${usd(inv.openingCents)}</td></tr><tr><td>Leads charged</td><td>−${usd(inv.chargesCents)}</td></tr>
<tr><td>Returns credited</td><td>${usd(inv.creditsCents)}</td></tr><tr><td>Payments received</td><td>${usd(inv.paymentsCents)}</td></tr>
<tr><td>Adjustments</td><td>${usd(inv.adjustmentsCents)}</td></tr><tr><td>Closing balance</td><td>${usd(inv.closingCents)}</td></tr>
<tr><td class="due">Amount due</td><td class="due">${usd(amountDue(inv.closingCents))}</td></tr></table></body></html>`;
}

export function invoiceCsv(inv: InvoiceRow): string {
  const head = csvRow(["invoice", "campaign_id", "campaign", "leads", "charged_cents", "returns", "credited_cents"]);
  const rows = linesOf(inv).map((l) =>
    csvRow([invoiceNumber(inv.number), l.campaignId, l.campaign, l.leads, l.chargesCents, l.returns, l.creditsCents]),
  );
  const totals = [
    ["opening_cents", inv.openingCents],
    ["charges_cents", inv.chargesCents],
    ["credits_cents", inv.creditsCents],
    ["payments_cents", inv.paymentsCents],
    ["adjustments_cents", inv.adjustmentsCents],
    ["closing_cents", inv.closingCents],
    ["amount_due_cents", amountDue(inv.closingCents)],
  ].map(([k, v]) => csvRow([invoiceNumber(inv.number), null, String(k), null, Number(v), null, null]));
  return head + rows.join("") + totals.join("");
}
