// Events and their deliveries in the records. Storing an event creates one pending delivery per
// active subscription that wants it, in one batch; a redelivered emit stores nothing new (the event's
// id and the (subscription, event) pair are unique). A consumer takes a delivery with a
// compare-and-set claim, records each attempt in the delivery log, and moves the delivery on
// (delivered, retried later, failed). The cron re-queues deliveries whose message was lost.
import type { EventInput } from "../events/catalog";
import type { Db } from "./client";

/**
 * Stores the events and creates their deliveries: for every active subscription that wants them, or,
 * with `only`, for that one subscription (a test event). A lead's events get the next number of its
 * sequence. Returns the deliveries created.
 */
export async function store(db: Db, events: EventInput[], now: number, only: string | null = null): Promise<{ id: string }[]> {
  if (events.length === 0) return [];
  const inserts = events.map((e) =>
    db.$client
      .prepare(
        `INSERT INTO webhook_events (id, type, lead_id, sequence, body, created_at)
         VALUES (?1, ?2, ?3, CASE WHEN ?3 IS NULL THEN NULL ELSE (SELECT COALESCE(MAX(sequence), 0) + 1 FROM webhook_events WHERE lead_id = ?3) END, ?4, ?5)
         ON CONFLICT (id) DO NOTHING`,
      )
      .bind(e.id, e.type, e.leadId, JSON.stringify(e.data), e.at),
  );
  const deliveries = db.$client
    .prepare(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, status, attempts, next_attempt_at, created_at, updated_at)
       SELECT 'wd_' || lower(hex(randomblob(12))), s.id, e.id, 'pending', 0, ?2, ?2, ?2
       FROM webhook_events AS e JOIN webhook_subscriptions AS s
         ON (?3 IS NULL AND s.status = 'active' AND EXISTS (SELECT 1 FROM json_each(s.events) AS j WHERE j.value IN (e.type, '*'))) OR s.id = ?3
       WHERE e.id IN (SELECT value FROM json_each(?1))
       ON CONFLICT DO NOTHING RETURNING id`,
    )
    .bind(JSON.stringify(events.map((e) => e.id)), now, only);
  const results = await db.$client.batch<{ id: string }>([...inserts, deliveries]);
  return results.at(-1)!.results;
}

/** A delivery with what sending it needs: its subscription, its event, and any earlier event of the lead still pending. */
export interface DueDelivery {
  id: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  next_attempt_at: number | null;
  claimed_until: number | null;
  first_attempt_at: number | null;
  subscription_id: string;
  url: string;
  secret: string;
  secret_previous: string | null;
  secret_previous_until: number | null;
  include_pii: number;
  subscription_status: "active" | "paused";
  event_id: string;
  type: string;
  lead_id: string | null;
  sequence: number | null;
  body: string;
  event_at: number;
  /** Earlier events of the same lead to the same subscription, still pending, and the latest of their next attempts. */
  earlier_pending: number;
  earlier_next_at: number | null;
}

const EARLIER = `FROM webhook_events e2 JOIN webhook_deliveries d2 ON d2.event_id = e2.id AND d2.subscription_id = d.subscription_id
  WHERE e2.lead_id = e.lead_id AND e2.sequence < e.sequence AND d2.status = 'pending'`;

export async function load(db: Db, deliveryId: string): Promise<DueDelivery | null> {
  return db.$client
    .prepare(
      `SELECT d.id, d.status, d.attempts, d.next_attempt_at, d.claimed_until, d.first_attempt_at, d.subscription_id,
              s.url, s.secret, s.secret_previous, s.secret_previous_until, s.include_pii, s.status AS subscription_status,
              e.id AS event_id, e.type, e.lead_id, e.sequence, e.body, e.created_at AS event_at,
              (SELECT COUNT(*) ${EARLIER}) AS earlier_pending, (SELECT MAX(d2.next_attempt_at) ${EARLIER}) AS earlier_next_at
       FROM webhook_deliveries d
       JOIN webhook_subscriptions s ON s.id = d.subscription_id
       JOIN webhook_events e ON e.id = d.event_id
       WHERE d.id = ?`,
    )
    .bind(deliveryId)
    .first<DueDelivery>();
}

/** Takes a pending delivery for one attempt (until `until`); false when it is not pending or another consumer holds it. */
export async function claim(db: Db, deliveryId: string, now: number, until: number): Promise<boolean> {
  const row = await db.$client
    .prepare(
      `UPDATE webhook_deliveries SET claimed_until = ?3, updated_at = ?2
       WHERE id = ?1 AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < ?2) RETURNING id`,
    )
    .bind(deliveryId, now, until)
    .first();
  return row !== null;
}

/** One attempt's result, as the delivery log and the delivery itself record it. */
export interface AttemptRecord {
  deliveryId: string;
  subscriptionId: string;
  attempt: number;
  outcome: "delivered" | "retry" | "failed";
  httpStatus: number | null;
  error: string | null;
  latencyMs: number;
  nextAttemptAt: number | null;
  /** Where the day of retries started (this attempt, if it was the first of its day). */
  firstAttemptAt: number;
  at: number;
}

/** Records an attempt: the log row, the delivery's new state, the subscription's run of failures (one batch). */
export async function recordAttempt(db: Db, a: AttemptRecord): Promise<void> {
  const status = a.outcome === "retry" ? "pending" : a.outcome;
  const ok = a.outcome === "delivered";
  await db.$client.batch([
    db.$client
      .prepare(
        `INSERT INTO webhook_attempts (delivery_id, subscription_id, attempt, outcome, http_status, error, latency_ms, next_attempt_at, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(a.deliveryId, a.subscriptionId, a.attempt, a.outcome, a.httpStatus, a.error, a.latencyMs, a.nextAttemptAt, a.at),
    db.$client
      .prepare(
        `UPDATE webhook_deliveries SET status = ?2, attempts = ?3, next_attempt_at = ?4, claimed_until = NULL, first_attempt_at = ?5,
           last_status = ?6, last_error = ?7, last_latency_ms = ?8, updated_at = ?9, delivered_at = CASE WHEN ?2 = 'delivered' THEN ?9 END
         WHERE id = ?1`,
      )
      .bind(a.deliveryId, status, a.attempt, a.nextAttemptAt, a.firstAttemptAt, a.httpStatus, a.error, a.latencyMs, a.at),
    db.$client
      .prepare(
        ok
          ? `UPDATE webhook_subscriptions SET failures = 0, last_success_at = ?2 WHERE id = ?1`
          : `UPDATE webhook_subscriptions SET failures = failures + 1, last_failure_at = ?2, last_error = ?3 WHERE id = ?1`,
      )
      .bind(a.subscriptionId, a.at, ...(ok ? [] : [a.error])),
  ]);
}

