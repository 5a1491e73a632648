// An invoice's figures, pure: a buyer's period closed into lines per campaign (sales charged, returns
// credited) and totals that add up — closing = opening − charges + credits + payments + adjustments.
// Integer cents; the records compute the sums, this checks and names them.

export interface InvoiceLine {
  campaignId: string;
  campaign: string;
  leads: number;
  chargesCents: number;
  returns: number;
  creditsCents: number;
}

export interface InvoiceTotals {
  openingCents: number;
  chargesCents: number;
  creditsCents: number;
  /** Deposits and top-ups received in the period. */
  paymentsCents: number;
  /** Admins' credits, write-offs (positive) and charges (negative) in the period. */
  adjustmentsCents: number;
  closingCents: number;
}

export function invoiceTotals(
  openingCents: number,
  lines: readonly InvoiceLine[],
  paymentsCents: number,
  adjustmentsCents: number,
): InvoiceTotals {
  const chargesCents = lines.reduce((a, l) => a + l.chargesCents, 0);
  const creditsCents = lines.reduce((a, l) => a + l.creditsCents, 0);
  return {
    openingCents,
    chargesCents,
    creditsCents,
    paymentsCents,
    adjustmentsCents,
    closingCents: openingCents - chargesCents + creditsCents + paymentsCents + adjustmentsCents,
  };
}

/** What the buyer owes at the end of the period (a negative balance), or 0. */
export const amountDue = (closingCents: number) => Math.max(0, -closingCents);

export const invoiceNumber = (n: number) => `INV-${String(n).padStart(6, "0")}`;
