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
  const sale = await c.var.services.records.sale(leadId, contractId);
  if (!sale) throw new ApiError(404, "not_found", "no lead bought under this contract with that id");
  return sale;
}
