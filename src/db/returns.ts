// Returns and feedback in the records: what a return is judged on (the lead's origin, an earlier
// return, the contract's last 30 days), the return itself, an admin's decision on a pending one,
// and a buyer's feedback on a lead it bought.
import { RETURN_CAP_PERIOD_MS } from "../returns/policy";
import type { Db } from "./client";
import { returnBooking } from "./ledger";

export interface ReturnRow {
  id: string;
  lead_id: string;
  contract_id: string;
  status: "pending" | "approved" | "denied";
  reason: string;
  price_cents: number;
  clawback_cents: number;
}

export interface ReturnGrounds {
  /** The lead's source and campaign (null: no such lead). */
  lead: { sourceId: string; campaignId: string } | null;
  alreadyReturned: boolean;
  purchases30d: number;
  returns30d: number;
}

/** What a return is judged on: the lead, an earlier return under the contract, and the contract's last 30 days. */
export async function judgedOn(db: Db, leadId: string, contractId: string, now: number): Promise<ReturnGrounds> {
  const lead = await db.$client
    .prepare(`SELECT source_id, campaign_id FROM leads WHERE id = ?`)
    .bind(leadId)
    .first<{ source_id: string; campaign_id: string }>();
  const existing = await db.$client
    .prepare(`SELECT 1 AS x FROM returns WHERE lead_id = ? AND contract_id = ?`)
    .bind(leadId, contractId)
    .first();
  const [p, r] = await db.$client.batch<{ n: number }>([
    db.$client
      .prepare(`SELECT COUNT(*) AS n FROM posts WHERE contract_id = ? AND outcome = 'accepted' AND created_at >= ?`)
      .bind(contractId, now - RETURN_CAP_PERIOD_MS),
    db.$client
      .prepare(`SELECT COUNT(*) AS n FROM returns WHERE contract_id = ? AND status != 'denied' AND created_at >= ?`)
      .bind(contractId, now - RETURN_CAP_PERIOD_MS),
  ]);
  return {
    lead: lead ? { sourceId: lead.source_id, campaignId: lead.campaign_id } : null,
    alreadyReturned: existing !== null,
    purchases30d: Number(p!.results[0]?.n ?? 0),
    returns30d: Number(r!.results[0]?.n ?? 0),
  };
}

export type Filed = "filed" | "already_returned" | "cap_reached";

/**
 * Stores a decided or pending return in one statement that also applies the contract's cap
 * (returns/policy.ts `withinReturnCap`, the same inequality in SQL): D1 runs one statement at a time,
 * so returns filed at once are counted one after another and never all pass. The unique index on
 * (lead, contract) lets one return per lead in. Nothing inserted: the reason, read afterwards.
 */
export async function file(
  db: Db,
  row: ReturnRow,
  by: { sourceId: string; campaignId: string; note: string | null; requestedBy: "buyer" | "admin"; capBps: number },
  now: number,
): Promise<Filed> {
  const since = now - RETURN_CAP_PERIOD_MS;
  const insert = db.$client
    .prepare(
      `INSERT INTO returns (id, lead_id, contract_id, source_id, campaign_id, reason, note, status, requested_by, price_cents, clawback_cents, created_at, decided_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13
       WHERE ((SELECT COUNT(*) FROM returns WHERE contract_id = ?3 AND status != 'denied' AND created_at >= ?14) + 1) * 10000
             <= ?15 * MAX(1, (SELECT COUNT(*) FROM posts WHERE contract_id = ?3 AND outcome = 'accepted' AND created_at >= ?14))
       ON CONFLICT DO NOTHING`,
    )
    .bind(
      row.id,
      row.lead_id,
      row.contract_id,
      by.sourceId,
      by.campaignId,
      row.reason,
      by.note,
      row.status,
      by.requestedBy,
      row.price_cents,
      row.clawback_cents,
      now,
      row.status === "approved" ? now : null,
      since,
      by.capBps,
    );
  // An approved return is booked with it (same batch): the buyer's credit, the source's clawback.
  const [inserted] = await db.$client.batch([insert, returnBooking(db, row.id, row.price_cents, row.clawback_cents, now)]);
  if (inserted?.meta.changes) return "filed";
  const existing = await db.$client
    .prepare(`SELECT 1 AS x FROM returns WHERE lead_id = ? AND contract_id = ?`)
    .bind(row.lead_id, row.contract_id)
    .first();
  return existing ? "already_returned" : "cap_reached";
}

/** Decides a pending return (compare-and-set): the return, or null when it is not pending. */
export async function decide(db: Db, id: string, status: "approved" | "denied", now: number): Promise<ReturnRow | null> {
  const update = db.$client
    .prepare(
      `UPDATE returns SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending' RETURNING id, lead_id, contract_id, status, reason, price_cents, clawback_cents`,
    )
    .bind(status, now, id);
  if (status === "denied") return update.first<ReturnRow>();
  // Approved: booked in the same batch, from the row itself (nothing when it was not pending).
  const pending = await db.$client
    .prepare(`SELECT price_cents, clawback_cents FROM returns WHERE id = ? AND status = 'pending'`)
    .bind(id)
    .first<{ price_cents: number; clawback_cents: number }>();
  if (!pending) return null;
  const [updated] = await db.$client.batch<ReturnRow>([update, returnBooking(db, id, pending.price_cents, pending.clawback_cents, now)]);
  return updated?.results[0] ?? null;
}

/** The buyer that bought under a contract (whose wallet an approved return credits). */
export async function buyerOfContract(db: Db, contractId: string): Promise<string | undefined> {
  const r = await db.$client.prepare(`SELECT buyer_id FROM contracts WHERE id = ?`).bind(contractId).first<{ buyer_id: string }>();
  return r?.buyer_id;
}

export async function exists(db: Db, id: string): Promise<boolean> {
  return (await db.$client.prepare(`SELECT 1 AS x FROM returns WHERE id = ?`).bind(id).first()) !== null;
}

/** A buyer's outcome for a lead it bought; the first one per lead, contract and outcome counts. */
export async function recordFeedback(db: Db, leadId: string, contractId: string, outcome: string, now: number): Promise<void> {
  await db.$client
    .prepare(`INSERT INTO feedback (lead_id, contract_id, outcome, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
    .bind(leadId, contractId, outcome, now)
    .run();
}

/** A return as the queue and GET /admin/returns list it. */
export interface ListedReturn extends ReturnRow {
  source_id: string;
  campaign_id: string;
  note: string | null;
  requested_by: "buyer" | "admin";
  created_at: number;
  decided_at: number | null;
}

/**
 * Returns by status: pending ones oldest first (a queue: the longest waiting on top), decided ones
 * newest first; `after` (an id) pages on in the same order.
 */
export async function list(
  db: Db,
  f: { status?: "pending" | "approved" | "denied"; limit: number; after?: string },
): Promise<ListedReturn[]> {
  const oldestFirst = f.status === "pending";
  const where = [f.status ? `status = ?1` : "1 = 1", f.after ? `id ${oldestFirst ? ">" : "<"} ?2` : "1 = 1"].join(" AND ");
  const r = await db.$client
    .prepare(
      `SELECT id, lead_id, contract_id, source_id, campaign_id, reason, note, status, requested_by, price_cents, clawback_cents, created_at, decided_at
       FROM returns WHERE ${where} ORDER BY id ${oldestFirst ? "ASC" : "DESC"} LIMIT ?3`,
    )
    .bind(f.status ?? null, f.after ?? null, f.limit)
    .all<ListedReturn>();
  return r.results;
}
