// Invoices and payables in the records. An invoice closes a buyer's period: its figures are read from
// the ledger and stored with a number in one guarded insert, which refuses a period overlapping an
// earlier invoice and a ledger that moved since the figures were read (the caller reads again). A
// payable is what each source earned in a period net of clawbacks, and what the exchange owes it.
import { invoiceTotals, type InvoiceLine, type InvoiceTotals } from "../billing/invoice";
import type { Period } from "../billing/money-text";
import type { Db } from "./client";
import type { InvoiceRow } from "./schema";

export interface InvoiceFigures extends InvoiceTotals {
  lines: InvoiceLine[];
  /** What the figures were read from: the ledger must still be exactly this when the invoice is stored. */
  seen: { entries: number; lastId: number };
}

const SUM = `COALESCE(SUM(amount_cents), 0)`;

/** A buyer's period, read from the ledger: sales and returns per campaign, payments, adjustments. */
export async function figures(db: Db, buyerId: string, p: Period): Promise<InvoiceFigures> {
  const acct = `buyer:${buyerId}`;
  const [open, lines, other, seen] = await db.$client.batch<Record<string, unknown>>([
    db.$client.prepare(`SELECT ${SUM} AS c FROM ledger_entries WHERE account = ? AND at < ?`).bind(acct, p.from),
    db.$client
      .prepare(
        `SELECT e.campaign_id, COALESCE(c.name, e.campaign_id) AS campaign,
                SUM(e.kind = 'sale') AS leads, -SUM(CASE WHEN e.kind = 'sale' THEN e.amount_cents ELSE 0 END) AS charges,
                SUM(e.kind = 'return') AS returns, SUM(CASE WHEN e.kind = 'return' THEN e.amount_cents ELSE 0 END) AS credits
         FROM ledger_entries e LEFT JOIN campaigns c ON c.id = e.campaign_id
         WHERE e.account = ? AND e.at >= ? AND e.at < ? AND e.kind IN ('sale', 'return')
         GROUP BY e.campaign_id ORDER BY campaign`,
      )
      .bind(acct, p.from, p.to),
    db.$client
      .prepare(
        `SELECT COALESCE(SUM(CASE WHEN kind IN ('deposit', 'topup') THEN amount_cents ELSE 0 END), 0) AS payments,
                COALESCE(SUM(CASE WHEN kind IN ('credit', 'write_off', 'charge') THEN amount_cents ELSE 0 END), 0) AS adjustments
         FROM ledger_entries WHERE account = ? AND at >= ? AND at < ?`,
      )
      .bind(acct, p.from, p.to),
    db.$client
      .prepare(`SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS last FROM ledger_entries WHERE account = ? AND at < ?`)
      .bind(acct, p.to),
  ]);
  const invoiceLines: InvoiceLine[] = lines!.results.map((r) => ({
    campaignId: String(r.campaign_id ?? ""),
    campaign: String(r.campaign ?? ""),
    leads: Number(r.leads),
    chargesCents: Number(r.charges),
    returns: Number(r.returns),
    creditsCents: Number(r.credits),
  }));
  const o = other!.results[0]!;
  const s = seen!.results[0]!;
  return {
    ...invoiceTotals(Number(open!.results[0]?.c ?? 0), invoiceLines, Number(o.payments), Number(o.adjustments)),
    lines: invoiceLines,
    seen: { entries: Number(s.n), lastId: Number(s.last) },
  };
}

export type Issued = { result: "issued"; invoice: InvoiceRow } | { result: "overlap" } | { result: "changed" };

