// The editable rule tables described once, for the rules API, the console's editor, the audit trail
// and `rules:export`: per column a label, a line of help, the widget that edits it and the form
// section it sits in. Types, nullability and defaults come from the drizzle schema itself
// (db/rule-columns.ts), so adding a column to the editor is one entry in its table's list
// (./campaigns.ts, ./contracts.ts…); a test fails while a column of an editable table has no entry and
// is not listed as fixed.
export const RULE_TABLES = ["campaigns", "sources", "buyers", "contracts", "experiments"] as const;
export type RuleTable = (typeof RULE_TABLES)[number];

/**
 * How a column is edited. JSON columns: `json` (a textarea), `lines` (a string list, one per line),
 * `filters`, `price_rules`, `schedule`, `fields` and `protocol` (form rows of their own), `records` (a list of flat
 * objects, a row each, its cells described by `columns`), `headers` (a secret map of header names to values).
 * Write-only: `secret` (a key or password), `key` (a source's key, stored as its SHA-256), `headers`.
 */
export type Widget =
  | "text"
  | "number"
  | "checkbox"
  | "select"
  | "url"
  | "textarea"
  | "secret"
  | "key"
  | "headers"
  | "json"
  | "lines"
  | "filters"
  | "price_rules"
  | "schedule"
  | "fields"
  | "protocol"
  | "records"
  | "campaign"
  | "buyer";

export const JSON_WIDGETS: ReadonlySet<Widget> = new Set([
  "json",
  "lines",
  "filters",
  "price_rules",
  "schedule",
  "fields",
  "protocol",
  "records",
  "headers",
]);
export const SECRET_WIDGETS: ReadonlySet<Widget> = new Set(["secret", "key", "headers"]);

/** A cell of a `records` row: one key of the objects in the list. */
export interface RowColumn {
  key: string;
  label: string;
  /**
   * number: a whole number; list: values separated by commas (`options` the choices); select: one of
   * `options`, boolean: yes or no, either or none (the default). A dotted key is one level down.
   */
  kind: "text" | "number" | "select" | "boolean" | "list";
  options?: readonly string[];
}

export interface FieldSpec {
  /** The SQL column. */
  column: string;
  label: string;
  /** One line: what it does, its unit and its default's meaning. */
  help: string;
  widget: Widget;
  /** The form section it sits in. */
  group: string;
  /** `records`: the cells of a row. */
  columns?: readonly RowColumn[];
}

export interface TableSpec {
  name: RuleTable;
  title: string;
  singular: string;
  /** New rows get `<prefix>_<random>` when the body names no id. */
  idPrefix: string;
  /** Columns a list shows. */
  listColumns: readonly string[];
  /** Columns no edit writes (the id, the version, when it was made). */
  fixed: readonly string[];
  fields: readonly FieldSpec[];
}

/** What the drizzle schema says about a column. */
export interface ColumnInfo {
  /** drizzle's (camelCase) key. */
  key: string;
  type: "text" | "integer" | "boolean";
  notNull: boolean;
  hasDefault: boolean;
  /** A plain default (not SQL), when there is one. */
  defaultValue: unknown;
  enumValues: readonly string[] | undefined;
}

/** A field entry, tersely: column, label, widget, group, help. */
export const field = (column: string, label: string, widget: Widget, group: string, help: string): FieldSpec => ({
  column,
  label,
  widget,
  group,
  help,
});
