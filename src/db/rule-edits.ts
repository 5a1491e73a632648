// The rule rows as the rules API reads and writes them: every editable table (rules/fields), a row by
// id or a filtered list, and one write — an insert, a compare-and-set update on the row's version, or
// a delete — in a D1 batch (a transaction) with who made it, so the audit triggers record the person
// (db/audit-triggers.ts) and the write's trail entry comes back with it.
import { getTableColumns } from "drizzle-orm";
import type { RuleTable } from "../rules/fields";
import type { RuleRows } from "../rules/model";
import type { Db } from "./client";
import { fromRaw } from "./raw";
import { columnInfo, DRIZZLE_TABLES } from "./rule-columns";
import * as t from "./schema";
import type { RuleChangeRow } from "./schema";

/** A rule row as drizzle shapes it (camelCase keys, booleans as booleans). */
export type RuleRow = Record<string, unknown>;

/** Who is writing, for the trail: a person and the way (api, console), when, and the change it undoes. */
export interface Author {
  actor: string;
  via: string;
  at: number;
  reverts: number | null;
}

export type RuleWrite =
  | { kind: "insert"; row: RuleRow }
  | { kind: "update"; id: string; set: RuleRow; version: number }
  | { kind: "delete"; id: string; version: number };

export interface Written {
  /** False: the insert met an existing id, or the update or delete met another version (or no row). */
  written: boolean;
  /** The row's version after the write. */
  version: number | null;
  /** The trail's entry for it (null when nothing changed). */
  change: RuleChangeRow | null;
}

/** Every rule row, for validating a change against everything it touches (one batch). */
export async function allRows(
  db: Db,
): Promise<Required<Pick<RuleRows, "campaigns" | "sources" | "buyers" | "contracts" | "experiments" | "lists">>> {
  // The value lists too: filters and price rules that name one are judged against it, as the gateway does.
  const [campaigns, sources, buyers, contracts, experiments, lists] = await db.batch([
    db.select().from(t.campaigns),
    db.select().from(t.sources),
    db.select().from(t.buyers),
    db.select().from(t.contracts),
    db.select().from(t.experiments),
    db.select().from(t.valueLists),
  ]);
  return { campaigns, sources, buyers, contracts, experiments, lists };
}

const raw = (db: Db, table: RuleTable, rows: Record<string, unknown>[]): RuleRow[] => fromRaw(DRIZZLE_TABLES[table], rows);

export async function byId(db: Db, table: RuleTable, id: string): Promise<RuleRow | undefined> {
  const row = await db.$client.prepare(`SELECT * FROM ${table} WHERE id = ?`).bind(id).first<Record<string, unknown>>();
  return row ? raw(db, table, [row])[0] : undefined;
}

/** Rows whose columns equal the given values (columns the caller checked against the table), by id. */
export async function list(db: Db, table: RuleTable, where: Record<string, string>, limit: number): Promise<RuleRow[]> {
  const cols = Object.keys(where).filter((c) => columnInfo(table).has(c));
  const sql = `SELECT * FROM ${table}${cols.length ? ` WHERE ${cols.map((c) => `${c} = ?`).join(" AND ")}` : ""} ORDER BY id LIMIT ?`;
  const r = await db.$client
    .prepare(sql)
    .bind(...cols.map((c) => where[c]), limit)
    .all<Record<string, unknown>>();
  return raw(db, table, r.results);
}

/** A drizzle-shaped row's values as SQL stores them, by SQL column. */
function driverValues(table: RuleTable, row: RuleRow): [string, unknown][] {
  const columns = getTableColumns(DRIZZLE_TABLES[table]);
  return Object.entries(row).flatMap(([key, v]): [string, unknown][] => {
    const col = (columns as Record<string, (typeof columns)[keyof typeof columns] | undefined>)[key];
    if (!col || col.name === "version") return [];
    return [[col.name, v === null || v === undefined ? null : col.mapToDriverValue(v)]];
  });
}

function statementOf(db: Db, table: RuleTable, w: RuleWrite): D1PreparedStatement {
  if (w.kind === "insert") {
    const values = driverValues(table, w.row);
    return db.$client
      .prepare(
        `INSERT INTO ${table} (${values.map(([c]) => c).join(", ")}) VALUES (${values.map(() => "?").join(", ")}) ON CONFLICT (id) DO NOTHING RETURNING version`,
      )
      .bind(...values.map(([, v]) => v));
  }
  if (w.kind === "delete")
    return db.$client.prepare(`DELETE FROM ${table} WHERE id = ? AND version = ? RETURNING 0 AS version`).bind(w.id, w.version);
  const values = driverValues(table, w.set);
  return db.$client
    .prepare(
      `UPDATE ${table} SET ${values.map(([c]) => `${c} = ?`).join(", ")}${values.length ? ", " : ""}version = version + 1 WHERE id = ? AND version = ? RETURNING version`,
    )
    .bind(...values.map(([, v]) => v), w.id, w.version);
}

/**
 * One write with its author, atomically: the author row for the triggers, the write, the author row
 * gone, and the row's latest trail entry. A unique column taken by another row throws (D1's error).
 */
export async function write(db: Db, table: RuleTable, w: RuleWrite, by: Author): Promise<Written> {
  const id = w.kind === "insert" ? String(w.row.id) : w.id;
  const [, done, , latest] = await db.$client.batch<Record<string, unknown>>([
    db.$client
      .prepare(`INSERT OR REPLACE INTO rule_change_context (id, actor, via, at, reverts) VALUES (1, ?, ?, ?, ?)`)
      .bind(by.actor, by.via, by.at, by.reverts),
    statementOf(db, table, w),
    db.$client.prepare(`DELETE FROM rule_change_context WHERE id = 1`),
    db.$client.prepare(`SELECT * FROM rule_changes WHERE table_name = ? AND row_id = ? ORDER BY id DESC LIMIT 1`).bind(table, id),
  ]);
  const row = done!.results[0];
  if (!row) return { written: false, version: null, change: null };
  const change = latest!.results[0] ? fromRaw(t.ruleChanges, [latest!.results[0]])[0]! : null;
  return { written: true, version: w.kind === "delete" ? null : Number(row.version), change };
}

/** What refers to a row (so removing it would orphan records): a count and what they are, or null. */
export async function referencedBy(db: Db, table: RuleTable, id: string): Promise<string | null> {
  const checks: Record<RuleTable, [string, string][]> = {
    campaigns: [
      ["contracts", "SELECT COUNT(*) AS n FROM contracts WHERE campaign_id = ?"],
      ["leads", "SELECT COUNT(*) AS n FROM leads WHERE campaign_id = ?"],
    ],
    sources: [["leads", "SELECT COUNT(*) AS n FROM leads WHERE source_id = ?"]],
    buyers: [["contracts", "SELECT COUNT(*) AS n FROM contracts WHERE buyer_id = ?"]],
    contracts: [
      ["pings", "SELECT COUNT(*) AS n FROM pings WHERE contract_id = ?"],
      ["posts", "SELECT COUNT(*) AS n FROM posts WHERE contract_id = ?"],
    ],
    experiments: [["leads", "SELECT COUNT(*) AS n FROM leads WHERE experiment_id = ?"]],
  };
  const results = await db.$client.batch<{ n: number }>(checks[table].map(([, sql]) => db.$client.prepare(sql).bind(id)));
  const found = checks[table].map(([what], i) => [what, Number(results[i]!.results[0]?.n ?? 0)] as const).filter(([, n]) => n > 0);
  return found.length ? found.map(([what, n]) => `${n} ${what}`).join(", ") : null;
}
