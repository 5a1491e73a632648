// Experiments in the records: what each variant's leads did (sales, revenue and margin with their
// squares for the intervals, live-round latency), the approved returns of each, and ending one.
import type { Db } from "./client";

export type VariantRow = Record<string, number | string | null>;

/**
 * An experiment's leads per variant and their approved returns, in one batch. Latency (receipt to
 * final state, live-round leads only) is counted per bucket of `latencyBounds` as l0…ln, then lmax.
 */
export async function variantRows(
  db: Db,
  id: string,
  latencyBounds: readonly number[],
): Promise<{ byVariant: VariantRow[]; returned: VariantRow[] }> {
  const lat = latencyBounds
    .map(
      (b, i) =>
        `SUM(CASE WHEN attempts = 0 AND final_at IS NOT NULL AND final_at - created_at ${i === 0 ? "" : `> ${latencyBounds[i - 1]} AND final_at - created_at `}<= ${b} THEN 1 ELSE 0 END) AS l${i}`,
    )
    .join(", ");
  const [byVariant, returned] = await db.$client.batch<VariantRow>([
    db.$client
      .prepare(
        `SELECT variant, COUNT(*) AS leads, SUM(status = 'sold') AS sold, SUM(price_cents) AS rev, SUM(price_cents * price_cents) AS rev_sq,
                SUM(margin_cents) AS margin, SUM(margin_cents * margin_cents) AS margin_sq, ${lat},
                SUM(CASE WHEN attempts = 0 AND final_at IS NOT NULL AND final_at - created_at > ${latencyBounds[latencyBounds.length - 1]} THEN 1 ELSE 0 END) AS lmax
         FROM leads WHERE experiment_id = ? GROUP BY variant`,
      )
      .bind(id),
    db.$client
      .prepare(
        `SELECT l.variant, COUNT(*) AS n, SUM(r.price_cents) AS cents FROM returns AS r JOIN leads AS l ON l.id = r.lead_id WHERE l.experiment_id = ? AND r.status = 'approved' GROUP BY l.variant`,
      )
      .bind(id),
  ]);
  return { byVariant: byVariant!.results, returned: returned!.results };
}