/** A delivery waits without an attempt: its subscription is paused (`at` null) or an earlier event of its lead is pending. */
export async function postpone(db: Db, deliveryId: string, at: number | null, why: string, now: number): Promise<void> {
  await db.$client
    .prepare(
      `UPDATE webhook_deliveries SET next_attempt_at = ?, claimed_until = NULL, last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
    )
    .bind(at, why, now, deliveryId)
    .run();
}

/** A delivery the queue gave up on (its consumer kept failing): failed, with why. */
export async function giveUp(db: Db, deliveryId: string, why: string, now: number): Promise<void> {
  await db.$client
    .prepare(
      `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, claimed_until = NULL, last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
    )
    .bind(why, now, deliveryId)
    .run();
}

/** A resumed subscription's parked deliveries, due now: their ids, the first `limit` (the cron finds the rest). */
export async function resume(db: Db, subscriptionId: string, now: number, limit: number): Promise<string[]> {
  const rows = await db.$client
    .prepare(
      `UPDATE webhook_deliveries SET next_attempt_at = ?2, claimed_until = NULL, updated_at = ?2
       WHERE subscription_id = ?1 AND status = 'pending' AND next_attempt_at IS NULL RETURNING id`,
    )
    .bind(subscriptionId, now)
    .all<{ id: string }>();
  return rows.results.slice(0, limit).map((r) => r.id);
}

/** "Send again": a delivered or failed delivery is pending again, due now, with a new day of retries. */
export async function sendAgain(db: Db, subscriptionId: string, deliveryId: string, now: number): Promise<boolean> {
  const row = await db.$client
    .prepare(
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?3, first_attempt_at = NULL, claimed_until = NULL, updated_at = ?3
       WHERE id = ?2 AND subscription_id = ?1 RETURNING id`,
    )
    .bind(subscriptionId, deliveryId, now)
    .first();
  return row !== null;
}

/** Pending deliveries due before `before` whose message seems lost: made due `now`, their ids (for the queue). */
export async function overdue(db: Db, before: number, now: number, limit: number): Promise<string[]> {
  const rows = await db.$client
    .prepare(
      `UPDATE webhook_deliveries SET next_attempt_at = ?2, updated_at = ?2 WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at < ?1 AND (claimed_until IS NULL OR claimed_until < ?2) LIMIT ?3)
       RETURNING id`,
    )
    .bind(before, now, limit)
    .all<{ id: string }>();
  return rows.results.map((r) => r.id);
}

/** Forgets what is older than `before`: the log, finished deliveries, and events nothing waits on (at most `limit` of each). */
export async function prune(db: Db, before: number, limit: number): Promise<void> {
  await db.$client.batch([
    db.$client
      .prepare(`DELETE FROM webhook_attempts WHERE id IN (SELECT id FROM webhook_attempts WHERE at < ? LIMIT ?)`)
      .bind(before, limit),
    db.$client
      .prepare(
        `DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE status != 'pending' AND updated_at < ? LIMIT ?)`,
      )
      .bind(before, limit),
    db.$client
      .prepare(
        `DELETE FROM webhook_events WHERE id IN (SELECT e.id FROM webhook_events e WHERE e.created_at < ?
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id) LIMIT ?)`,
      )
      .bind(before, limit),
  ]);
}
