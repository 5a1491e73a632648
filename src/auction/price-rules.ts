// A contract's price for a lead under its price rules (contracts.price_rules): the first rule whose
// conditions all match decides — a price, an adjustment of the bid (or fixed price), or a refusal; no
// match keeps the contract's own price. Conditions are filters (./filters.ts), value lists through
// their sets. Pure, integer cents.
import type { LeadData } from "../lead/fields";
import { applyBps, MAX_BID_CENTS } from "../lib/money";
import type { CompiledPriceRule, Contract } from "../rules/model";
import { matchesFilter } from "./filters";

/** Which rule priced a bid, and the price it started from (the buyer's bid or the fixed price). */
export interface PricedBy {
  /** 1-based, as the admin counts them. */
  rule: number;
  name: string | null;
  baseCents: number;
}

export type Pricing = { kind: "price"; cents: number; by: PricedBy | null } | { kind: "refuse"; reason: string };

/** The first rule that matches the lead (1-based index), or undefined. */
export function matchingRule(rules: readonly CompiledPriceRule[], lead: LeadData): { index: number; rule: CompiledPriceRule } | undefined {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (rule.when.every((f) => matchesFilter(f, lead))) return { index: i + 1, rule };
  }
  return undefined;
}

export const describeRule = (index: number, name: string | null | undefined): string => `price rule ${index}${name ? ` (${name})` : ""}`;

const refusal = (m: { index: number; rule: { name?: string | null } }) => `${describeRule(m.index, m.rule.name)}: refuses the lead`;

/** Why the contract's price rules refuse this lead, or undefined (it may compete). */
export function refusedBy(c: Pick<Contract, "priceRules">, lead: LeadData): string | undefined {
  if (c.priceRules.length === 0) return undefined;
  const m = matchingRule(c.priceRules, lead);
  return m?.rule.refuse ? refusal(m) : undefined;
}

function apply(rule: CompiledPriceRule, base: number): number {
  if (rule.price_cents !== undefined) return rule.price_cents;
  if (rule.add_cents !== undefined) return Math.min(base + rule.add_cents, MAX_BID_CENTS);
  if (rule.subtract_cents !== undefined) return Math.max(base - rule.subtract_cents, 0);
  return Math.min(applyBps(base, rule.multiply_bps ?? 10_000), MAX_BID_CENTS);
}

/** The price of a lead to a contract whose own price (its bid, or fixed price) is `baseCents`. */
export function priceFor(c: Pick<Contract, "priceRules">, lead: LeadData, baseCents: number): Pricing {
  const m = c.priceRules.length === 0 ? undefined : matchingRule(c.priceRules, lead);
  if (!m) return { kind: "price", cents: baseCents, by: null };
  if (m.rule.refuse) return { kind: "refuse", reason: refusal(m) };
  return { kind: "price", cents: apply(m.rule, baseCents), by: { rule: m.index, name: m.rule.name ?? null, baseCents } };
}