/** Stores the invoice with the next number, unless its period overlaps one of the buyer's or the ledger moved. */
export async function issue(
  db: Db,
  inv: { id: string; buyerId: string; period: Period; issuedAt: number; figures: InvoiceFigures },
): Promise<Issued> {
  const f = inv.figures;
  const acct = `buyer:${inv.buyerId}`;
  const row = await db.$client
    .prepare(
      `INSERT INTO invoices (id, number, buyer_id, period_from, period_to, issued_at, lines, opening_cents, charges_cents, credits_cents, payments_cents, adjustments_cents, closing_cents)
       SELECT ?1, (SELECT COALESCE(MAX(number), 0) + 1 FROM invoices), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12
       WHERE NOT EXISTS (SELECT 1 FROM invoices WHERE buyer_id = ?2 AND period_from < ?4 AND period_to > ?3)
         AND (SELECT COUNT(*) FROM ledger_entries WHERE account = ?13 AND at < ?4) = ?14
         AND (SELECT COALESCE(MAX(id), 0) FROM ledger_entries WHERE account = ?13 AND at < ?4) = ?15
       RETURNING *`,
    )
    .bind(
      inv.id,
      inv.buyerId,
      inv.period.from,
      inv.period.to,
      inv.issuedAt,
      JSON.stringify(f.lines),
      f.openingCents,
      f.chargesCents,
      f.creditsCents,
      f.paymentsCents,
      f.adjustmentsCents,
      f.closingCents,
      acct,
      f.seen.entries,
      f.seen.lastId,
    )
    .first<Record<string, unknown>>();
  if (row) return { result: "issued", invoice: toInvoice(row) };
  const overlap = await db.$client
    .prepare(`SELECT 1 AS x FROM invoices WHERE buyer_id = ? AND period_from < ? AND period_to > ?`)
    .bind(inv.buyerId, inv.period.to, inv.period.from)
    .first();
  return overlap ? { result: "overlap" } : { result: "changed" };
}

const toInvoice = (r: Record<string, unknown>): InvoiceRow => ({
  id: String(r.id),
  number: Number(r.number),
  buyerId: String(r.buyer_id),
  periodFrom: Number(r.period_from),
  periodTo: Number(r.period_to),
  issuedAt: Number(r.issued_at),
  lines: String(r.lines),
  openingCents: Number(r.opening_cents),
  chargesCents: Number(r.charges_cents),
  creditsCents: Number(r.credits_cents),
  paymentsCents: Number(r.payments_cents),
  adjustmentsCents: Number(r.adjustments_cents),
  closingCents: Number(r.closing_cents),
});

export async function invoice(db: Db, id: string): Promise<InvoiceRow | undefined> {
  const r = await db.$client.prepare(`SELECT * FROM invoices WHERE id = ?`).bind(id).first<Record<string, unknown>>();
  return r ? toInvoice(r) : undefined;
}

/** A buyer's invoices, newest period first. */
export async function invoicesOf(db: Db, buyerId: string, limit = 100): Promise<InvoiceRow[]> {
  const res = await db.$client
    .prepare(`SELECT * FROM invoices WHERE buyer_id = ? ORDER BY period_from DESC LIMIT ?`)
    .bind(buyerId, limit)
    .all<Record<string, unknown>>();
  return res.results.map(toInvoice);
}

export interface PayableRow {
  sourceId: string;
  name: string;
  openingCents: number;
  earnedCents: number;
  clawbackCents: number;
  paidCents: number;
  /** What the exchange owes the source at the end of the period. */
  closingCents: number;
}

/** What each source earned, gave back and was paid in the period, and what it is owed at its end. */
export async function payables(db: Db, p: Period): Promise<PayableRow[]> {
  const res = await db.$client
    .prepare(
      `SELECT s.id, s.name,
         COALESCE(SUM(CASE WHEN e.at < ?1 THEN e.amount_cents END), 0) AS opening,
         COALESCE(SUM(CASE WHEN e.at >= ?1 AND e.at < ?2 AND e.kind = 'sale' THEN e.amount_cents END), 0) AS earned,
         -COALESCE(SUM(CASE WHEN e.at >= ?1 AND e.at < ?2 AND e.kind = 'return' THEN e.amount_cents END), 0) AS clawback,
         -COALESCE(SUM(CASE WHEN e.at >= ?1 AND e.at < ?2 AND e.kind = 'payment' THEN e.amount_cents END), 0) AS paid,
         COALESCE(SUM(CASE WHEN e.at < ?2 THEN e.amount_cents END), 0) AS closing
       FROM sources s LEFT JOIN ledger_entries e ON e.account = 'source:' || s.id
       GROUP BY s.id ORDER BY s.name`,
    )
    .bind(p.from, p.to)
    .all<{ id: string; name: string; opening: number; earned: number; clawback: number; paid: number; closing: number }>();
  return res.results.map((r) => ({
    sourceId: r.id,
    name: r.name,
    openingCents: Number(r.opening),
    earnedCents: Number(r.earned),
    clawbackCents: Number(r.clawback),
    paidCents: Number(r.paid),
    closingCents: Number(r.closing),
  }));
}
