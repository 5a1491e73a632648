// The editable rule tables (./spec.ts): what the rules API, the editor, the audit triggers and
// rules:export iterate over. The schema's facts about each column are db/rule-columns.ts.
import { BUYERS, EXPERIMENTS } from "./buyers";
import { CAMPAIGNS } from "./campaigns";
import { CONTRACTS } from "./contracts";
import { SOURCES } from "./sources";
import { SECRET_WIDGETS, type FieldSpec, type RuleTable, type TableSpec } from "./spec";

export * from "./spec";

export const TABLE_SPECS: Record<RuleTable, TableSpec> = {
  campaigns: CAMPAIGNS,
  sources: SOURCES,
  buyers: BUYERS,
  contracts: CONTRACTS,
  experiments: EXPERIMENTS,
};

/** A field's entry by column. */
export const fieldOf = (table: RuleTable, column: string): FieldSpec | undefined =>
  TABLE_SPECS[table].fields.find((f) => f.column === column);

/** The write-only columns of a table: never read back, masked in the audit trail, left out of exports. */
export const secretColumns = (table: RuleTable): string[] =>
  TABLE_SPECS[table].fields.filter((f) => SECRET_WIDGETS.has(f.widget)).map((f) => f.column);

export const isRuleTable = (name: string): name is RuleTable => (TABLE_SPECS as Record<string, TableSpec | undefined>)[name] !== undefined;
