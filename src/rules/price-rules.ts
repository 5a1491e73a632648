// A contract's price rules (contracts.price_rules): an ordered list, the first rule whose conditions
// all match the lead prices it. Conditions are filters (the filter language of `filters`, value lists
// included); the action sets the price, adds or subtracts cents, multiplies the bid (basis points) or
// refuses the lead. A lead no rule matches keeps the contract's price (its fixed price, or its bid).
import * as z from "zod";
import { FilterSchema } from "./schemas";

export const MAX_PRICE_RULES = 100;

const ACTIONS = ["price_cents", "add_cents", "subtract_cents", "multiply_bps", "refuse"] as const;

export const PriceRuleSchema = z
  .object({
    /** Shown in the trace and the reports: "price rule 2 (TX homeowners)". */
    name: z.string().min(1).max(60).optional(),
    /** All must match; none (or absent): every lead, as an "else" rule. */
    when: z.array(FilterSchema).max(20).default([]),
    /** The price, whatever the bid (a fixed price; for a bidder, an override). */
    price_cents: z.number().int().min(1).max(1_000_000).optional(),
    add_cents: z.number().int().min(1).max(1_000_000).optional(),
    subtract_cents: z.number().int().min(1).max(1_000_000).optional(),
    /** The bid (or fixed price) times this, in basis points (12000 = x1.2), rounded down. */
    multiply_bps: z.number().int().min(1).max(100_000).optional(),
    /** The contract does not take the lead: it is not pinged or posted. */
    refuse: z.literal(true).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const actions = ACTIONS.filter((a) => r[a] !== undefined);
    if (actions.length !== 1)
      ctx.addIssue({ code: "custom", message: `a price rule has exactly one of ${ACTIONS.join(", ")} (this one has ${actions.length})` });
  });
export type PriceRule = z.infer<typeof PriceRuleSchema>;

export const PriceRulesSchema = z.array(PriceRuleSchema).max(MAX_PRICE_RULES);
