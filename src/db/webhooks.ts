// Webhook subscriptions in the records: create, read, change, delete; the delivery log an admin reads
// (deliveries with their attempts); the subscriptions that are failing (the console's panel); and
// which active subscriptions want which events (what an isolate caches before emitting anything).
import type { Db } from "./client";
import type { WebhookSubscriptionRow } from "./schema";

type Row = Record<string, unknown>;

const SUBSCRIPTION_COLUMNS = `id, url, events, secret, secret_previous, secret_previous_until, include_pii, status, description,
  failures, last_error, last_failure_at, last_success_at, created_at, updated_at`;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function subscriptionOf(r: Row): WebhookSubscriptionRow {
  return {
    id: String(r.id),
    url: String(r.url),
    events: String(r.events),
    secret: String(r.secret),
    secretPrevious: str(r.secret_previous),
    secretPreviousUntil: num(r.secret_previous_until),
    includePii: Boolean(r.include_pii),
    status: r.status === "paused" ? "paused" : "active",
    description: str(r.description),
    failures: Number(r.failures ?? 0),
    lastError: str(r.last_error),
    lastFailureAt: num(r.last_failure_at),
    lastSuccessAt: num(r.last_success_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export type NewSubscription = Pick<WebhookSubscriptionRow, "id" | "url" | "events" | "secret" | "includePii" | "description">;

export async function create(db: Db, s: NewSubscription, now: number): Promise<WebhookSubscriptionRow> {
  const row = await db.$client
    .prepare(
      `INSERT INTO webhook_subscriptions (id, url, events, secret, include_pii, description, status, failures, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'active', 0, ?, ?) RETURNING ${SUBSCRIPTION_COLUMNS}`,
    )
    .bind(s.id, s.url, s.events, s.secret, s.includePii ? 1 : 0, s.description, now, now)
    .first<Row>();
  return subscriptionOf(row!);
}

export async function list(db: Db): Promise<WebhookSubscriptionRow[]> {
  const rows = await db.$client.prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions ORDER BY created_at`).all<Row>();
  return rows.results.map(subscriptionOf);
}

export async function get(db: Db, id: string): Promise<WebhookSubscriptionRow | null> {
  const row = await db.$client.prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = ?`).bind(id).first<Row>();
  return row ? subscriptionOf(row) : null;
}

/** What an admin may change; a new `secret` moves the current one to `secret_previous` until `previousUntil`. */
export interface SubscriptionChange {
  url?: string;
  events?: string;
  includePii?: boolean;
  description?: string | null;
  status?: "active" | "paused";
  secret?: { value: string; previousUntil: number };
}

export async function update(db: Db, id: string, ch: SubscriptionChange, now: number): Promise<WebhookSubscriptionRow | null> {
  const row = await db.$client
    .prepare(
      `UPDATE webhook_subscriptions SET
         url = COALESCE(?2, url), events = COALESCE(?3, events), include_pii = COALESCE(?4, include_pii),
         description = CASE WHEN ?5 THEN ?6 ELSE description END, status = COALESCE(?7, status),
         secret_previous = CASE WHEN ?8 IS NULL THEN secret_previous ELSE secret END,
         secret_previous_until = CASE WHEN ?8 IS NULL THEN secret_previous_until ELSE ?9 END,
         secret = COALESCE(?8, secret),
         failures = CASE WHEN ?7 = 'active' OR ?2 IS NOT NULL THEN 0 ELSE failures END,
         updated_at = ?10
       WHERE id = ?1 RETURNING ${SUBSCRIPTION_COLUMNS}`,
    )
    .bind(
      id,
      ch.url ?? null,
      ch.events ?? null,
      ch.includePii === undefined ? null : ch.includePii ? 1 : 0,
      ch.description !== undefined ? 1 : 0,
      ch.description ?? null,
      ch.status ?? null,
      ch.secret?.value ?? null,
      ch.secret?.previousUntil ?? null,
      now,
    )
    .first<Row>();
  return row ? subscriptionOf(row) : null;
}

/** Deletes a subscription with its deliveries and their log; false when there was none. */
export async function remove(db: Db, id: string): Promise<boolean> {
  const [, , gone] = await db.$client.batch([
    db.$client.prepare(`DELETE FROM webhook_attempts WHERE subscription_id = ?`).bind(id),
    db.$client.prepare(`DELETE FROM webhook_deliveries WHERE subscription_id = ?`).bind(id),
    db.$client.prepare(`DELETE FROM webhook_subscriptions WHERE id = ?`).bind(id),
  ]);
  return (gone?.meta.changes ?? 0) > 0;
}

/** Active subscriptions' event lists (JSON text each): what is worth emitting. */
export async function activeEventLists(db: Db): Promise<string[]> {
  const rows = await db.$client.prepare(`SELECT events FROM webhook_subscriptions WHERE status = 'active'`).all<{ events: string }>();
  return rows.results.map((r) => r.events);
}

export interface LoggedDelivery {
  id: string;
  event_id: string;
  type: string;
  lead_id: string | null;
  sequence: number | null;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  next_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface LoggedAttempt {
  delivery_id: string;
  attempt: number;
  outcome: "delivered" | "retry" | "failed";
  http_status: number | null;
  error: string | null;
  latency_ms: number;
  next_attempt_at: number | null;
  at: number;
}

/** A subscription's deliveries, newest first (after the cursor: the last one of the previous page), with every attempt of each. */
export async function deliveryLog(
  db: Db,
  subscriptionId: string,
  opts: { limit: number; after: { at: number; id: string } | null; status: string | null },
): Promise<{ deliveries: LoggedDelivery[]; attempts: LoggedAttempt[] }> {
  const page = `SELECT d.id FROM webhook_deliveries d WHERE d.subscription_id = ?1
    AND (?2 IS NULL OR d.created_at < ?2 OR (d.created_at = ?2 AND d.id < ?5))
    AND (?3 IS NULL OR d.status = ?3) ORDER BY d.created_at DESC, d.id DESC LIMIT ?4`;
  const params = [subscriptionId, opts.after?.at ?? null, opts.status, opts.limit, opts.after?.id ?? ""];
  const [deliveries, attempts] = await db.$client.batch<Row>([
    db.$client
      .prepare(
        `SELECT d.id, d.event_id, e.type, e.lead_id, e.sequence, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error,
                d.created_at, d.delivered_at
         FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.id IN (${page})
         ORDER BY d.created_at DESC, d.id DESC`,
      )
      .bind(...params),
    db.$client
      .prepare(
        `SELECT delivery_id, attempt, outcome, http_status, error, latency_ms, next_attempt_at, at FROM webhook_attempts
         WHERE delivery_id IN (${page}) ORDER BY delivery_id, attempt`,
      )
      .bind(...params),
  ]);
  return { deliveries: deliveries!.results as unknown as LoggedDelivery[], attempts: attempts!.results as unknown as LoggedAttempt[] };
}

export interface FailingSubscription {
  id: string;
  url: string;
  status: string;
  failures: number;
  last_error: string | null;
  last_failure_at: number | null;
  last_success_at: number | null;
  pending: number;
  failed_24h: number;
}

/** Subscriptions whose last attempts failed, or that gave up on a delivery in the last day: the console's panel. */
export async function failing(db: Db, now: number, limit = 20): Promise<FailingSubscription[]> {
  const rows = await db.$client
    .prepare(
      `SELECT * FROM (
         SELECT s.id, s.url, s.status, s.failures, s.last_error, s.last_failure_at, s.last_success_at,
                (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.status = 'pending') AS pending,
                (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.created_at >= ?1 - 86400000
                   AND d.status = 'failed') AS failed_24h
         FROM webhook_subscriptions s)
       WHERE failures > 0 OR failed_24h > 0 ORDER BY COALESCE(last_failure_at, 0) DESC LIMIT ?2`,
    )
    .bind(now, limit)
    .all<FailingSubscription>();
  return rows.results;
}
