// A consumer's erasure in the records (src/pipeline/erasure.ts runs it): the person behind the
// identifiers an admin gave (every fingerprint their leads share, transitively, bounded), ending
// their unfinished leads as `erased`, and the free text their leads left beside the lead row —
// buyers' reasons, return notes, event details, the rollups' reason rows, idempotency keys. What the
// books need stays: statuses, prices, payouts, outcomes. Also the sales whose buyers are told, and
// where each notice goes.
import { eq } from "drizzle-orm";
import type { Fingerprint } from "../lead/fingerprints";
import { ERASED_REASON, UNFINISHED_STATES } from "../lead/state";
import type { Db } from "./client";
import { HOUR, MINUTE } from "./rollups";
import * as t from "./schema";

/** At most this many fingerprints per person: a request names one consumer, not a crowd. */
const CLOSURE_LIMIT = 50;

/** What an erased lead's free text becomes where a column must keep a value. */
const REDACTED = "(redacted)";

const ids = (leadIds: string[]) => JSON.stringify(leadIds);
const UNFINISHED = UNFINISHED_STATES.map((s) => `'${s}'`).join(", ");

/**
 * Every fingerprint reachable from `seeds` through the leads: a lead with a phone and an email joins
 * them, so erasing by either reaches the other (and the other leads of each), up to `limit`.
 * One recursive query.
 */
export async function consumerClosure(db: Db, seeds: Fingerprint[], limit = CLOSURE_LIMIT): Promise<Fingerprint[]> {
  if (seeds.length === 0) return [];
  const rows = await db.$client
    .prepare(
      `WITH RECURSIVE fp(hash, kind) AS (
         SELECT json_extract(value, '$.hash'), json_extract(value, '$.kind') FROM json_each(?1)
         UNION
         SELECT l.email_hash, 'email' FROM fp JOIN leads l ON l.phone_hash = fp.hash WHERE l.email_hash IS NOT NULL
         UNION
         SELECT l.phone_hash, 'phone' FROM fp JOIN leads l ON l.email_hash = fp.hash WHERE l.phone_hash IS NOT NULL
         LIMIT ?2)
       SELECT hash, kind FROM fp`,
    )
    .bind(JSON.stringify(seeds), limit)
    .all<{ hash: string; kind: Fingerprint["kind"] }>();
  return rows.results;
}

/** Ends the leads that were not finished as `erased` (compare-and-set); returns the ones it moved. */
export async function endUnfinished(db: Db, leadIds: string[], now: number): Promise<string[]> {
  if (leadIds.length === 0) return [];
  const res = await db.$client
    .prepare(
      `UPDATE leads SET status = 'erased', reason = ?2, updated_at = ?3, final_at = ?3
       WHERE id IN (SELECT value FROM json_each(?1)) AND status IN (${UNFINISHED}) RETURNING id`,
    )
    .bind(ids(leadIds), ERASED_REASON, now)
    .all<{ id: string }>();
  return res.results.map((r) => r.id);
}

/** Event detail keys kept on an erased lead: numbers and booleans, and these strings of our own. */
const KEPT_EVENT_KEYS = ["status", "outcome", "contract", "via", "campaign", "source", "dedupe", "duplicate_of"];

/**
 * The rollups' reason rows that counted these leads' reasons: per (grain, bucket, contract, outcome,
 * reason), how many of them were these leads' (found through the round markers, which carry the
 * time the round was added to the rollups).
 */
async function reasonCounts(db: Db, leadIds: string[]): Promise<[string, number, string, string, string, number][]> {
  const rows = await db.$client
    .prepare(
      `SELECT x.contract_id AS contract_id, x.outcome AS outcome, substr(x.reason, 1, 120) AS reason, m.at AS at, COUNT(*) AS n FROM (
         SELECT lead_id, attempt, contract_id, outcome, reason FROM posts WHERE lead_id IN (SELECT value FROM json_each(?1)) AND outcome != 'accepted'
         UNION ALL
         SELECT lead_id, attempt, contract_id, outcome, reason FROM pings
         WHERE lead_id IN (SELECT value FROM json_each(?1)) AND outcome IN ('error', 'invalid', 'timeout')
       ) x JOIN rollup_marks m ON m.lead_id = x.lead_id AND m.attempt = x.attempt
       WHERE x.reason IS NOT NULL AND x.reason != ?2
       GROUP BY 1, 2, 3, 4`,
    )
    .bind(ids(leadIds), REDACTED)
    .all<{ contract_id: string; outcome: string; reason: string; at: number; n: number }>();
  return rows.results.flatMap((r) =>
    (["m", "h"] as const).map((grain): [string, number, string, string, string, number] => {
      const at = Number(r.at);
      return [grain, at - (at % (grain === "m" ? MINUTE : HOUR)), r.contract_id, r.outcome, r.reason, Number(r.n)];
    }),
  );
}

/**
 * The free text of these leads outside their bodies, redacted in one batch: post and ping reasons
 * (an accepted post's and a skipped or discarded ping's are ours and stay), return notes, event
 * details (reduced to numbers, booleans and our own codes), their counts in the rollups' reason rows
 * (moved to "(redacted)"), and the lead's reason, idempotency key and request hash. Idempotent.
 */
