// Value lists compiled into sets, once per rules load, and the filters and price rules that name them
// resolved against those sets (a long inline `in` list gets its set here too): a lead's look-up is a
// hash probe, never a scan. Also a contract's price rules checked against its campaign's fields.
import type { ValueListRow } from "../../db/schema";
import { inlineKey, ListValuesSchema } from "../lists";
import type { Campaign, CompiledFilter, CompiledPriceRule, RuleProblem } from "../model";
import { PriceRulesSchema, type PriceRule } from "../price-rules";
import type { Filter } from "../schemas";
import { parseJson, type Problems } from "./shared";

/** Inline lists longer than this are matched through a set. */
const INLINE_SET_FROM = 16;

export type ListSets = ReadonlyMap<string, ReadonlySet<string>>;

/** Every valid list as a set of its values. */
export function compileLists(rows: readonly ValueListRow[], problems: Problems): ListSets {
  const out = new Map<string, ReadonlySet<string>>();
  for (const row of rows) {
    const values = parseJson(row.values, ListValuesSchema, { table: "value_lists", id: row.name, column: "values" }, problems);
    if (values) out.set(row.name, new Set(values));
  }
  return out;
}

type Where = Omit<RuleProblem, "message">;

/** Filters with their sets; a list that does not exist is a problem (the rule would match nothing). */
export function resolveFilters(filters: readonly Filter[], lists: ListSets, at: Where, problems: Problems): CompiledFilter[] {
  return filters.map((f) => {
    if (f.op === "in_list" || f.op === "not_in_list") {
      const set = lists.get(f.list);
      if (!set) problems.push({ ...at, message: `filter ${f.field} ${f.op}: no value list "${f.list}" (upload it first)` });
      return { ...f, set: set ?? new Set<string>() };
    }
    if ((f.op === "in" || f.op === "not_in") && f.values.length > INLINE_SET_FROM) return { ...f, set: new Set(f.values.map(inlineKey)) };
    return f;
  });
}

/** The contracts.price_rules column, parsed, its conditions on the campaign's fields, their lists resolved. */
export function compilePriceRules(
  raw: string,
  campaign: Campaign | undefined,
  lists: ListSets,
  at: Where,
  problems: Problems,
): { parsed: PriceRule[]; compiled: CompiledPriceRule[] } | undefined {
  const parsed = parseJson(raw, PriceRulesSchema, at, problems);
  if (!parsed) return undefined;
  const names = campaign ? new Set([...campaign.fields.map((f) => f.name), "age"]) : undefined;
  const compiled = parsed.map((rule, i) => {
    for (const f of rule.when)
      if (names && !names.has(f.field))
        problems.push({ ...at, message: `price rule ${i + 1}: condition on unknown field "${f.field}" of campaign ${campaign!.slug}` });
    return { ...rule, when: resolveFilters(rule.when, lists, at, problems) };
  });
  return { parsed, compiled };
}
