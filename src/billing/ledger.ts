// The booking rules of the ledger, pure: which accounts an event moves and by how much, in integer
// cents. Every entry's legs sum to zero (double entry), so the sum of all accounts is always zero.
// Signs: a buyer's account is what the exchange holds for it (a sale takes the price off; negative
// means the buyer owes), a source's is what the exchange owes it, the house's is the margin kept, and
// cash is the exchange's bank (money in makes it more negative: the other side of a deposit).

export type Party = "buyer" | "source" | "house" | "cash";

export type EntryKind = "sale" | "return" | "deposit" | "topup" | "credit" | "write_off" | "charge" | "payment";

/** Admins' adjustments of a buyer's account. */
export const ADJUSTMENT_KINDS = ["credit", "write_off", "charge"] as const;
export type AdjustmentKind = (typeof ADJUSTMENT_KINDS)[number];

export interface Leg {
  party: Party;
  amountCents: number;
}

/** The largest single amount booked ($10,000,000): anything above is a typo, not money. */
export const MAX_AMOUNT_CENTS = 1_000_000_000;

/** A positive whole number of cents, within the maximum. */
export const isAmount = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n > 0 && n <= MAX_AMOUNT_CENTS;

export const account = (party: Party, id?: string): string => (party === "house" || party === "cash" ? party : `${party}:${id}`);

export const saleKey = (leadId: string, contractId: string) => `sale:${leadId}:${contractId}`;
export const depositKey = (buyerId: string, reference: string) => `deposit:${buyerId}:${reference}`;
export const paymentKey = (sourceId: string, reference: string) => `payment:${sourceId}:${reference}`;
export const stripeKey = (paymentId: string) => `stripe:${paymentId}`;

const legs = (...all: Leg[]): Leg[] => all.filter((l) => l.amountCents !== 0);

/** A sale: the buyer pays its price, the source earns its payout, the house keeps the rest. */
export function saleLegs(priceCents: number, payoutCents: number): Leg[] {
  return legs(
    { party: "buyer", amountCents: -priceCents },
    { party: "source", amountCents: payoutCents },
    { party: "house", amountCents: priceCents - payoutCents },
  );
}

/** An approved return: the buyer gets its price back, the source gives back the clawback, the house the rest. */
export function returnLegs(creditCents: number, clawbackCents: number): Leg[] {
  return legs(
    { party: "buyer", amountCents: creditCents },
    { party: "source", amountCents: -clawbackCents },
    { party: "house", amountCents: clawbackCents - creditCents },
  );
}

/** Money from a buyer (an admin's deposit, a Stripe top-up): into its account, out of nowhere but cash. */
export function depositLegs(amountCents: number): Leg[] {
  return legs({ party: "buyer", amountCents }, { party: "cash", amountCents: -amountCents });
}

/** A credit or write-off gives the buyer money at the house's cost; a charge takes it. */
export function adjustmentLegs(kind: AdjustmentKind, amountCents: number): Leg[] {
  const toBuyer = kind === "charge" ? -amountCents : amountCents;
  return legs({ party: "buyer", amountCents: toBuyer }, { party: "house", amountCents: -toBuyer });
}

/** A payment to a source: what the exchange owes it goes down, and so does its cash. */
export function sourcePaymentLegs(amountCents: number): Leg[] {
  return legs({ party: "source", amountCents: -amountCents }, { party: "cash", amountCents });
}

export const isBalanced = (ls: readonly Leg[]) => ls.reduce((a, l) => a + l.amountCents, 0) === 0;
