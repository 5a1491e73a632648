// Money is integer cents inside leadgate; dollars appear only at the edges (buyer bids in, JSON out).

/** Largest bid accepted from a buyer, in cents ($10,000): anything above is treated as absurd. */
export const MAX_BID_CENTS = 1_000_000;

/** Dollars (a finite JSON number or numeric string) to cents, rounding half away from zero. */
export function dollarsToCents(value: unknown): number | undefined {
  const n = typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) return undefined;
  // Round on the decimal string to avoid binary artefacts such as 1.005 * 100 = 100.49999.
  const cents = Math.round(Number(`${n}e2`));
  return Number.isSafeInteger(cents) ? cents : undefined;
}

export const centsToDollars = (cents: number): number => cents / 100;

/** Integer basis-point scaling (10000 = 1.0), rounding down so buyers never pay more than they bid. */
export const applyBps = (cents: number, bps: number): number => Math.floor((cents * bps) / 10_000);
