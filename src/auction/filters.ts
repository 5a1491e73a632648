// Buyer filters over a normalized lead. All filters of a contract must match.
import type { LeadData } from "../lead/fields";
import { cachedRegex } from "../lib/strings";
import type { Filter } from "../rules/schemas";

const same = (a: unknown, b: unknown) => (typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b);

const MAX_REGEX_INPUT = 1024;

export function matchesFilter(filter: Filter, lead: LeadData): boolean {
  const v = lead[filter.field];
  switch (filter.op) {
    case "exists":
      return v !== undefined;
    case "eq":
      return v !== undefined && same(v, filter.value);
    case "neq":
      return v === undefined || !same(v, filter.value);
    case "in":
      return v !== undefined && filter.values.some((x) => same(v, x));
    case "not_in":
      return v === undefined || !filter.values.some((x) => same(v, x));
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
export const failingFilter = (filters: Filter[], lead: LeadData): Filter | undefined => filters.find((f) => !matchesFilter(f, lead));

export const describeFilter = (f: Filter): string => `filter ${f.field} ${f.op}`;
