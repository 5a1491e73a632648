// What the source earns from a lead's sales, and what the exchange keeps. Integer cents.
import type { Source } from "../rules/model";
import { applyBps } from "../lib/money";

export interface Split {
  priceCents: number;
  payoutCents: number;
  marginCents: number;
}

/**
 * One split per sale of a lead (several on a shared lead). A revenue share applies to each sale and
 * rounds down; a fixed payout is per lead, spread over the sales in order and never above what the
 * buyers paid, so the exchange never sells at a loss. Always price = payout + margin.
 */
export function splitSales(source: Pick<Source, "payoutType" | "payoutValue">, pricesCents: number[]): Split[] {
  let fixedLeft = source.payoutType === "fixed" ? source.payoutValue : 0;
  return pricesCents.map((priceCents) => {
    let payoutCents: number;
    if (source.payoutType === "share") payoutCents = applyBps(priceCents, source.payoutValue);
    else {
      payoutCents = Math.min(fixedLeft, priceCents);
      fixedLeft -= payoutCents;
    }
    return { priceCents, payoutCents, marginCents: priceCents - payoutCents };
  });
}

export function sumSplits(splits: Split[]): Split {
  return splits.reduce(
    (acc, s) => ({
      priceCents: acc.priceCents + s.priceCents,
      payoutCents: acc.payoutCents + s.payoutCents,
      marginCents: acc.marginCents + s.marginCents,
    }),
    { priceCents: 0, payoutCents: 0, marginCents: 0 },
  );
}
