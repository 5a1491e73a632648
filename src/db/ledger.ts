// The ledger in D1: bookings (idempotent per entry key and account; refused inside a buyer's
// invoiced period), the sale and return legs written in the same batch as the sale or the return,
// balances, and statements paged through any number of entries. The amounts come from the booking
// rules (billing/ledger.ts); this module only names the accounts and writes.
import { account, returnLegs, saleKey, saleLegs, type EntryKind, type Leg } from "../billing/ledger";
import type { Period } from "../billing/money-text";
import type { Db } from "./client";

export interface Booking {
  key: string;
  kind: EntryKind;
  legs: Leg[];
  /** The buyer and source the legs name (by party). */
  buyerId?: string;
  sourceId?: string;
  at: number;
  reference?: string | null;
  memo?: string | null;
  bookedBy: string;
}

export type Booked = { result: "booked" } | { result: "exists"; amountCents: number } | { result: "period_closed" };

const legsJson = (b: Pick<Booking, "legs" | "buyerId" | "sourceId">) =>
  JSON.stringify(b.legs.map((l) => ({ account: account(l.party, l.party === "buyer" ? b.buyerId : b.sourceId), amount: l.amountCents })));

/**
 * Books an entry, all legs at once, unless its key is booked already or its time falls in a period
 * of its buyer that an invoice closed (one statement: atomic against an invoice issued meanwhile).
 */
export async function book(db: Db, b: Booking): Promise<Booked> {
  const res = await db.$client
    .prepare(
      `INSERT INTO ledger_entries (entry_key, account, amount_cents, kind, at, reference, memo, booked_by)
       SELECT ?1, json_extract(j.value, '$.account'), json_extract(j.value, '$.amount'), ?2, ?3, ?4, ?5, ?6 FROM json_each(?7) AS j
       WHERE NOT EXISTS (SELECT 1 FROM invoices WHERE buyer_id = ?8 AND period_from <= ?3 AND period_to > ?3)
         AND NOT EXISTS (SELECT 1 FROM ledger_entries WHERE entry_key = ?1)
       ON CONFLICT DO NOTHING`,
    )
    .bind(b.key, b.kind, b.at, b.reference ?? null, b.memo ?? null, b.bookedBy, legsJson(b), b.buyerId ?? null)
    .run();
  if (res.meta.changes > 0) return { result: "booked" };
  const first = b.legs[0]!;
  const existing = await db.$client
    .prepare(`SELECT amount_cents FROM ledger_entries WHERE entry_key = ? AND account = ?`)
    .bind(b.key, account(first.party, first.party === "buyer" ? b.buyerId : b.sourceId))
    .first<{ amount_cents: number }>();
  return existing ? { result: "exists", amountCents: Math.abs(existing.amount_cents) } : { result: "period_closed" };
}

/** The accounts a sale or return leg names, from its contract (the buyer) and its lead or return (the source). */
const PARTY_ACCOUNT = `CASE json_extract(j.value, '$.party') WHEN 'buyer' THEN 'buyer:' || c.buyer_id WHEN 'source' THEN 'source:' || x.source_id ELSE 'house' END`;

/** A round's sales booked with its records (same batch): the legs of each accepted post. */
export function saleBookings(
  db: Db,
  leadId: string,
  posts: { contractId: string; outcome: string; priceCents: number; payoutCents?: number }[],
  at: number,
): D1PreparedStatement[] {
  const legs = posts
    .filter((p) => p.outcome === "accepted")
    .flatMap((p) =>
      saleLegs(p.priceCents, p.payoutCents ?? 0).map((l) => ({
        key: saleKey(leadId, p.contractId),
        contract: p.contractId,
        party: l.party,
        amount: l.amountCents,
      })),
    );
  if (legs.length === 0) return [];
  return [
    db.$client
      .prepare(
        `INSERT INTO ledger_entries (entry_key, account, amount_cents, kind, at, lead_id, contract_id, campaign_id, booked_by)
         SELECT json_extract(j.value, '$.key'), ${PARTY_ACCOUNT}, json_extract(j.value, '$.amount'), 'sale', ?2, ?1, c.id, x.campaign_id, 'auction'
         FROM json_each(?3) AS j JOIN contracts c ON c.id = json_extract(j.value, '$.contract') JOIN leads x ON x.id = ?1
         WHERE true
         ON CONFLICT DO NOTHING`,
      )
      .bind(leadId, at, JSON.stringify(legs)),
  ];
}

