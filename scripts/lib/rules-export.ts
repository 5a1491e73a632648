// The SQL of `npm run rules:export` (scripts/rules-export.ts): the rule tables as upserts, or the
// audit trail's changes since an entry replayed as statements — a migration a team reviews in git.
// Secrets are never exported: a new contract's signing key is left empty (rules:check then reports
// it and the contract stays off until the key is set with the API), and a changed secret is a comment.
// Pure (no Node), so a workerd test applies what it writes.
import { RULE_TABLES, secretColumns, type RuleTable } from "../../src/rules/fields";

export type RawRow = Record<string, unknown>;

/** Parents first, so a fresh database takes the inserts in order. */
const ORDER: RuleTable[] = ["campaigns", "buyers", "sources", "contracts", "experiments"];
/** Secrets a row can't be without: exported empty, to be set with the API. */
const REQUIRED_SECRETS: Partial<Record<RuleTable, string[]>> = { contracts: ["secret"] };
const NEVER = new Set(["version", "created_at"]);

export function literal(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "NULL";
  if (typeof v === "boolean") return v ? "1" : "0";
  return `'${String(v).replace(/'/g, "''")}'`;
}

const exported = (table: RuleTable, column: string) => !NEVER.has(column) && !secretColumns(table).includes(column);

/** One row as an upsert that leaves the row's secrets as they are where it exists already. */
export function upsert(table: RuleTable, row: RawRow): string {
  const columns = Object.keys(row).filter((c) => exported(table, c) && c !== "id");
  const required = REQUIRED_SECRETS[table] ?? [];
  const insertColumns = ["id", ...columns, ...required];
  const values = [literal(row.id), ...columns.map((c) => literal(row[c])), ...required.map(() => "''")];
  const set = columns.map((c) => `${c} = excluded.${c}`).join(", ");
  return `INSERT INTO ${table} (${insertColumns.join(", ")}) VALUES (${values.join(", ")}) ON CONFLICT (id) DO UPDATE SET ${set};`;
}

const header = (what: string) =>
  [
    `-- ${what}, written by npm run rules:export (src/rules: the editor and the rules API write the same rows).`,
    "-- Secrets are not exported: set signing keys, API headers and source keys with the API or the console.",
  ].join("\n");

/** Every rule row, as upserts. */
export function exportRules(tables: Partial<Record<RuleTable, RawRow[]>>, source: string): string {
  const out = [header(`The rules of ${source}`)];
  for (const table of ORDER) for (const row of tables[table] ?? []) out.push(upsert(table, row));
  return `${out.join("\n")}\n`;
}

export interface RawChange {
  id: number;
  actor: string;
  via: string;
  at: number;
  table_name: string;
  row_id: string;
  action: string;
  before: string | null;
  after: string | null;
}

const parsed = (json: string | null): RawRow | null => (json ? (JSON.parse(json) as RawRow) : null);

/** One audited change as SQL, with a comment naming who made it and when. */
export function changeSql(c: RawChange): string {
  if (!(RULE_TABLES as readonly string[]).includes(c.table_name)) return `-- change #${c.id}: ${c.table_name} is not exported`;
  const table = c.table_name as RuleTable;
  const note = `-- change #${c.id}: ${c.action} of ${table} ${c.row_id} by ${c.actor} (${c.via}), ${new Date(c.at).toISOString()}`;
  if (c.action === "delete") return `${note}\nDELETE FROM ${table} WHERE id = ${literal(c.row_id)};`;
  const after = parsed(c.after) ?? {};
  if (c.action === "insert") return `${note}\n${upsert(table, after)}`;
  const before = parsed(c.before) ?? {};
  const changed = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
  const plain = changed.filter((k) => exported(table, k));
  const secrets = changed.filter((k) => secretColumns(table).includes(k));
  const lines = [note];
  if (plain.length)
    lines.push(
      `UPDATE ${table} SET ${plain.map((k) => `${k} = ${literal(after[k])}`).join(", ")} WHERE id = ${literal(before.id ?? c.row_id)};`,
    );
  if (secrets.length) lines.push(`-- ${secrets.join(", ")} changed too: set it with the API (secrets are never exported)`);
  return lines.join("\n");
}

/** The changes after an entry, in order. */
export function exportChanges(changes: RawChange[], since: number, source: string): string {
  return `${[header(`The changes to the rules of ${source} after audit entry #${since}`), ...changes.map(changeSql)].join("\n")}\n`;
}
