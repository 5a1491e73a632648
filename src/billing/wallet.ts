// A buyer's wallet in the auction, pure: what it may spend, how big a block an isolate may lease,
// whether a refusal is for good (the balance is spent: a top-up is needed) or for now (it is held by
// posts in flight and blocks leased to isolates), and when the low-balance threshold is crossed.
// Integer cents. The BuyerWallet object applies it to its balance and holds.

export type BillingMode = "none" | "prepaid" | "credit";

/** What a billed buyer's wallet is told with every call (from its buyer row). */
export interface WalletSettings {
  mode: "prepaid" | "credit";
  creditLimitCents: number;
  /** Below this balance the buyer is low (an event); null: no threshold. */
  lowBalanceCents: number | null;
  /** Moves on when the mode or limit changes: the wallet then reads its balance from the ledger again. */
  epoch: number;
}

/** What may be spent in all: a prepaid buyer its balance, a credit buyer its balance plus its limit. */
export const spendable = (balanceCents: number, s: Pick<WalletSettings, "mode" | "creditLimitCents">): number =>
  s.mode === "credit" ? balanceCents + s.creditLimitCents : balanceCents;

/** What is left to spend once holds (posts in flight, unspent leased blocks) are taken out. */
export const available = (balanceCents: number, s: Pick<WalletSettings, "mode" | "creditLimitCents">, inUseCents: number): number =>
  spendable(balanceCents, s) - inUseCents;

export type Verdict = { ok: true } | { ok: false; held: boolean };

/**
 * May `cents` more be taken? Refused: `held` when it would fit once the holds are given back (try
 * again shortly), not held when the balance itself is short (until a top-up).
 */
export function judge(
  balanceCents: number,
  s: Pick<WalletSettings, "mode" | "creditLimitCents">,
  inUseCents: number,
  cents: number,
): Verdict {
  if (cents <= available(balanceCents, s, inUseCents)) return { ok: true };
  return { ok: false, held: cents <= spendable(balanceCents, s) };
}

/**
 * A block for an isolate: at least what it wants (the largest price it expects to pay), else a quarter
 * of what is available, never more than is available. 0: nothing to lease.
 */
export function blockSize(availableCents: number, wantCents: number): number {
  if (availableCents <= 0) return 0;
  return Math.min(availableCents, Math.max(Math.ceil(availableCents / 4), wantCents));
}

/** The balance went from at or above the threshold to below it. */
export const crossedLow = (beforeCents: number, afterCents: number, thresholdCents: number | null): boolean =>
  thresholdCents !== null && beforeCents >= thresholdCents && afterCents < thresholdCents;

/** The least a contract can be sold for: its fixed price, or its minimum bid (at least a cent). */
export const leastPrice = (c: { pricing: "dynamic" | "fixed"; fixedPriceCents: number | null; minBidCents: number }): number =>
  c.pricing === "fixed" && c.fixedPriceCents !== null ? c.fixedPriceCents : Math.max(1, c.minBidCents);

/** A buyer row's wallet settings, or null when its billing is none (the wallet is never asked). */
export function walletSettingsOf(b: {
  billing: BillingMode;
  creditLimitCents: number;
  lowBalanceCents: number | null;
  billingEpoch: number;
}): WalletSettings | null {
  return b.billing === "none"
    ? null
    : { mode: b.billing, creditLimitCents: b.creditLimitCents, lowBalanceCents: b.lowBalanceCents, epoch: b.billingEpoch };
}
