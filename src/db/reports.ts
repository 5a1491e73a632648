// Reports over the records: what a source earned, and how each buyer contract bid, bought and
// rejected. Aggregated in SQL over the indexed created_at ranges.
import { tripsIn } from "./breakers";
import type { Db } from "./client";

export interface Range {
  from: number;
  to: number;
}

type Row = Record<string, number | string | null>;

async function all(db: Db, sql: string, ...params: (string | number)[]): Promise<Row[]> {
  return (
    await db.$client
      .prepare(sql)
      .bind(...params)
      .all<Row>()
  ).results;
}

export async function sourceReport(db: Db, sourceId: string, r: Range) {
  const [byStatus, totals, pinged, clawed] = await Promise.all([
    all(
      db,
      `SELECT status, COUNT(*) AS leads FROM leads WHERE source_id = ? AND created_at >= ? AND created_at < ? GROUP BY status`,
      sourceId,
      r.from,
      r.to,
    ),
    all(
      db,
      `SELECT COUNT(*) AS leads, COALESCE(SUM(price_cents), 0) AS price, COALESCE(SUM(payout_cents), 0) AS payout
       FROM leads WHERE source_id = ? AND created_at >= ? AND created_at < ?`,
      sourceId,
      r.from,
      r.to,
    ),
    all(
      db,
      `SELECT COUNT(*) AS pings, COUNT(lead_id) AS posts FROM seller_pings WHERE source_id = ? AND created_at >= ? AND created_at < ?`,
      sourceId,
      r.from,
      r.to,
    ),
    all(
      db,
      `SELECT COUNT(*) AS n, COALESCE(SUM(clawback_cents), 0) AS cents FROM returns WHERE source_id = ? AND status = 'approved' AND decided_at >= ? AND decided_at < ?`,
      sourceId,
      r.from,
      r.to,
    ),
  ]);
  const clawback = Number(clawed[0]?.cents ?? 0);
  const t = totals[0] ?? { leads: 0, price: 0, payout: 0 };
  const sp = { pings: Number(pinged[0]?.pings ?? 0), posts: Number(pinged[0]?.posts ?? 0) };
  const leads = Number(t.leads);
  const statuses = Object.fromEntries(byStatus.map((s) => [String(s.status), Number(s.leads)]));
  return {
    leads,
    statuses,
    sell_through: leads ? Math.round((1000 * (statuses.sold ?? 0)) / leads) / 10 : 0,
    payout: Number(t.payout) / 100,
    /** Payout taken back for leads buyers returned (approved), and what is left. */
    returned: Number(clawed[0]?.n ?? 0),
    clawback: clawback / 100,
    net_payout: (Number(t.payout) - clawback) / 100,
    payout_per_lead: leads ? Math.floor(Number(t.payout) / leads) / 100 : 0,
    pings: sp.pings,
    posts: sp.posts,
    ping_to_post: sp.pings ? Math.round((1000 * sp.posts) / sp.pings) / 10 : 0,
  };
}

