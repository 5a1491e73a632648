// Resales in the records (src/pipeline/resale.ts): offers scheduled when a lead ends or a return is
// approved, the cron's bounded, indexed batches (what is due, lost messages, rounds that died, TrustedForm
// certificates to check in), a round taken by compare-and-set, and its record: pings, posts, events,
// rollups, the lead's money and the offer's outcome, in one D1 batch (one round trip, atomic).
import { and, eq, inArray, lt } from "drizzle-orm";
import type { PlannedOffer } from "../resale/policy";
import { RESALE_ROUND_BASE } from "../resale/policy";
import { newId } from "../lib/ids";
import type { Db } from "./client";
import { rollupStatements } from "./rollups";
import { chunk, eventStatements, insertPings, raw, type LeadEvent } from "./rounds";
import { saleBookings } from "./ledger";
import * as t from "./schema";
import type { PingRow, PostRow, ResaleRow } from "./schema";

/**
 * The statements that schedule a lead's offers (one per offer, numbered after the lead's earlier
 * ones), for a batch of their own or a round's record. Only a finished, unredacted lead gets one; a
 * tier or a return already offered is ignored.
 */
export function offerStatements(db: Db, leadId: string, campaignId: string, offers: PlannedOffer[], now: number): D1PreparedStatement[] {
  return offers.map((o) =>
    db.$client
      .prepare(
        `INSERT OR IGNORE INTO resales (id, lead_id, campaign_id, reason, tier_days, return_id, returned_contract_id, round, status, due_at, floor_cents, cert_check, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 + (SELECT COUNT(*) FROM resales WHERE lead_id = ?2), 'scheduled', ?9, ?10, ?11, ?12
         WHERE EXISTS (SELECT 1 FROM leads WHERE id = ?2 AND status IN ('sold', 'unsold') AND redacted_at IS NULL)`,
      )
      .bind(
        newId("rs"),
        leadId,
        campaignId,
        o.reason,
        o.tierDays,
        o.returnId ?? null,
        o.returnedContractId ?? null,
        RESALE_ROUND_BASE,
        o.dueAt,
        o.floorCents,
        o.certCheck ? 1 : 0,
        now,
      ),
  );
}

/** Schedules offers on their own (a return approved, a lead the dead-letter queue ended); how many were new. */
export async function schedule(db: Db, leadId: string, campaignId: string, offers: PlannedOffer[], now: number): Promise<number> {
  if (offers.length === 0) return 0;
  const results = await db.$client.batch(offerStatements(db, leadId, campaignId, offers, now));
  return results.reduce((n, r) => n + (r.meta.changes ?? 0), 0);
}

/** Marks up to `limit` due offers queued, oldest first, in one statement; their ids. */
export async function queueDue(db: Db, now: number, limit: number): Promise<string[]> {
  const rows = await db.$client
    .prepare(
      `UPDATE resales SET status = 'queued', queued_at = ?1
       WHERE id IN (SELECT id FROM resales WHERE status = 'scheduled' AND due_at <= ?1 ORDER BY due_at LIMIT ?2) AND status = 'scheduled'
       RETURNING id`,
    )
    .bind(now, limit)
    .all<{ id: string }>();
  return rows.results.map((r) => r.id);
}

/** Offers queued before `before` whose round never started (a lost message): scheduled again. */
export async function requeueLost(db: Db, before: number): Promise<number> {
  const res = await db.$client
    .prepare(`UPDATE resales SET status = 'scheduled', queued_at = NULL WHERE status = 'queued' AND queued_at < ?`)
    .bind(before)
    .run();
  return res.meta.changes ?? 0;
}

/** Rounds started before `before` and never recorded: their worker died. */
export async function stuck(db: Db, before: number, limit: number): Promise<ResaleRow[]> {
  return db
    .select()
    .from(t.resales)
    .where(and(eq(t.resales.status, "running"), lt(t.resales.startedAt, before)))
    .limit(limit);
}

/** Takes an offer for its round (queued or scheduled → running): the row, or null if another took it or it is over. */
export async function take(db: Db, id: string, now: number): Promise<ResaleRow | null> {
  const [row] = await db
    .update(t.resales)
    .set({ status: "running", startedAt: now })
    .where(and(eq(t.resales.id, id), inArray(t.resales.status, ["queued", "scheduled"])))
    .returning();
  return row ?? null;
}

