// The console's figures as stored: for the operator, leads per time bucket, campaign, source and
// status over a range (one indexed range), the latest leads, the range's buyer rollups and reasons,
// returns by status and leads per experiment variant; for a publisher, only its own leads and payouts
// (sourceRows). Shaped into pages in console/figures.ts and console/source-view.ts.
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
async function leadRows(db: Db, range: FigureRange): Promise<Pick<FigureRows, "leads" | "recent">> {
  const [leadRows, recentRows] = await db.$client.batch<Record<string, number | string>>([
    db.$client
      .prepare(
        `SELECT CAST(created_at / ?1 AS INTEGER) * ?1 AS bucket, campaign_id, source_id, status, COUNT(*) AS n,
                SUM(price_cents) AS price, SUM(payout_cents) AS payout, SUM(margin_cents) AS margin
         FROM leads WHERE created_at >= ?2 AND created_at < ?3 GROUP BY 1, 2, 3, 4`,
      )
      .bind(range.step, range.from, range.to),
    db.$client.prepare(
      `SELECT id, campaign_id, source_id, status, price_cents, payout_cents, created_at FROM leads ORDER BY created_at DESC LIMIT 25`,
    ),
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

/** Everything the overview page shows: the leads' batch and the rollup reads, then the returns and variants. */
export async function figureRows(db: Db, range: FigureRange): Promise<FigureRows> {
  const [{ leads, recent }, rollups, reasons] = await Promise.all([
    leadRows(db, range),
    readRollups(db, range.grain, range.from, range.to),
    readReasons(db, range.grain, range.from, range.to, 20),
  ]);
  return { leads, recent, rollups, reasons, ...(await returnsAndVariants(db, range)) };
}

/** A publisher's own leads per bucket and status with its payout, never what buyers paid or the margin. */
export interface SourceLeadBucket {
  bucket: number;
  status: string;
  n: number;
  payout: number;
}

export interface SourceRows {
  leads: SourceLeadBucket[];
  recent: { id: string; campaign_id: string; status: string; payout_cents: number; created_at: number }[];
  /** Its leads' approved returns decided in the range, and the payout they took back. */
  returned: { n: number; clawbackCents: number };
}

/**
 * What a publisher's console shows, in one batch: only its leads, and of the money only its payout
 * (what buyers paid, the margin and who bought are the exchange's books, so not even selected).
 */
export async function sourceRows(db: Db, range: FigureRange, sourceId: string): Promise<SourceRows> {
  const [leads, recent, returned] = await db.$client.batch<Record<string, number | string>>([
    db.$client
      .prepare(
        `SELECT CAST(created_at / ?1 AS INTEGER) * ?1 AS bucket, status, COUNT(*) AS n, SUM(payout_cents) AS payout
         FROM leads WHERE source_id = ?4 AND created_at >= ?2 AND created_at < ?3 GROUP BY 1, 2`,
      )
      .bind(range.step, range.from, range.to, sourceId),
    db.$client
      .prepare(`SELECT id, campaign_id, status, payout_cents, created_at FROM leads WHERE source_id = ? ORDER BY created_at DESC LIMIT 25`)
      .bind(sourceId),
    db.$client
      .prepare(
        `SELECT COUNT(*) AS n, COALESCE(SUM(clawback_cents), 0) AS cents FROM returns WHERE source_id = ? AND status = 'approved' AND decided_at >= ? AND decided_at < ?`,
      )
      .bind(sourceId, range.from, range.to),
  ]);
  const r = returned!.results[0];
  return {
    leads: leads!.results.map((l) => ({
      bucket: Number(l.bucket),
      status: String(l.status),
      n: Number(l.n),
      payout: Number(l.payout ?? 0),
    })),
    recent: recent!.results.map((l) => ({
      id: String(l.id),
      campaign_id: String(l.campaign_id),
      status: String(l.status),
      payout_cents: Number(l.payout_cents),
      created_at: Number(l.created_at),
    })),
    returned: { n: Number(r?.n ?? 0), clawbackCents: Number(r?.cents ?? 0) },
  };
}