export async function buyerReport(db: Db, r: Range) {
  const [pings, posts, reasons, trips, returned] = await Promise.all([
    all(
      db,
      `SELECT contract_id,
              SUM(outcome != 'skipped') AS pings,
              SUM(outcome = 'bid') AS bids,
              SUM(outcome IN ('timeout', 'late')) AS timeouts,
              SUM(outcome IN ('error', 'invalid')) AS bad_answers,
              CAST(AVG(CASE WHEN outcome = 'bid' THEN bid_cents END) AS INTEGER) AS avg_bid_cents,
              CAST(AVG(CASE WHEN outcome != 'skipped' THEN latency_ms END) AS INTEGER) AS avg_latency_ms
       FROM pings WHERE created_at >= ? AND created_at < ? GROUP BY contract_id`,
      r.from,
      r.to,
    ),
    all(
      db,
      `SELECT contract_id, COUNT(*) AS posts, SUM(outcome = 'accepted') AS accepted, SUM(outcome = 'rejected') AS rejected,
              SUM(outcome IN ('error', 'timeout')) AS failed, COALESCE(SUM(CASE WHEN outcome = 'accepted' THEN price_cents END), 0) AS revenue_cents
       FROM posts WHERE created_at >= ? AND created_at < ? GROUP BY contract_id`,
      r.from,
      r.to,
    ),
    all(
      db,
      `SELECT contract_id, reason, COUNT(*) AS n FROM posts
       WHERE outcome = 'rejected' AND created_at >= ? AND created_at < ? GROUP BY contract_id, reason ORDER BY n DESC`,
      r.from,
      r.to,
    ),
    tripsIn(db, r.from, r.to),
    all(
      db,
      `SELECT contract_id, COUNT(*) AS n, SUM(price_cents) AS cents FROM returns WHERE status = 'approved' AND decided_at >= ? AND decided_at < ? GROUP BY contract_id`,
      r.from,
      r.to,
    ),
  ]);
  const ids = new Set([...pings, ...posts].map((x) => String(x.contract_id)));
  for (const id of trips.keys()) ids.add(id);
  return [...ids].sort().map((id) => {
    const p = pings.find((x) => x.contract_id === id) ?? {};
    const q = posts.find((x) => x.contract_id === id) ?? {};
    const n = (v: unknown) => Number(v ?? 0);
    return {
      contract: id,
      pings: n(p.pings),
      bids: n(p.bids),
      bid_rate: n(p.pings) ? Math.round((1000 * n(p.bids)) / n(p.pings)) / 10 : 0,
      avg_bid: p.avg_bid_cents == null ? null : n(p.avg_bid_cents) / 100,
      avg_latency_ms: p.avg_latency_ms == null ? null : n(p.avg_latency_ms),
      timeouts: n(p.timeouts),
      bad_answers: n(p.bad_answers),
      posts: n(q.posts),
      accepted: n(q.accepted),
      rejected: n(q.rejected),
      failed: n(q.failed),
      revenue: n(q.revenue_cents) / 100,
      /** Approved returns in the range: how many, the credit, and revenue net of it. */
      returns: n(returned.find((x) => x.contract_id === id)?.n),
      returned: n(returned.find((x) => x.contract_id === id)?.cents) / 100,
      net_revenue: (n(q.revenue_cents) - n(returned.find((x) => x.contract_id === id)?.cents)) / 100,
      /** Sold leads per ping, in percent (the seeds' "ping-to-post" health metric). */
      ping_to_post: n(p.pings) ? Math.round((1000 * n(q.accepted)) / n(p.pings)) / 10 : 0,
      reject_rate: n(q.posts) ? Math.round((1000 * n(q.rejected)) / n(q.posts)) / 10 : 0,
      /** Times its circuit breaker paused it in the range. */
      breaker_trips: trips.get(id) ?? 0,
      top_reject_reasons: reasons
        .filter((x) => x.contract_id === id)
        .slice(0, 3)
        .map((x) => ({ reason: x.reason == null ? null : String(x.reason), count: n(x.n) })),
    };
  });
}

/**
 * Resale revenue, apart from first sales: offers that ended in the range, by reason (returned,
 * unsold, sold) and aged tier (days; 0 for a returned lead), with the credits of resold leads that
 * were returned again.
 */
export async function resaleReport(db: Db, r: Range) {
  const [rows, credits] = await Promise.all([
    all(
      db,
      `SELECT reason, tier_days, COUNT(*) AS offers, SUM(status = 'sold') AS sold, SUM(status = 'unsold') AS unsold,
              SUM(status = 'skipped') AS skipped, SUM(price_cents) AS price, SUM(payout_cents) AS payout, SUM(margin_cents) AS margin
       FROM resales WHERE done_at >= ? AND done_at < ? GROUP BY reason, tier_days ORDER BY reason, tier_days`,
      r.from,
      r.to,
    ),
    all(
      db,
      `SELECT COALESCE(SUM(rt.price_cents), 0) AS cents FROM returns rt
       JOIN posts p ON p.lead_id = rt.lead_id AND p.contract_id = rt.contract_id AND p.outcome = 'accepted' AND p.resale_id IS NOT NULL
       WHERE rt.status = 'approved' AND rt.decided_at >= ? AND rt.decided_at < ?`,
      r.from,
      r.to,
    ),
  ]);
  const n = (v: unknown) => Number(v ?? 0);
  const line = (x: Row) => ({
    offers: n(x.offers),
    sold: n(x.sold),
    unsold: n(x.unsold),
    skipped: n(x.skipped),
    revenue: n(x.price) / 100,
    payout: n(x.payout) / 100,
    margin: n(x.margin) / 100,
  });
  const sum = (xs: Row[]): Row => {
    const out: Row = { offers: 0, sold: 0, unsold: 0, skipped: 0, price: 0, payout: 0, margin: 0 };
    for (const x of xs) for (const k of Object.keys(out)) out[k] = n(out[k]) + n(x[k]);
    return out;
  };
  const groups = (key: string) => [...new Set(rows.map((x) => x[key]))].map((v) => [v, sum(rows.filter((x) => x[key] === v))] as const);
  const returned = n(credits[0]?.cents);
  const total = sum(rows);
  return {
    totals: { ...line(total), returned: returned / 100, net_revenue: (n(total.price) - returned) / 100 },
    by_reason: groups("reason").map(([reason, x]) => ({ reason: String(reason), ...line(x) })),
    by_tier: groups("tier_days").map(([days, x]) => ({ tier_days: n(days), ...line(x) })),
    rows: rows.map((x) => ({ reason: String(x.reason), tier_days: n(x.tier_days), ...line(x) })),
  };
}
