// The circuit breakers' records: the outcome counts they are judged on (from pings and posts, over
// the contract index), their states (contract_health) and their transitions (breaker_events).
import { NO_OUTCOMES, type OutcomeCounts } from "../auction/breaker";
import type { Health } from "../rules/model";
import type { Db } from "./client";
import * as t from "./schema";

type Row = Record<string, number | string | null>;

/** Outcome counts per contract, each from its own start time: two indexed queries in one batch. */
export async function outcomeCounts(db: Db, spans: { id: string; from: number }[]): Promise<Map<string, OutcomeCounts>> {
  const out = new Map<string, OutcomeCounts>();
  if (spans.length === 0) return out;
  const json = JSON.stringify(spans);
  const span = `SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.from') AS since FROM json_each(?)`;
  const [pings, posts] = await db.$client.batch<Row>([
    db.$client
      .prepare(
        `SELECT s.id AS contract_id,
                SUM(p.outcome != 'skipped') AS pings,
                SUM(p.outcome IN ('timeout', 'late')) AS timeouts,
                SUM(p.outcome IN ('error', 'invalid')) AS errors
         FROM (${span}) AS s JOIN pings AS p ON p.contract_id = s.id AND p.created_at >= s.since GROUP BY s.id`,
      )
      .bind(json),
    db.$client
      .prepare(
        `SELECT s.id AS contract_id,
                SUM(p.outcome IN ('accepted', 'rejected', 'error', 'timeout')) AS posts,
                SUM(p.outcome = 'accepted') AS accepted,
                SUM(p.outcome = 'rejected') AS rejected,
                SUM(p.outcome = 'timeout') AS timeouts,
                SUM(p.outcome = 'error') AS errors
         FROM (${span}) AS s JOIN posts AS p ON p.contract_id = s.id AND p.created_at >= s.since GROUP BY s.id`,
      )
      .bind(json),
  ]);
  const n = (v: unknown) => Number(v ?? 0);
  const of = (id: string) => out.get(id) ?? out.set(id, { ...NO_OUTCOMES }).get(id)!;
  for (const r of pings!.results)
    Object.assign(of(String(r.contract_id)), { pings: n(r.pings), pingTimeouts: n(r.timeouts), pingErrors: n(r.errors) });
  for (const r of posts!.results)
    Object.assign(of(String(r.contract_id)), {
      posts: n(r.posts),
      accepted: n(r.accepted),
      rejected: n(r.rejected),
      postTimeouts: n(r.timeouts),
      postErrors: n(r.errors),
    });
  return out;
}

export async function healthStates(db: Db): Promise<Map<string, Health>> {
  const rows = await db.select().from(t.contractHealth);
  return new Map(rows.map((r) => [r.contractId, { state: r.state, reason: r.reason, since: r.since, until: r.until, trips: r.trips }]));
}

export interface HealthChange {
  contractId: string;
  from: Health;
  to: Health;
  at: number;
}

/** The new states and their transitions, in one batch. */
export async function saveHealthChanges(db: Db, changes: HealthChange[]): Promise<void> {
  if (changes.length === 0) return;
  const statements = changes.flatMap((c) => [
    db
      .insert(t.contractHealth)
      .values({ contractId: c.contractId, ...c.to })
      .onConflictDoUpdate({
        target: t.contractHealth.contractId,
        set: { state: c.to.state, reason: c.to.reason, since: c.to.since, until: c.to.until, trips: c.to.trips },
      }),
    db
      .insert(t.breakerEvents)
      .values({ contractId: c.contractId, at: c.at, fromState: c.from.state, toState: c.to.state, reason: c.to.reason }),
  ]);
  await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
}

/** Trips per contract in a time range (for the buyer report). */
export async function tripsIn(db: Db, from: number, to: number): Promise<Map<string, number>> {
  const rows = (
    await db.$client
      .prepare(`SELECT contract_id, COUNT(*) AS n FROM breaker_events WHERE to_state = 'open' AND at >= ? AND at < ? GROUP BY contract_id`)
      .bind(from, to)
      .all<Row>()
  ).results;
  return new Map(rows.map((r) => [String(r.contract_id), Number(r.n)]));
}
