// A consumer's erasure in the records. Here: what keeps an erased lead's books whole when a round
// that sold before the erasure is recorded after it.
import type { Db } from "./client";

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
