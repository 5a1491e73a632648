// The audit trail's entries read back: a snapshot (the row as the triggers wrote it: SQL values,
// JSON columns as text, secrets masked), what changed between two, a current row in the same form,
// and what undoing an entry takes — which columns to put back, and whether the row moved on since.
import { columnInfo } from "../../db/rule-columns";
import type { RuleChangeRow } from "../../db/schema";
import { JSON_WIDGETS, SECRET_WIDGETS, TABLE_SPECS, fieldOf, type RuleTable } from "../fields";
import type { Body, Row } from "./body";

export type Snapshot = Record<string, unknown>;

export interface ColumnChange {
  column: string;
  before: unknown;
  after: unknown;
}

export function parseSnapshot(json: string | null): Snapshot | null {
  if (json === null) return null;
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Snapshot) : null;
  } catch {
    return null;
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Columns whose value differs between two snapshots (either may be null: an insert or a delete). */
export function changedColumns(before: Snapshot | null, after: Snapshot | null): ColumnChange[] {
  const columns = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return columns
    .filter((c) => !same(before?.[c], after?.[c]))
    .map((column) => ({ column, before: before?.[column] ?? null, after: after?.[column] ?? null }));
}

/** A drizzle row in the triggers' form (booleans 1/0; secrets as whether they are set), to compare with snapshots. */
export function snapshotOf(table: RuleTable, row: Row): Snapshot {
  const out: Snapshot = {};
  for (const [column, i] of columnInfo(table)) {
    if (column === "version") continue;
    const v = row[i.key] ?? null;
    out[column] = i.type === "boolean" && v !== null ? (v ? 1 : 0) : v;
  }
  return out;
}

/** Columns an undo never writes: secrets (never recorded), the id, the version, when it was made. */
function restorable(table: RuleTable, column: string): boolean {
  const field = fieldOf(table, column);
  return field !== undefined && !SECRET_WIDGETS.has(field.widget);
}

/** A snapshot's value as the API takes it (JSON columns parsed, 1/0 as booleans). */
export function bodyValue(table: RuleTable, column: string, v: unknown): unknown {
  const field = fieldOf(table, column);
  const info = columnInfo(table).get(column);
  if (v === null || !field || !info) return v;
  if (JSON_WIDGETS.has(field.widget) && typeof v === "string") {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }
  return info.type === "boolean" ? v === 1 || v === true : v;
}

export type UndoPlan =
  { kind: "update"; body: Body } | { kind: "delete" } | { kind: "insert"; body: Body } | { kind: "refused"; why: string };

/**
 * What undoing an entry takes, given the row as it is now (null: gone). An update puts back the
 * columns it changed, if none of them changed since; an insert is undone by removing the row, a
 * delete by making it again (unless it held secrets, which the trail never recorded).
 */
export function undoPlan(
  table: RuleTable,
  entry: { action: string; before: Snapshot | null; after: Snapshot | null },
  now: Snapshot | null,
): UndoPlan {
  if (entry.action === "delete") {
    if (now) return { kind: "refused", why: "the row exists again" };
    const before = entry.before ?? {};
    const secrets = TABLE_SPECS[table].fields.filter((f) => SECRET_WIDGETS.has(f.widget) && before[f.column] !== null);
    if (secrets.length)
      return {
        kind: "refused",
        why: `its secrets (${secrets.map((f) => f.column).join(", ")}) were never recorded: create it again with them`,
      };
    const body: Body = { id: before.id };
    for (const [c, v] of Object.entries(before)) if (restorable(table, c)) body[c] = bodyValue(table, c, v);
    return { kind: "insert", body };
  }
  if (!now) return { kind: "refused", why: "the row no longer exists" };
  const changes = changedColumns(entry.before, entry.after).filter((c) => restorable(table, c.column));
  const moved = changes.filter((c) => !same(now[c.column], c.after)).map((c) => c.column);
  if (moved.length) return { kind: "refused", why: `changed since: ${moved.join(", ")} (undo the later change first)` };
  if (entry.action === "insert") return { kind: "delete" };
  if (changes.length === 0) return { kind: "refused", why: "it changed only secrets, which the trail never recorded" };
  return { kind: "update", body: Object.fromEntries(changes.map((c) => [c.column, bodyValue(table, c.column, c.before)])) };
}

/** A trail row as the API and the console show it: who, when, which row, and the columns that changed. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  via: string;
  table: string;
  row_id: string;
  action: "insert" | "update" | "delete";
  version: number | null;
  reverts: number | null;
  changes: ColumnChange[];
  before: Snapshot | null;
  after: Snapshot | null;
}

export function auditEntry(r: RuleChangeRow): AuditEntry {
  const before = parseSnapshot(r.before);
  const after = parseSnapshot(r.after);
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    via: r.via,
    table: r.tableName,
    row_id: r.rowId,
    action: r.action,
    version: r.version,
    reverts: r.reverts,
    changes: changedColumns(before, after),
    before,
    after,
  };
}