/** Who had the lead before: buyers sent it (whatever they answered) or found to have it, the returner's buyer, the payout it kept. */
export async function history(db: Db, leadId: string, returnedContractId: string | null) {
  const [sent, returner, clawed, accepted] = await db.$client.batch<Record<string, string | number | null>>([
    db.$client
      .prepare(
        `SELECT DISTINCT c.buyer_id FROM posts p JOIN contracts c ON c.id = p.contract_id
         WHERE p.lead_id = ? AND p.outcome IN ('accepted', 'rejected', 'error', 'timeout', 'duplicate')`,
      )
      .bind(leadId),
    db.$client.prepare(`SELECT buyer_id FROM contracts WHERE id = ?`).bind(returnedContractId ?? ""),
    db.$client
      .prepare(`SELECT COALESCE(SUM(clawback_cents), 0) AS cents FROM returns WHERE lead_id = ? AND status = 'approved'`)
      .bind(leadId),
    db.$client.prepare(`SELECT contract_id FROM posts WHERE lead_id = ? AND outcome = 'accepted'`).bind(leadId),
  ]);
  return {
    hadIt: new Set(sent!.results.map((r) => String(r.buyer_id))),
    returnedBuyer: returner!.results[0] ? String(returner!.results[0].buyer_id) : null,
    clawbackCents: Number(clawed!.results[0]?.cents ?? 0),
    /** Contracts with a recorded sale of the lead (a journaled sale missing from them was never recorded). */
    bought: new Set(accepted!.results.map((r) => String(r.contract_id))),
  };
}

/** An offer that ends without a round (the lead may not be offered, or its round could not run), with an event. */
export async function finish(
  db: Db,
  id: string,
  leadId: string,
  status: "skipped" | "unsold",
  reason: string,
  now: number,
  event: LeadEvent,
): Promise<boolean> {
  const [res] = await db.$client.batch([
    db.$client
      .prepare(`UPDATE resales SET status = ?, outcome_reason = ?, done_at = ? WHERE id = ? AND status = 'running'`)
      .bind(status, reason.slice(0, 300), now, id),
    ...eventStatements(db, leadId, [event]),
  ]);
  return (res!.meta.changes ?? 0) > 0;
}

/** An offer whose queued round kept failing: skipped, not queued again. */
export async function giveUp(db: Db, id: string, reason: string, now: number): Promise<void> {
  await db.$client
    .prepare(`UPDATE resales SET status = 'skipped', outcome_reason = ?, done_at = ? WHERE id = ? AND status IN ('scheduled', 'queued')`)
    .bind(reason, now, id)
    .run();
}

export interface ResaleRecord {
  resaleId: string;
  leadId: string;
  round: number;
  pings: PingRow[];
  /** Each carries the resale's id. */
  posts: PostRow[];
  events: LeadEvent[];
  sold: number;
  reason: string | null;
  priceCents: number;
  payoutCents: number;
  marginCents: number;
}

/**
 * A resale round's record, in one batch: its rows and rollups, then the lead's money (an unsold lead
 * that sold now becomes sold) and the offer's outcome. The money is added only while the offer is
 * still running, so a replayed record adds nothing.
 */
export async function recordResale(db: Db, r: ResaleRecord, now: number): Promise<void> {
  await db.$client.batch([
    ...(r.pings.length ? [insertPings(db, r.pings)] : []),
    ...chunk(r.posts, 8).map((part) => raw(db, db.insert(t.posts).values(part).onConflictDoNothing())),
    // A resale's sales are booked with their posts, as a live round's are (keyed by lead and contract: once).
    ...saleBookings(db, r.leadId, r.posts, now),
    ...eventStatements(db, r.leadId, r.events),
    ...rollupStatements(db, r.leadId, r.round, r.pings, r.posts, now),
    db.$client
      .prepare(
        `UPDATE leads SET status = CASE WHEN ?1 > 0 THEN 'sold' ELSE status END, price_cents = price_cents + ?2,
                payout_cents = payout_cents + ?3, margin_cents = margin_cents + ?4, updated_at = ?5
         WHERE id = ?6 AND status IN ('sold', 'unsold') AND EXISTS (SELECT 1 FROM resales WHERE id = ?7 AND status = 'running')`,
      )
      .bind(r.sold, r.priceCents, r.payoutCents, r.marginCents, now, r.leadId, r.resaleId),
    db.$client
      .prepare(
        `UPDATE resales SET status = ?1, outcome_reason = ?2, buyers = ?3, price_cents = ?4, payout_cents = ?5, margin_cents = ?6, done_at = ?7
         WHERE id = ?8 AND status = 'running'`,
      )
      .bind(r.sold > 0 ? "sold" : "unsold", r.reason, r.sold, r.priceCents, r.payoutCents, r.marginCents, now, r.resaleId),
  ]);
}

/** Leads whose TrustedForm certificate waits to be checked in for a resale (at most `limit`). */
export async function certChecksDue(db: Db, limit: number) {
  return (
    await db.$client
      .prepare(
        `SELECT id, created_at, consent, cert_until, redacted_at FROM leads
         WHERE id IN (SELECT DISTINCT lead_id FROM resales WHERE cert_check = 1 LIMIT ?)`,
      )
      .bind(limit)
      .all<{ id: string; created_at: number; consent: string | null; cert_until: number | null; redacted_at: number | null }>()
  ).results;
}

/** A certificate checked in (claimable until `until`), or given up on (null): its offers wait no more. */
export async function certChecked(db: Db, leadId: string, until: number | null): Promise<void> {
  await db.$client.batch([
    db.$client.prepare(`UPDATE leads SET cert_until = COALESCE(?, cert_until) WHERE id = ?`).bind(until, leadId),
    db.$client.prepare(`UPDATE resales SET cert_check = 0 WHERE lead_id = ? AND cert_check = 1`).bind(leadId),
  ]);
}