export async function redactFreeText(db: Db, leadIds: string[]): Promise<void> {
  if (leadIds.length === 0) return;
  const json = ids(leadIds);
  const moves = JSON.stringify(await reasonCounts(db, leadIds));
  const match = `grain = json_extract(j.value, '$[0]') AND bucket = json_extract(j.value, '$[1]') AND contract_id = json_extract(j.value, '$[2]')
                 AND outcome = json_extract(j.value, '$[3]') AND reason = json_extract(j.value, '$[4]')`;
  const kept = KEPT_EVENT_KEYS.map((k) => `'${k}'`).join(", ");
  const inLeads = `lead_id IN (SELECT value FROM json_each(?1))`;
  await db.$client.batch([
    db.$client
      .prepare(
        `INSERT INTO rollup_reasons (grain, bucket, contract_id, outcome, reason, n)
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), ?2,
                json_extract(value, '$[5]')
         FROM json_each(?1) WHERE true
         ON CONFLICT (grain, bucket, contract_id, outcome, reason) DO UPDATE SET n = n + excluded.n`,
      )
      .bind(moves, REDACTED),
    db.$client
      .prepare(
        `UPDATE rollup_reasons SET n = n - (SELECT SUM(json_extract(j.value, '$[5]')) FROM json_each(?1) AS j WHERE ${match})
                WHERE EXISTS (SELECT 1 FROM json_each(?1) AS j WHERE ${match})`,
      )
      .bind(moves),
    db.$client.prepare(`DELETE FROM rollup_reasons WHERE n <= 0`),
    db.$client
      .prepare(`UPDATE posts SET reason = ?2 WHERE ${inLeads} AND outcome != 'accepted' AND reason IS NOT NULL`)
      .bind(json, REDACTED),
    db.$client
      .prepare(`UPDATE pings SET reason = ?2 WHERE ${inLeads} AND outcome NOT IN ('skipped', 'discarded') AND reason IS NOT NULL`)
      .bind(json, REDACTED),
    db.$client.prepare(`UPDATE returns SET note = NULL WHERE ${inLeads}`).bind(json),
    db.$client
      .prepare(
        `UPDATE lead_events SET detail = json_set(COALESCE((SELECT json_group_object(key, value) FROM json_each(lead_events.detail)
           WHERE type IN ('integer', 'real', 'true', 'false', 'null') OR key IN (${kept})), '{}'), '$._redacted', json('true'))
         WHERE ${inLeads} AND detail IS NOT NULL AND json_valid(detail) AND json_type(detail) = 'object'
           AND json_extract(detail, '$._redacted') IS NULL AND kind NOT IN ('erased', 'deletion_notice')`,
      )
      .bind(json),
    db.$client
      .prepare(
        `UPDATE leads SET idempotency_key = NULL, request_hash = NULL, reason = CASE WHEN status = 'erased' THEN ?2 ELSE NULL END
         WHERE id IN (SELECT value FROM json_each(?1))`,
      )
      .bind(json, ERASED_REASON),
  ]);
}

/** One event on each of these leads, in one statement. */
export async function noteOnLeads(db: Db, leadIds: string[], kind: string, detail: Record<string, unknown>, at: number): Promise<void> {
  if (leadIds.length === 0) return;
  await db.$client
    .prepare(`INSERT INTO lead_events (lead_id, at, kind, detail) SELECT value, ?2, ?3, ?4 FROM json_each(?1)`)
    .bind(ids(leadIds), at, kind, JSON.stringify(detail))
    .run();
}

export interface SoldTo {
  lead_id: string;
  contract_id: string;
  buyer_lead_id: string | null;
}

/** Who bought these leads: their accepted posts. */
export async function soldTo(db: Db, leadIds: string[]): Promise<SoldTo[]> {
  if (leadIds.length === 0) return [];
  return (
    await db.$client
      .prepare(
        `SELECT lead_id, contract_id, buyer_lead_id FROM posts WHERE outcome = 'accepted' AND lead_id IN (SELECT value FROM json_each(?1))
         ORDER BY lead_id, contract_id`,
      )
      .bind(ids(leadIds))
      .all<SoldTo>()
  ).results;
}

/** Where a deletion notice to a contract goes and what signs it (paused contracts included: they bought). */
export async function noticeTarget(db: Db, contractId: string) {
  const [row] = await db
    .select({
      postUrl: t.contracts.postUrl,
      deletionUrl: t.contracts.deletionUrl,
      protocol: t.contracts.protocol,
      secret: t.contracts.secret,
      secretNext: t.contracts.secretNext,
      apiHeaders: t.contracts.apiHeaders,
    })
    .from(t.contracts)
    .where(eq(t.contracts.id, contractId));
  return row;
}

/**
 * An erased lead keeps the money of sales recorded after it was erased (a round that sold before the
 * erasure and was recorded after): its totals are read again from its accepted posts, so replaying
 * the write changes nothing. Part of every round record that has a sale (db/rounds.ts).
 */
export function erasedLeadTotals(db: Db, leadId: string): D1PreparedStatement {
  const sum = (col: string) => `(SELECT COALESCE(SUM(${col}), 0) FROM posts WHERE lead_id = ?1 AND outcome = 'accepted')`;
  return db.$client
    .prepare(
      `UPDATE leads SET price_cents = ${sum("price_cents")}, payout_cents = ${sum("payout_cents")},
              margin_cents = ${sum("price_cents - payout_cents")} WHERE id = ?1 AND status = 'erased'`,
    )
    .bind(leadId);
}
