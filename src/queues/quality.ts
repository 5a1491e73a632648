// Every minute (with the sweeper): each active contract's quality score (src/auction/quality.ts) from
// its recent history — the hourly rollups (posts, rejects, timeouts, errors), approved returns and
// positive feedback — over its campaign's window, saved in contract_quality and read with the rules.
import { POSITIVE_OUTCOMES, qualityOf, type Quality } from "../auction/quality";
import type { Db } from "../db/client";
import type { Rules } from "../rules/model";

type Row = Record<string, number | string | null>;

export async function computeQuality(db: Db, rules: Rules, now = Date.now()): Promise<Map<string, Quality>> {
  const spans = [...rules.contractsById.values()].flatMap((c) => {
    const campaign = rules.campaignsById.get(c.campaignId);
    return campaign ? [{ id: c.id, from: now - campaign.qualityWindowDays * 86_400_000, campaign }] : [];
  });
  const out = new Map<string, Quality>();
  if (spans.length === 0) return out;
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
        `SELECT s.id, COUNT(DISTINCT f.lead_id) AS n FROM (${span}) AS s JOIN feedback AS f ON f.contract_id = s.id AND f.created_at >= s.since AND f.outcome IN (${positive}) GROUP BY s.id`,
      )
      .bind(json),
  ]);
  const by = (rows: Row[]) => new Map(rows.map((r) => [String(r.id), r]));
  const [r1, r2, r3] = [by(rolled!.results), by(returned!.results), by(liked!.results)];
  const n = (v: unknown) => Number(v ?? 0);
  for (const s of spans) {
    const r = r1.get(s.id);
    const c = s.campaign;
    out.set(
      s.id,
      qualityOf(
        {
          purchases: n(r?.accepted),
          returns: n(r2.get(s.id)?.n),
          accepted: n(r?.accepted),
          rejected: n(r?.rejected),
          requests: n(r?.pings) + n(r?.posts),
          failures: n(r?.failures),
          positive: n(r3.get(s.id)?.n),
        },
        {
          returnWeight: c.qualityReturnWeight,
          rejectWeight: c.qualityRejectWeight,
          failureWeight: c.qualityFailureWeight,
          positiveWeight: c.qualityPositiveWeight,
        },
      ),
    );
  }
  const rows = [...out].map(([id, q]) => ({ id, ...q, purchases: n(r1.get(id)?.accepted) }));
  await db.$client
    .prepare(
      `INSERT INTO contract_quality (contract_id, score_bps, purchases, return_rate_bps, reject_rate_bps, failure_rate_bps, positive_rate_bps, computed_at)
       SELECT json_extract(value, '$.id'), json_extract(value, '$.scoreBps'), json_extract(value, '$.purchases'), json_extract(value, '$.returnRateBps'),
              json_extract(value, '$.rejectRateBps'), json_extract(value, '$.failureRateBps'), json_extract(value, '$.positiveRateBps'), ?2
       FROM json_each(?1) WHERE true
       ON CONFLICT (contract_id) DO UPDATE SET score_bps = excluded.score_bps, purchases = excluded.purchases, return_rate_bps = excluded.return_rate_bps,
         reject_rate_bps = excluded.reject_rate_bps, failure_rate_bps = excluded.failure_rate_bps, positive_rate_bps = excluded.positive_rate_bps, computed_at = excluded.computed_at`,
    )
    .bind(JSON.stringify(rows), now)
    .run();
  return out;
}
