// Writes and reads of lead records. Status changes are compare-and-set over the lead state
// machine, so a racing worker or a redelivered message can never move a lead backwards.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { isFinal, sourcesOf } from "../lead/state";
import type { Db } from "./client";
import * as t from "./schema";
import type { LeadStatus, PingRow, PostRow } from "./schema";

// D1 binds at most 100 parameters per statement: insert multi-row values in chunks.
function chunk<T>(rows: T[], perStatement: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += perStatement) out.push(rows.slice(i, i + perStatement));
  return out;
}

/**
 * All of a round's ping rows in one statement with one bound parameter (a JSON array expanded by
 * SQLite's json_each): no 100-parameter chunking and far less per-row work than a multi-row
 * VALUES list, which matters at 100 buyers per lead.
 */
const PING_COLUMNS = ["id", "leadId", "contractId", "attempt", "outcome", "reason", "httpStatus", "latencyMs", "bidCents", "effectiveCents", "bidToken"] as const;
const INSERT_PINGS_SQL = `INSERT OR IGNORE INTO pings
  (id, lead_id, contract_id, attempt, outcome, reason, http_status, latency_ms, bid_cents, effective_cents, bid_token)
  SELECT ${PING_COLUMNS.map((k) => `json_extract(j.value, '$.${k}')`).join(", ")} FROM json_each(?) AS j`;

function insertPings(db: Db, rows: PingRow[]): D1PreparedStatement {
  return db.$client.prepare(INSERT_PINGS_SQL).bind(JSON.stringify(rows));
}

/** Drizzle builds the statement; D1 runs it (so it can share a batch with hand-written SQL). */
function raw(db: Db, q: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
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
    raw(db, db.insert(t.leadEvents).values(part.map((e) => ({ leadId, at: e.at ?? now, kind: e.kind, detail: e.detail ? JSON.stringify(e.detail) : null })))),
  );
}

export async function recordEvents(db: Db, leadId: string, events: LeadEvent[]): Promise<void> {
  await db.$client.batch(eventStatements(db, leadId, events));
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
}

/** Records one auction round and moves the lead, in one D1 batch (one round trip, atomic). */
export async function recordRound(db: Db, r: RoundRecord): Promise<void> {
  const now = Date.now();
  const final = isFinal(r.status);
  const statements: D1PreparedStatement[] = [
    ...(r.pings.length ? [insertPings(db, r.pings)] : []),
    ...chunk(r.posts, 8).map((part) => raw(db, db.insert(t.posts).values(part).onConflictDoNothing())),
    ...eventStatements(db, r.leadId, r.events),
    raw(db, db
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
      .where(and(eq(t.leads.id, r.leadId), inArray(t.leads.status, sourcesOf(r.status))))),
  ];
  await db.$client.batch(statements);
}

/** Ends a lead before any auction (rejected, duplicate), with its trace, in one batch. */
export async function recordEarlyEnd(
  db: Db,
  leadId: string,
  status: "rejected" | "duplicate",
  reason: string,
  duplicateOf: string | null = null,
): Promise<void> {
  const now = Date.now();
  await db.$client.batch([
    raw(
      db,
      db
        .update(t.leads)
        .set({ status, reason, duplicateOf, updatedAt: now, finalAt: now })
        .where(and(eq(t.leads.id, leadId), inArray(t.leads.status, sourcesOf(status)))),
    ),
    ...eventStatements(db, leadId, [{ kind: "final", detail: { status, reason, duplicate_of: duplicateOf } }]),
  ]);
}

/** Moves a lead if the state machine allows it from its current state; true when it moved. */
export async function transition(db: Db, leadId: string, to: LeadStatus, reason: string | null = null): Promise<boolean> {
  const now = Date.now();
  const res = await db
    .update(t.leads)
    .set({ status: to, reason, updatedAt: now, ...(isFinal(to) ? { finalAt: now } : {}) })
    .where(and(eq(t.leads.id, leadId), inArray(t.leads.status, sourcesOf(to))))
    .returning({ id: t.leads.id });
  return res.length > 0;
}

export interface LeadSummary {
  lead: typeof t.leads.$inferSelect;
  sales: { contractId: string; buyerId: string; buyerName: string; priceCents: number; payoutCents: number }[];
}

export async function leadSummary(db: Db, leadId: string): Promise<LeadSummary | undefined> {
  const [leadRows, saleRows] = await db.batch([
    db.select().from(t.leads).where(eq(t.leads.id, leadId)),
    db
      .select({
        contractId: t.posts.contractId,
        buyerId: t.buyers.id,
        buyerName: t.buyers.name,
        priceCents: t.posts.priceCents,
        payoutCents: t.posts.payoutCents,
      })
      .from(t.posts)
      .innerJoin(t.contracts, eq(t.contracts.id, t.posts.contractId))
      .innerJoin(t.buyers, eq(t.buyers.id, t.contracts.buyerId))
      .where(and(eq(t.posts.leadId, leadId), eq(t.posts.outcome, "accepted")))
      .orderBy(asc(t.posts.createdAt)),
  ]);
  const lead = leadRows[0];
  return lead ? { lead, sales: saleRows } : undefined;
}

export async function leadTrace(db: Db, leadId: string) {
  const [events, pings, posts] = await db.batch([
    db.select().from(t.leadEvents).where(eq(t.leadEvents.leadId, leadId)).orderBy(asc(t.leadEvents.at), asc(t.leadEvents.id)),
    db.select().from(t.pings).where(eq(t.pings.leadId, leadId)).orderBy(asc(t.pings.createdAt)),
    db.select().from(t.posts).where(eq(t.posts.leadId, leadId)).orderBy(asc(t.posts.createdAt)),
  ]);
  return { events, pings, posts };
}
