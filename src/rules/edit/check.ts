// A change to one rule row judged by the compilers the gateway and rules:check use, against every
// other row: the problems the row would have (any one refuses the write), the problems it would cause
// elsewhere that were not there before (a campaign losing a field its contracts filter on), and the
// warnings it would carry. Pure.
import type { RuleTable } from "../fields";
import type { RuleProblem, RuleRows } from "../model";
import { compileRules } from "../compile";

export type AllRuleRows = Required<Pick<RuleRows, "campaigns" | "sources" | "buyers" | "contracts" | "experiments">>;

export interface ChangeCheck {
  /** Problems of the row itself: the write is refused with each as a field error. */
  problems: RuleProblem[];
  /** New problems of other rows the change would cause. */
  elsewhere: RuleProblem[];
  /** Things worth a second look that disable nothing. */
  warnings: RuleProblem[];
}

const key = (p: RuleProblem) => `${p.table}\u0000${p.id}\u0000${p.column}\u0000${p.message}`;

/** The rows with `candidate` in place of row `id` of `table` (added when new; removed when null). */
export function withRow<T extends RuleTable>(
  rows: AllRuleRows,
  table: T,
  id: string,
  candidate: AllRuleRows[T][number] | null,
): AllRuleRows {
  const list = rows[table] as AllRuleRows[T][number][];
  const others = list.filter((r) => r.id !== id);
  return { ...rows, [table]: candidate ? [...others, candidate] : others };
}

/** Slugs are what sources type; the compiler takes any, the editor only a clean one. */
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function checkChange<T extends RuleTable>(
  rows: AllRuleRows,
  table: T,
  id: string,
  candidate: AllRuleRows[T][number] | null,
): ChangeCheck {
  const before = compileRules(rows);
  const after = compileRules(withRow(rows, table, id, candidate));
  const known = new Set(before.problems.map(key));
  const mine = (p: RuleProblem) => p.table === table && p.id === id;
  const problems = after.problems.filter(mine);
  if (table === "campaigns" && candidate && !SLUG.test(String((candidate as { slug: unknown }).slug)))
    problems.push({ table, id, column: "slug", message: "lower-case letters, digits and dashes, at most 64 (what sources send)" });
  return {
    problems,
    elsewhere: after.problems.filter((p) => !mine(p) && !known.has(key(p))),
    warnings: after.warnings.filter(mine),
  };
}
