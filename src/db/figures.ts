// The console's figures as stored: leads per time bucket, campaign, source and status over a range
// (one indexed range), the latest leads, and for the operator's view the range's buyer rollups and
// reasons, returns by status and leads per experiment variant. Shaped into pages in console/figures.ts.
import type { Db } from "./client";
import { readReasons, readRollups, type RollupRow } from "./rollups";

export interface FigureRange {
  grain: "m" | "h";
  /** Bucket width (ms). */
  step: number;
  from: number;
  to: number;
}

export interface LeadBucket {
  bucket: number;
  campaign_id: string;
  source_id: string;
  status: string;
  n: number;
  price: number;
  payout: number;
  margin: number;
}

export interface RecentLead {
  id: string;
  campaign_id: string;
  source_id: string;
  status: string;
  price_cents: number;
  payout_cents: number;
  created_at: number;
}

export interface FigureRows {
  leads: LeadBucket[];
  recent: RecentLead[];
  rollups: RollupRow[];
  reasons: { contract_id: string; outcome: string; reason: string; n: number }[];
  returns: { status: string; n: number; cents: number }[];
  variants: { experiment_id: string; variant: string; n: number; sold: number }[];
}

/** The leads of the range per bucket, campaign, source and status, and the latest 25: one batch. */
async function leadRows(db: Db, range: FigureRange, sourceId: string | null): Promise<Pick<FigureRows, "leads" | "recent">> {
  const [leadRows, recentRows] = await db.$client.batch<Record<string, number | string>>([
    db.$client
      .prepare(
        `SELECT CAST(created_at / ?1 AS INTEGER) * ?1 AS bucket, campaign_id, source_id, status, COUNT(*) AS n,
                SUM(price_cents) AS price, SUM(payout_cents) AS payout, SUM(margin_cents) AS margin
         FROM leads WHERE created_at >= ?2 AND created_at < ?3 AND (?4 IS NULL OR source_id = ?4) GROUP BY 1, 2, 3, 4`,
      )
      .bind(range.step, range.from, range.to, sourceId),
    db.$client
      .prepare(
        `SELECT id, campaign_id, source_id, status, price_cents, payout_cents, created_at FROM leads WHERE (?1 IS NULL OR source_id = ?1) ORDER BY created_at DESC LIMIT 25`,
      )
      .bind(sourceId),
  ]);
  return {
    leads: leadRows!.results.map((r) => ({
      bucket: Number(r.bucket),
      campaign_id: String(r.campaign_id),
      source_id: String(r.source_id),
      status: String(r.status),
      n: Number(r.n),
      price: Number(r.price ?? 0),
      payout: Number(r.payout ?? 0),
      margin: Number(r.margin ?? 0),
    })),
    recent: recentRows!.results.map((r) => ({
      id: String(r.id),
      campaign_id: String(r.campaign_id),
      source_id: String(r.source_id),
      status: String(r.status),
      price_cents: Number(r.price_cents),
      payout_cents: Number(r.payout_cents),
      created_at: Number(r.created_at),
    })),
  };
}

async function returnsAndVariants(db: Db, range: FigureRange): Promise<Pick<FigureRows, "returns" | "variants">> {
  const [returns, variants] = await Promise.all([
    db.$client
      .prepare(
        `SELECT status, COUNT(*) AS n, SUM(price_cents) AS cents FROM returns WHERE created_at >= ? AND created_at < ? GROUP BY status`,
      )
      .bind(range.from, range.to)
      .all<{ status: string; n: number; cents: number }>()
      .then((r) => r.results),
    db.$client
      .prepare(
        `SELECT experiment_id, variant, COUNT(*) AS n, SUM(status = 'sold') AS sold FROM leads WHERE experiment_id IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY 1, 2`,
      )
      .bind(range.from, range.to)
      .all<{ experiment_id: string; variant: string; n: number; sold: number }>()
      .then((r) => r.results),
  ]);
  return { returns, variants };
}

/**
 * Everything the overview page shows, in one D1 batch plus the rollup reads, then the returns and
 * variants. With `sourceId` (a publisher's own view): only its leads, and nothing about buyers.
 */
export async function figureRows(db: Db, range: FigureRange, sourceId: string | null): Promise<FigureRows> {
  const { leads, recent } = await leadRows(db, range, sourceId);
  if (sourceId) return { leads, recent, rollups: [], reasons: [], returns: [], variants: [] };
  const [rollups, reasons] = await Promise.all([
    readRollups(db, range.grain, range.from, range.to),
    readReasons(db, range.grain, range.from, range.to, 20),
  ]);
  return { leads, recent, rollups, reasons, ...(await returnsAndVariants(db, range)) };
}