/** An approved return booked with its decision (same batch): nothing unless the return is approved. */
export function returnBooking(db: Db, returnId: string, creditCents: number, clawbackCents: number, at: number): D1PreparedStatement {
  const legs = returnLegs(creditCents, clawbackCents).map((l) => ({ party: l.party, amount: l.amountCents }));
  return db.$client
    .prepare(
      `INSERT INTO ledger_entries (entry_key, account, amount_cents, kind, at, lead_id, contract_id, campaign_id, booked_by)
       SELECT 'return:' || x.lead_id || ':' || x.contract_id, ${PARTY_ACCOUNT}, json_extract(j.value, '$.amount'), 'return', ?2, x.lead_id, x.contract_id, x.campaign_id, 'returns'
       FROM json_each(?3) AS j JOIN returns x ON x.id = ?1 JOIN contracts c ON c.id = x.contract_id
       WHERE x.status = 'approved'
       ON CONFLICT DO NOTHING`,
    )
    .bind(returnId, at, JSON.stringify(legs));
}

/** An account's balance (before `before`, if given). */
export async function balance(db: Db, acct: string, before?: number): Promise<number> {
  const row = await db.$client
    .prepare(`SELECT COALESCE(SUM(amount_cents), 0) AS c FROM ledger_entries WHERE account = ? AND at < ?`)
    .bind(acct, before ?? Number.MAX_SAFE_INTEGER)
    .first<{ c: number }>();
  return Number(row?.c ?? 0);
}

export interface StatementRow {
  id: number;
  at: number;
  kind: EntryKind;
  entry_key: string;
  amount_cents: number;
  lead_id: string | null;
  contract_id: string | null;
  campaign_id: string | null;
  reference: string | null;
  memo: string | null;
  booked_by: string | null;
}

/** One page of an account's entries in [from, to), in booking order, after the cursor (at, id). */
export async function statementPage(
  db: Db,
  acct: string,
  p: Period,
  after: { at: number; id: number } | null,
  limit: number,
): Promise<StatementRow[]> {
  const res = await db.$client
    .prepare(
      `SELECT id, at, kind, entry_key, amount_cents, lead_id, contract_id, campaign_id, reference, memo, booked_by FROM ledger_entries
       WHERE account = ?1 AND at >= ?2 AND at < ?3 AND (at > ?4 OR (at = ?4 AND id > ?5))
       ORDER BY at, id LIMIT ?6`,
    )
    .bind(acct, p.from, p.to, after?.at ?? -1, after?.id ?? -1, limit)
    .all<StatementRow>();
  return res.results;
}

/** Every account's balance under a prefix (buyer:, source:), for the console. */
export async function balances(db: Db, prefix: "buyer:" | "source:"): Promise<Map<string, number>> {
  const res = await db.$client
    .prepare(`SELECT account, SUM(amount_cents) AS c FROM ledger_entries WHERE account >= ?1 AND account < ?1 || '~' GROUP BY account`)
    .bind(prefix)
    .all<{ account: string; c: number }>();
  return new Map(res.results.map((r) => [r.account.slice(prefix.length), Number(r.c)]));
}

/** An account's latest entries, newest first (the console). */
export async function latest(db: Db, acct: string, limit: number): Promise<StatementRow[]> {
  const res = await db.$client
    .prepare(
      `SELECT id, at, kind, entry_key, amount_cents, lead_id, contract_id, campaign_id, reference, memo, booked_by FROM ledger_entries WHERE account = ? ORDER BY at DESC, id DESC LIMIT ?`,
    )
    .bind(acct, limit)
    .all<StatementRow>();
  return res.results;
}
