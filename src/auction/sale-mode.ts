// Exclusive or shared by value: a buyer's price for a shared lead, the best set of shared bids, and
// which way of selling a lead pays more. Pure, integer cents; compared in ranking terms (after each
// contract's bid adjustment and, if the campaign weights quality, its quality score).
import { applyBps } from "../lib/money";
import type { Contract } from "../rules/model";
import type { Bid } from "./ranking";
import { dollars } from "../billing/money-text";

export type SaleKind = "exclusive" | "shared";

/**
 * A buyer's price for a shared lead: the one its answer named (null there: it buys exclusive leads
 * only), else its contract's `shared_price_bps` of its bid, else its bid.
 */
export function sharedPriceCents(contract: Pick<Contract, "sharedPriceBps">, bidCents: number, answered?: number | null): number | null {
  if (answered !== undefined) return answered;
  return contract.sharedPriceBps === null ? bidCents : applyBps(bidCents, contract.sharedPriceBps);
}

/** The shared bids a shared sale posts first: the best ones, at most `maxBuyers`, one per buyer. */
export function bestSharedSet(ranked: Bid[], maxBuyers: number): Bid[] {
  const out: Bid[] = [];
  const buyers = new Set<string>();
  for (const bid of ranked) {
    if (out.length >= maxBuyers) break;
    if (buyers.has(bid.contract.buyerId)) continue;
    buyers.add(bid.contract.buyerId);
    out.push(bid);
  }
  return out;
}

export interface SaleChoice {
  /** The way posted first; the other is the fallback if it sells nothing. */
  first: SaleKind;
  /** The best exclusive bid and the best shared set's sum, in ranking terms (cents). */
  exclusiveCents: number;
  sharedCents: number;
  sharedBuyers: number;
  why: string;
}

const usd = (cents: number) => `$${dollars(cents)}`;

/**
 * Which way pays more: the best exclusive bid, or the best shared set (distinct buyers, each at its
 * own price). A tie goes to exclusive: one buyer, and the consumer is called once.
 */
export function chooseSaleMode(exclusive: Bid[], shared: Bid[], maxBuyers: number): SaleChoice {
  const exclusiveCents = exclusive[0]?.effectiveCents ?? 0;
  const set = bestSharedSet(shared, maxBuyers);
  const sharedCents = set.reduce((sum, b) => sum + b.effectiveCents, 0);
  const first: SaleKind = sharedCents > exclusiveCents ? "shared" : "exclusive";
  const sharedText = `${set.length} shared buyer${set.length === 1 ? "" : "s"} at ${usd(sharedCents)}`;
  const exclusiveText = exclusive.length ? `one exclusive buyer at ${usd(exclusiveCents)}` : "no exclusive bid";
  const why = first === "shared" ? `${sharedText} beat ${exclusiveText}` : `${exclusiveText} beat ${sharedText}`;
  return { first, exclusiveCents, sharedCents, sharedBuyers: set.length, why: exclusive.length || set.length ? why : "no bids" };
}
