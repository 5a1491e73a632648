// Buyer filters over a normalized lead. All filters of a contract must match. A value list, or a long
// inline list, is matched through the set the rules compiled for it: one probe, whatever its size.
import type { LeadData } from "../lead/fields";
import { cachedRegex } from "../lib/strings";
import { inlineKey, listKey } from "../rules/lists";
import type { CompiledFilter } from "../rules/model";

const same = (a: unknown, b: unknown) => (typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b);

const MAX_REGEX_INPUT = 1024;

/** Whether the lead's value is one of an `in` / `not_in` filter's values. */
function listed(filter: Extract<CompiledFilter, { op: "in" | "not_in" }>, v: unknown): boolean {
  return filter.set ? filter.set.has(inlineKey(v)) : filter.values.some((x) => same(v, x));
}

export function matchesFilter(filter: CompiledFilter, lead: LeadData): boolean {
  const v = lead[filter.field];
  switch (filter.op) {
    case "exists":
      return v !== undefined;
    case "eq":
      return v !== undefined && same(v, filter.value);
    case "neq":
      return v === undefined || !same(v, filter.value);
    case "in":
      return v !== undefined && listed(filter, v);
    case "not_in":
      return v === undefined || !listed(filter, v);
    case "in_list":
      return v !== undefined && filter.set !== undefined && filter.set.has(listKey(v));
    case "not_in_list":
      // A list the rules could not resolve matches nothing, so it refuses rather than lets through.
      return filter.set !== undefined && (v === undefined || !filter.set.has(listKey(v)));
    case "range": {
      const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
      if (!Number.isFinite(n)) return false;
      return (filter.min === undefined || n >= filter.min) && (filter.max === undefined || n <= filter.max);
    }
    case "regex":
      // RE2, linear in the input, which is bounded too: a match costs at most input x program size.
      return v !== undefined && cachedRegex(filter.pattern).test(String(v).slice(0, MAX_REGEX_INPUT));
  }
}

/** The first filter that does not match, or undefined when all match. */
export const failingFilter = (filters: CompiledFilter[], lead: LeadData): CompiledFilter | undefined =>
  filters.find((f) => !matchesFilter(f, lead));

export const describeFilter = (f: CompiledFilter): string => `filter ${f.field} ${f.op}${"list" in f ? ` ${f.list}` : ""}`;
