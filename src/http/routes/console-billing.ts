// The console's billing pages: the operator's (/console/billing: balances, credit used, low and
// paused buyers, what sources are owed, money events; /console/billing/ledger/{account}) and a
// buyer's own view (/console/buyer, logged in with one of its contracts' keys: balance, contracts it
// may pause and resume, leads bought with their trace, returns, statements, invoices).
import type { Context } from "hono";
import { instant, period } from "../../billing/money-text";
import { walletSettingsOf } from "../../billing/wallet";
import type { BuyerBilling } from "../../db/billing";
import { billingPage, ledgerPage, type BuyerBalance } from "../../console/billing-view";
import { buyerLeadPage, buyerPage } from "../../console/buyer-view";
import { invoicePage } from "../../console/invoice-page";
import { statementResponse } from "./admin-statements";
import { principalOf } from "../auth";
import { router, type AppEnv } from "../context";
import { ADMIN_PAGE, OFF, page, type ConsolePath } from "./console";

export const consoleBilling = router();

const NOT_FOUND = '<!doctype html><title>not found</title><p>Not found. <a href="/console/buyer">Back</a></p>';

/** A buyer's balance as the ledger has it, and its wallet's view when it is billed. */
async function balanceOf(c: Context<AppEnv>, b: BuyerBilling, ledger?: Map<string, number>): Promise<BuyerBalance> {
  const { services } = c.var;
  const settings = walletSettingsOf(b);
  const [balanceCents, wallet] = await Promise.all([
    ledger ? (ledger.get(b.id) ?? 0) : services.records.ledger.balance(`buyer:${b.id}`),
    settings ? services.wallets.view(b.id, settings, b.leastPriceCents).catch(() => null) : null,
  ]);
  return { buyer: b, balanceCents, wallet };
}

consoleBilling.get("/console/billing", async (c) => {
  const { services, rules } = c.var;
  const [buyers, buyerBalances, sourceBalances, events] = await Promise.all([
    services.records.billing.buyers(),
    services.records.ledger.balances("buyer:"),
    services.records.ledger.balances("source:"),
    services.records.billing.events(null, 50),
  ]);
  const rows = await Promise.all(buyers.map((b) => balanceOf(c, b, buyerBalances)));
  const sources = [...sourceBalances].map(([id, owedCents]) => ({ id, name: rules.sourcesById.get(id)?.name ?? id, owedCents }));
  return page(c, billingPage(rows, sources, events), 200, true);
});

consoleBilling.get("/console/billing/ledger/:id", async (c) => {
  const account = c.req.param("id").slice(0, 80);
  const [balance, entries] = await Promise.all([
    c.var.services.records.ledger.balance(account),
    c.var.services.records.ledger.latest(account, 200),
  ]);
  return page(c, ledgerPage(account, balance, entries));
});

const DAY = 86_400_000;

consoleBilling.get("/console/buyer", async (c) => {
  const { buyerId } = principalOf(c, "buyer_console");
  const records = c.var.services.records;
  const b = await records.billing.buyer(buyerId);
  if (!b) return page(c, NOT_FOUND, 404);
  const [balance, contracts, bought, returns, invoices] = await Promise.all([
    balanceOf(c, b),
    records.buyerView.contractsOf(buyerId),
    records.buyerView.bought(buyerId, 50),
    records.buyerView.returnsOf(buyerId, 50),
    records.invoices.invoicesOf(buyerId, 24),
  ]);
  const now = Date.now();
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return page(c, buyerPage({ ...balance, contracts, bought, returns, invoices, from: date(now - 30 * DAY), to: date(now) }), 200, true);
});

consoleBilling.get("/console/buyer/leads/:id", async (c) => {
  const { buyerId } = principalOf(c, "buyer_console");
  const id = c.req.param("id").slice(0, 64);
  const trace = await c.var.services.records.buyerView.leadTrace(buyerId, id);
  if (!trace) return page(c, NOT_FOUND, 404);
  return page(c, buyerLeadPage(id, trace.status, trace.rows));
});

consoleBilling.get("/console/buyer/invoices/:id", async (c) => {
  const { buyerId } = principalOf(c, "buyer_console");
  const records = c.var.services.records;
  const inv = await records.invoices.invoice(c.req.param("id").slice(0, 64));
  if (!inv || inv.buyerId !== buyerId) return page(c, NOT_FOUND, 404);
  return page(c, invoicePage(inv, (await records.billing.buyer(buyerId))?.name ?? buyerId));
});

// The form's dates: the end day is included.
consoleBilling.get("/console/buyer/statement", async (c) => {
  const { buyerId } = principalOf(c, "buyer_console");
  const [from, to] = [c.req.query("from") ?? "", c.req.query("to") ?? ""];
  const end = /^\d{4}-\d{2}-\d{2}$/.test(to) ? String((instant(to) ?? 0) + DAY) : to;
  const p = period(from, end);
  if ("field" in p)
    return page(c, `<!doctype html><title>bad period</title><p>${p.field}: ${p.message}. <a href="/console/buyer">Back</a></p>`, 200);
  return statementResponse(c, `buyer:${buyerId}`, p, "csv", `statement-${buyerId}`);
});

for (const action of ["pause", "resume"] as const)
  consoleBilling.post(`/console/buyer/contracts/:id/${action}`, async (c) => {
    const { buyerId } = principalOf(c, "buyer_console");
    await c.var.services.records.buyerView.setOwnPause(buyerId, c.req.param("id").slice(0, 64), action === "pause");
    return c.redirect("/console/buyer", 303);
  });

const BUYER_PAGE = [{ BuyerSession: [] }];

/** The billing pages in the OpenAPI document (HTML, not part of the JSON API). */
export const BILLING_CONSOLE_PATHS: ConsolePath[] = [
  {
    method: "get",
    path: "/console/billing",
    summary: "Balances, credit used, low and paused buyers, what sources are owed (admin session)",
    security: ADMIN_PAGE,
    errors: OFF,
  },
  {
    method: "get",
    path: "/console/billing/ledger/{id}",
    summary: "One account's latest ledger entries (admin session)",
    security: ADMIN_PAGE,
    errors: OFF,
  },
  { method: "get", path: "/console/buyer", summary: "A buyer's own console (buyer session)", security: BUYER_PAGE, errors: OFF },
  {
    method: "get",
    path: "/console/buyer/leads/{id}",
    summary: "A lead it bought, its own pings and posts (buyer session)",
    security: BUYER_PAGE,
    errors: OFF,
  },
  {
    method: "get",
    path: "/console/buyer/invoices/{id}",
    summary: "One of its invoices, printable (buyer session)",
    security: BUYER_PAGE,
    errors: OFF,
  },
  {
    method: "get",
    path: "/console/buyer/statement",
    summary: "Its statement as CSV (?from=&to=, dates; the end day included)",
    security: BUYER_PAGE,
    errors: OFF,
  },
  {
    method: "post",
    path: "/console/buyer/contracts/{id}/pause",
    summary: "Pauses one of its contracts (buyer session)",
    security: BUYER_PAGE,
    errors: OFF,
  },
  {
    method: "post",
    path: "/console/buyer/contracts/{id}/resume",
    summary: "Resumes a contract it paused itself (buyer session)",
    security: BUYER_PAGE,
    errors: OFF,
  },
];
