// The operator's billing pages: every buyer's balance, credit used, available money and whether it is
// low or paused for its balance; what each source is owed; the latest money events; and one account's
// ledger. Built from plain rows (db/billing.ts, db/ledger.ts, the wallets' views).
import { html } from "hono/html";
import { dollars } from "../billing/money-text";
import type { BillingEventRow, BuyerBilling } from "../db/billing";
import type { StatementRow } from "../db/ledger";
import type { WalletView } from "../objects/buyer-wallet";
import { layout, table, tile, type Html } from "./layout";

export interface BuyerBalance {
  buyer: BuyerBilling;
  balanceCents: number;
  wallet: WalletView | null;
}

const usd = (c: number) => `$${dollars(c)}`;
const iso = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);
const ledgerLink = (account: string, label: string) => html`<a href="/console/billing/ledger/${encodeURIComponent(account)}">${label}</a>`;

function state(b: BuyerBalance): { v: string; cls?: string } {
  if (!b.wallet) return { v: "not checked" };
  if (b.wallet.paused) return { v: "paused for balance", cls: "bad" };
  if (b.wallet.low) return { v: "low balance", cls: "bad" };
  return { v: "buying", cls: "ok" };
}

export function billingPage(
  buyers: BuyerBalance[],
  sources: { id: string; name: string; owedCents: number }[],
  events: BillingEventRow[],
): Html {
  const billed = buyers.filter((b) => b.wallet);
  const body = html`<h2>Billing</h2>
<div class="tiles">${tile("buyers billed (prepaid or credit)", String(billed.length))}${tile("paused for balance", String(billed.filter((b) => b.wallet?.paused).length))}${tile("low balance", String(billed.filter((b) => b.wallet?.low).length))}${tile("owed to sources", usd(sources.reduce((a, s) => a + s.owedCents, 0)))}</div>
<h2>Buyers</h2>
${table(
  "billing-buyers",
  ["buyer", "billing", "balance", "credit used / limit", "available to the auction", "state", "ledger"],
  buyers,
  (b) => [
    b.buyer.name,
    b.buyer.billing,
    { v: usd(b.balanceCents), cls: b.balanceCents < 0 ? "bad" : "" },
    b.buyer.billing === "credit" ? `${usd(Math.max(0, -b.balanceCents))} / ${usd(b.buyer.creditLimitCents)}` : "–",
    b.wallet ? usd(b.wallet.availableCents) : "–",
    state(b),
    ledgerLink(`buyer:${b.buyer.id}`, "ledger"),
  ],
)}
<h2>Sources: what the exchange owes</h2>
${table("billing-sources", ["source", "owed", "ledger"], sources, (s) => [s.name, usd(s.owedCents), ledgerLink(`source:${s.id}`, "ledger")])}
<p><a href="/console/billing/ledger/house">The house's ledger</a> · payables as CSV: <code>GET /admin/payables?from=&amp;to=&amp;format=csv</code></p>
<h2>Latest money events</h2>
${table("billing-events", ["at", "buyer", "event", "detail"], events, (e) => [iso(e.at), e.buyer_id, e.kind, { v: e.detail ?? "", text: true }])}`;
  return layout("Billing", body, { admin: true, section: "/console/billing" });
}

/** One account's latest entries (newest first) and its balance. */
export function ledgerPage(account: string, balanceCents: number, entries: StatementRow[]): Html {
  const body = html`<h2>Ledger of ${account}</h2>
<div class="tiles">${tile("balance", usd(balanceCents))}${tile("entries shown (latest)", String(entries.length))}</div>
${table("ledger", ["booked", "kind", "amount", "entry", "lead", "reference", "memo", "by"], entries, (e) => [
  iso(e.at),
  e.kind,
  { v: usd(e.amount_cents), cls: e.amount_cents < 0 ? "bad" : "ok" },
  e.entry_key,
  e.lead_id ? html`<a href="/console/leads/${e.lead_id}">${e.lead_id}</a>` : "",
  e.reference ?? "",
  { v: e.memo ?? "", text: true },
  e.booked_by ?? "",
])}
<p><a href="/console/billing">Back to billing</a></p>`;
  return layout(`Ledger ${account}`, body, { admin: true, section: "/console/billing" });
}
