// The audit trail's triggers, generated from the schema: for each editable rule table, one trigger
// per insert, update and delete writing the row before and after (as JSON, secrets masked) to
// rule_changes, and one that bumps the row's version when SQL changed it without doing so. Who made
// the change comes from rule_change_context, which only the rules API writes (db/rule-edits.ts): a
// change made any other way — `wrangler d1 execute`, a migration — is recorded as `outside`.
// A column added to a rule table needs the triggers again: `npm run db:triggers` writes a migration
// that re-creates them, and a test fails while a column is missing from them.
import { getTableColumns } from "drizzle-orm";
import { fieldOf, RULE_TABLES, secretColumns, type RuleTable } from "../rules/fields";
import { DRIZZLE_TABLES } from "./rule-columns";

/** A secret as the trail shows it: whether it is set, whether it changed, never its value. */
function masked(table: RuleTable, column: string, row: "OLD" | "NEW", compareTo?: "OLD"): string {
  const v = `${row}.${column}`;
  const changed = compareTo ? `${v} IS NOT ${compareTo}.${column}` : "0";
  const headers = fieldOf(table, column)?.widget === "headers";
  if (headers) {
    // A header map: its names are shown (they are not the secret), its values never.
    const names = `COALESCE((SELECT group_concat(key, ', ') FROM json_each(${v})), '')`;
    const empty = `(SELECT COUNT(*) FROM json_each(${v})) = 0`;
    return `json_quote(CASE WHEN ${v} IS NULL THEN NULL WHEN json_valid(${v}) AND json_type(${v}) = 'object' THEN CASE WHEN ${empty} THEN '(none)' WHEN ${changed} THEN '(changed: ' || ${names} || ')' ELSE '(set: ' || ${names} || ')' END ELSE '(set)' END)`;
  }
  return `json_quote(CASE WHEN ${v} IS NULL THEN NULL WHEN ${changed} THEN '(set, changed)' ELSE '(set)' END)`;
}

/**
 * `a OP b OP c…` as a balanced tree of parentheses: D1 refuses expressions deeper than 100 nodes, and a
 * flat chain over a contract's 60 columns is 60 deep; balanced, it is 6.
 */
function balanced(parts: string[], op: string): string {
  if (parts.length === 1) return parts[0]!;
  const mid = Math.ceil(parts.length / 2);
  return `(${balanced(parts.slice(0, mid), op)}) ${op} (${balanced(parts.slice(mid), op)})`;
}

/**
 * The row as a JSON object, `'{"a":' || json_quote(NEW.a) || ',"b":' || … || '}'`: concatenation, as
 * D1 allows a function 32 arguments (json_object would take 120 here), and nulls stay.
 */
function rowJson(table: RuleTable, row: "OLD" | "NEW", columns: string[], secrets: Set<string>, compareTo?: "OLD"): string {
  const parts = columns.map(
    (c, i) => `'${i === 0 ? "{" : ","}"${c}":' || ${secrets.has(c) ? masked(table, c, row, compareTo) : `json_quote(${row}.${c})`}`,
  );
  return balanced([...parts, "'}'"], "||");
}

const context = (column: string, fallback: string) => `COALESCE((SELECT ${column} FROM rule_change_context WHERE id = 1), ${fallback})`;

function insertChange(table: RuleTable, action: string, before: string, after: string, version: string): string {
  return `INSERT INTO rule_changes (at, actor, via, table_name, row_id, action, before, after, version, reverts) VALUES (
    ${context("at", "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)")}, ${context("actor", "'outside'")}, ${context("via", "'outside'")},
    '${table}', ${action === "delete" ? "OLD" : "NEW"}.id, '${action}', ${before}, ${after}, ${version},
    (SELECT reverts FROM rule_change_context WHERE id = 1));`;
}

/** The trigger names of a table, for tests and for re-creating them. */
export const triggerNames = (table: RuleTable) => ["insert", "update", "delete", "version"].map((k) => `${table}_audit_${k}`);

/** The statements that (re-)create every audit trigger. */
export function auditTriggerStatements(): string[] {
  const out: string[] = [];
  for (const table of RULE_TABLES) {
    const columns = Object.values(getTableColumns(DRIZZLE_TABLES[table]))
      .map((c) => c.name)
      .filter((c) => c !== "version");
    const secrets = new Set(secretColumns(table));
    const changed = balanced(
      columns.map((c) => `OLD.${c} IS NOT NEW.${c}`),
      "OR",
    );
    const [ins, upd, del, ver] = triggerNames(table);
    for (const name of triggerNames(table)) out.push(`DROP TRIGGER IF EXISTS ${name};`);
    out.push(
      `CREATE TRIGGER ${ins} AFTER INSERT ON ${table} BEGIN
  ${insertChange(table, "insert", "NULL", rowJson(table, "NEW", columns, secrets), "NEW.version")}
END;`,
      `CREATE TRIGGER ${upd} AFTER UPDATE ON ${table} WHEN ${changed} BEGIN
  ${insertChange(
    table,
    "update",
    rowJson(table, "OLD", columns, secrets),
    rowJson(table, "NEW", columns, secrets, "OLD"),
    "CASE WHEN NEW.version IS OLD.version THEN OLD.version + 1 ELSE NEW.version END",
  )}
END;`,
      `CREATE TRIGGER ${del} AFTER DELETE ON ${table} BEGIN
  ${insertChange(table, "delete", rowJson(table, "OLD", columns, secrets), "NULL", "NULL")}
END;`,
      // SQL that changed the row without moving its version (wrangler, a migration): moved here, so
      // an editor holding the old version gets a 409 instead of overwriting the change unseen.
      `CREATE TRIGGER ${ver} AFTER UPDATE ON ${table} WHEN NEW.version IS OLD.version AND (${changed}) BEGIN
  UPDATE ${table} SET version = OLD.version + 1 WHERE id = NEW.id;
END;`,
    );
  }
  return out;
}
