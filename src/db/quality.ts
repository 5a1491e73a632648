// Contract quality in the records: each contract's recent history — the hourly rollups (pings,
// posts, accepted, rejected, failures), its approved returns and its leads with positive feedback
// (not counting leads it returned: a buyer can't call a lead converted and get its money back) —
// and the scores computed from it (contract_quality, read with the rules).
import { POSITIVE_OUTCOMES, type Quality } from "../auction/quality";
import type { Db } from "./client";

type Row = Record<string, number | string | null>;

export interface QualityHistory {
  pings: number;
  posts: number;
  accepted: number;
  rejected: number;
  /** Ping timeouts and errors, and failed posts. */
  failures: number;
  returns: number;
  /** Leads with positive feedback, not returned (approved or pending) under the contract. */
  positive: number;
}

/**
 * Each contract's history since its own start (rounded down to the hour, the rollups' grain), in one
 * batch of three indexed queries: an entry for every span, zeros where nothing happened.
 */
export async function history(db: Db, spans: { id: string; from: number }[]): Promise<Map<string, QualityHistory>> {
  const json = JSON.stringify(spans.map((s) => ({ id: s.id, from: s.from - (s.from % 3_600_000) })));
  const span = `SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.from') AS since FROM json_each(?)`;
  const positive = POSITIVE_OUTCOMES.map((o) => `'${o}'`).join(", ");
  const [rolled, returned, liked] = await db.$client.batch<Row>([
    db.$client
      .prepare(
        `SELECT s.id, SUM(r.pings) AS pings, SUM(r.posts) AS posts, SUM(r.accepted) AS accepted, SUM(r.rejected) AS rejected,
                SUM(r.timeouts) + SUM(r.errors) + SUM(r.post_failed) AS failures
         FROM (${span}) AS s JOIN rollup_contracts AS r ON r.grain = 'h' AND r.contract_id = s.id AND r.bucket >= s.since GROUP BY s.id`,
      )
      .bind(json),
    db.$client
      .prepare(
        `SELECT s.id, COUNT(*) AS n FROM (${span}) AS s JOIN returns AS r ON r.contract_id = s.id AND r.created_at >= s.since AND r.status = 'approved' GROUP BY s.id`,
      )
      .bind(json),
    db.$client
      .prepare(
        `SELECT s.id, COUNT(DISTINCT f.lead_id) AS n FROM (${span}) AS s JOIN feedback AS f ON f.contract_id = s.id AND f.created_at >= s.since AND f.outcome IN (${positive})
         WHERE NOT EXISTS (SELECT 1 FROM returns AS r WHERE r.lead_id = f.lead_id AND r.contract_id = f.contract_id AND r.status != 'denied')
         GROUP BY s.id`,
      )
      .bind(json),
  ]);
  const by = (rows: Row[]) => new Map(rows.map((r) => [String(r.id), r]));
  const [r1, r2, r3] = [by(rolled!.results), by(returned!.results), by(liked!.results)];
  const n = (v: unknown) => Number(v ?? 0);
  return new Map(
    spans.map((s) => {
      const r = r1.get(s.id);
      return [
        s.id,
        {
          pings: n(r?.pings),
          posts: n(r?.posts),
          accepted: n(r?.accepted),
          rejected: n(r?.rejected),
          failures: n(r?.failures),
          returns: n(r2.get(s.id)?.n),
          positive: n(r3.get(s.id)?.n),
        },
      ];
    }),
  );
}

/** Saves the scores (one statement, whatever the number of contracts). */
export async function save(db: Db, scores: (Quality & { id: string; purchases: number })[], now: number): Promise<void> {
  await db.$client
    .prepare(
      `INSERT INTO contract_quality (contract_id, score_bps, purchases, return_rate_bps, reject_rate_bps, failure_rate_bps, positive_rate_bps, computed_at)
       SELECT json_extract(value, '$.id'), json_extract(value, '$.scoreBps'), json_extract(value, '$.purchases'), json_extract(value, '$.returnRateBps'),
              json_extract(value, '$.rejectRateBps'), json_extract(value, '$.failureRateBps'), json_extract(value, '$.positiveRateBps'), ?2
       FROM json_each(?1) WHERE true
       ON CONFLICT (contract_id) DO UPDATE SET score_bps = excluded.score_bps, purchases = excluded.purchases, return_rate_bps = excluded.return_rate_bps,
         reject_rate_bps = excluded.reject_rate_bps, failure_rate_bps = excluded.failure_rate_bps, positive_rate_bps = excluded.positive_rate_bps, computed_at = excluded.computed_at`,
    )
    .bind(JSON.stringify(scores), now)
    .run();
}
