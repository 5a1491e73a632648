// A lead's round as written to the records: its pings, posts, their ledger entries, events and
// rollups with the lead's move, all in one D1 batch (one round trip, atomic). Status changes are compare-and-set over the
// lead state machine, so a racing worker or a redelivered message can never move a lead backwards.
import { and, eq, inArray, sql } from "drizzle-orm";
import { isFinal, sourcesOf } from "../lead/state";
import type { Db } from "./client";
import { erasedLeadTotals } from "./erasure";
import { saleBookings } from "./ledger";
import type { PlannedOffer } from "../resale/policy";
import { offerStatements } from "./resale";
import { rollupStatements } from "./rollups";
import * as t from "./schema";
import type { LeadStatus, PingRow, PostRow } from "./schema";

// D1 binds at most 100 parameters per statement: insert multi-row values in chunks.
export function chunk<T>(rows: T[], perStatement: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += perStatement) out.push(rows.slice(i, i + perStatement));
  return out;
}

/**
 * All of a round's ping rows in one statement with one bound parameter (a JSON array expanded by
 * SQLite's json_each): no 100-parameter chunking and far less per-row work than a multi-row
 * VALUES list, which matters at 100 buyers per lead.
 */
const PING_COLUMNS = [
  "id",
  "leadId",
  "contractId",
  "attempt",
  "outcome",
  "reason",
  "httpStatus",
  "latencyMs",
  "bidCents",
  "effectiveCents",
  "bidToken",
] as const;
const INSERT_PINGS_SQL = `INSERT OR IGNORE INTO pings
  (id, lead_id, contract_id, attempt, outcome, reason, http_status, latency_ms, bid_cents, effective_cents, bid_token)
  SELECT ${PING_COLUMNS.map((k) => `json_extract(j.value, '$.${k}')`).join(", ")} FROM json_each(?) AS j`;

export function insertPings(db: Db, rows: PingRow[]): D1PreparedStatement {
  return db.$client.prepare(INSERT_PINGS_SQL).bind(JSON.stringify(rows));
}

/** Drizzle builds the statement; D1 runs it (so it can share a batch with hand-written SQL). */
export function raw(db: Db, q: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const { sql: text, params } = q.toSQL();
  return db.$client.prepare(text).bind(...params);
}

export interface LeadEvent {
  kind: string;
  detail?: Record<string, unknown>;
  at?: number;
}

export function eventStatements(db: Db, leadId: string, events: LeadEvent[]): D1PreparedStatement[] {
  const now = Date.now();
  return chunk(events, 20).map((part) =>
    raw(
      db,
      db
        .insert(t.leadEvents)
        .values(part.map((e) => ({ leadId, at: e.at ?? now, kind: e.kind, detail: e.detail ? JSON.stringify(e.detail) : null }))),
    ),
  );
}

export interface RoundRecord {
  leadId: string;
  pings: PingRow[];
  posts: PostRow[];
  events: LeadEvent[];
  /** The status the lead moves to, guarded by the state machine. */
  status: LeadStatus;
  reason: string | null;
  priceCents: number;
  payoutCents: number;
  marginCents: number;
  attempts?: number;
  /** Resale offers (aged tiers) for a lead this round ends: scheduled in the same batch. */
  offers?: { campaignId: string; planned: PlannedOffer[] };
}

export async function recordEvents(db: Db, leadId: string, events: LeadEvent[]): Promise<void> {
  await db.$client.batch(eventStatements(db, leadId, events));
}

/** Records one auction round and moves the lead, in one D1 batch (one round trip, atomic). */
export async function recordRound(db: Db, r: RoundRecord): Promise<void> {
  const now = Date.now();
  const final = isFinal(r.status);
  const statements: D1PreparedStatement[] = [
    ...(r.pings.length ? [insertPings(db, r.pings)] : []),
    ...chunk(r.posts, 8).map((part) => raw(db, db.insert(t.posts).values(part).onConflictDoNothing())),
    // The sales are booked with their posts: the ledger never lacks a sale the records have, nor the reverse.
    ...saleBookings(db, r.leadId, r.posts, now),
    ...eventStatements(db, r.leadId, r.events),
    ...rollupStatements(db, r.leadId, r.pings[0]?.attempt ?? r.posts[0]?.attempt ?? 0, r.pings, r.posts, now),
    raw(
      db,
      db
        .update(t.leads)
        .set({
          status: r.status,
          reason: r.reason,
          priceCents: sql`${t.leads.priceCents} + ${r.priceCents}`,
          payoutCents: sql`${t.leads.payoutCents} + ${r.payoutCents}`,
          marginCents: sql`${t.leads.marginCents} + ${r.marginCents}`,
          updatedAt: now,
          ...(final ? { finalAt: now } : {}),
          ...(r.attempts !== undefined ? { attempts: r.attempts } : {}),
        })
        .where(and(eq(t.leads.id, r.leadId), inArray(t.leads.status, sourcesOf(r.status)))),
    ),
    // A lead erased while this round ran keeps its status; the money of the sales is still its own.
    ...(r.posts.some((p) => p.outcome === "accepted") ? [erasedLeadTotals(db, r.leadId)] : []),
    // After the lead's move: an offer is scheduled only for a lead that did end.
    ...(r.offers?.planned.length ? offerStatements(db, r.leadId, r.offers.campaignId, r.offers.planned, now) : []),
  ];
  await db.$client.batch(statements);
}

/** A lead that ended before any post, with the pings its round sent meanwhile (one batch). */
export async function recordEarlyEnd(
  db: Db,
  leadId: string,
  status: "rejected" | "duplicate",
  reason: string,
  opts: { duplicateOf?: string | null; pings?: PingRow[] } = {},
): Promise<void> {
  const now = Date.now();
  const duplicateOf = opts.duplicateOf ?? null;
  await db.$client.batch([
    ...(opts.pings?.length ? [insertPings(db, opts.pings)] : []),
    raw(
      db,
      db
        .update(t.leads)
        .set({ status, reason, duplicateOf, updatedAt: now, finalAt: now })
        .where(and(eq(t.leads.id, leadId), inArray(t.leads.status, sourcesOf(status)))),
    ),
    ...eventStatements(db, leadId, [{ kind: "final", detail: { status, reason, duplicate_of: duplicateOf } }]),
    ...rollupStatements(db, leadId, 0, opts.pings ?? [], [], now),
  ]);
}
