// What a buyer's signed call back (deletions, returns, feedback; verified by ../auth.ts) may refer to:
// only leads its contract bought.
import type { Context } from "hono";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** Did this contract buy this lead? A lead it did not is reported as missing: ids are not an oracle. */
export async function boughtBy(
  c: Context<AppEnv>,
  leadId: string,
  contractId: string,
): Promise<{ priceCents: number; payoutCents: number; soldAt: number }> {
  const row = await c.var.services.records.db.$client
    .prepare(
      `SELECT price_cents, payout_cents, created_at FROM posts WHERE lead_id = ? AND contract_id = ? AND outcome = 'accepted' LIMIT 1`,
    )
    .bind(leadId, contractId)
    .first<{ price_cents: number; payout_cents: number; created_at: number }>();
  if (!row) throw new ApiError(404, "not_found", "no lead bought under this contract with that id");
  return { priceCents: row.price_cents, payoutCents: row.payout_cents, soldAt: Number(row.created_at) };
}
