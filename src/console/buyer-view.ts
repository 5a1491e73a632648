// A buyer's own console view: its balance (and credit used), its contracts with a switch to pause and
// resume them, the leads it bought with their trace and return state, its returns, statements to
// download and invoices. Built from its own rows only (db/buyer-view.ts): no other buyer's bid or
// purchase, and no consumer data, is read.
import { html } from "hono/html";
import { invoiceNumber } from "../billing/invoice";
import { dollars } from "../billing/money-text";
import type { BuyerBilling } from "../db/billing";
import type { BoughtLead, BuyerContract, BuyerReturn, BuyerTraceRow } from "../db/buyer-view";
import type { InvoiceRow } from "../db/schema";
import type { WalletView } from "../objects/buyer-wallet";
import { layout, table, tile, type Html } from "./layout";

export interface BuyerPage {
  buyer: BuyerBilling;
  balanceCents: number;
  wallet: WalletView | null;
  contracts: BuyerContract[];
  bought: BoughtLead[];
  returns: BuyerReturn[];
  invoices: InvoiceRow[];
  /** The statement form's default period (the last 30 days), as dates. */
  from: string;
  to: string;
}

const usd = (c: number) => `$${dollars(c)}`;
const iso = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function switchFor(c: BuyerContract): Html {
  if (c.status === "active")
    return html`<form method="post" action="/console/buyer/contracts/${c.id}/pause"><button type="submit">Pause</button></form>`;
  if (c.pausedByBuyer)
    return html`<form method="post" action="/console/buyer/contracts/${c.id}/resume"><button type="submit">Resume</button></form>`;
  return html`paused by the exchange`;
}

export function buyerPage(p: BuyerPage): Html {
  const w = p.wallet;
  const body = html`<h2>${p.buyer.name}</h2>
<div class="tiles">${tile("balance", usd(p.balanceCents))}${tile("billing", p.buyer.billing)}${
    p.buyer.billing === "credit"
      ? tile("credit used / limit", `${usd(Math.max(0, -p.balanceCents))} / ${usd(p.buyer.creditLimitCents)}`)
      : ""
  }${w ? tile("available to buy now", usd(w.availableCents)) : ""}${w?.paused ? tile("paused: top up to buy again", "paused") : ""}${w?.low ? tile("below your low-balance threshold", "low") : ""}</div>
<h2>Contracts</h2>
${table("buyer-contracts", ["contract", "campaign", "status", ""], p.contracts, (c) => [c.name, c.campaign, { v: c.status, cls: c.status === "active" ? "ok" : "bad" }, switchFor(c)])}
<h2>Leads bought</h2>
${table("buyer-leads", ["lead", "campaign", "price", "bought", "your lead id", "return"], p.bought, (l) => [
  html`<a href="/console/buyer/leads/${l.lead_id}">${l.lead_id}</a>`,
  l.campaign,
  usd(l.price_cents),
  iso(l.at),
  l.buyer_lead_id ?? "",
  l.return_status ?? "",
])}
<h2>Returns</h2>
${table("buyer-returns", ["lead", "reason", "state", "credit", "asked", "decided"], p.returns, (r) => [
  r.lead_id,
  r.reason,
  { v: r.status, cls: r.status === "denied" ? "bad" : r.status === "approved" ? "ok" : "" },
  usd(r.price_cents),
  iso(r.created_at),
  r.decided_at ? iso(r.decided_at) : "",
])}
<h2>Statement</h2>
<form method="get" action="/console/buyer/statement"><label>From <input name="from" type="date" value="${p.from}" style="width:auto"></label>
<label>to <input name="to" type="date" value="${p.to}" style="width:auto"></label><button type="submit">Download CSV</button></form>
<h2>Invoices</h2>
${table("buyer-invoices", ["invoice", "period", "charged", "credited", "closing balance"], p.invoices, (i) => [
  html`<a href="/console/buyer/invoices/${i.id}">${invoiceNumber(i.number)}</a>`,
  `${day(i.periodFrom)} – ${day(i.periodTo)}`,
  usd(i.chargesCents),
  usd(i.creditsCents),
  usd(i.closingCents),
])}`;
  return layout(p.buyer.name, body, { admin: false });
}

export function buyerLeadPage(leadId: string, status: string, rows: BuyerTraceRow[]): Html {
  const body = html`<h2>Lead ${leadId}</h2><p>Status: <b>${status}</b> (your contracts' pings and posts only)</p>
${table("buyer-trace", ["at", "step", "contract", "outcome", "amount", "latency", "reason"], rows, (r) => [
  iso(r.at),
  r.kind,
  r.contract_id,
  r.outcome,
  r.cents === null ? "" : usd(r.cents),
  r.latency_ms === null ? "" : `${r.latency_ms} ms`,
  { v: r.reason ?? "", text: true },
])}
<p><a href="/console/buyer">Back</a></p>`;
  return layout(`Lead ${leadId}`, body, { admin: false });
}
