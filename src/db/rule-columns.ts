// What the drizzle schema says about each column of the editable rule tables (rules/fields): its
// drizzle key, type, nullability and plain default. The editor, the rules API and the audit triggers
// take types from here, so a column is described once, in the schema.
import { getTableColumns } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { ColumnInfo, RuleTable } from "../rules/fields";
import * as t from "./schema";

export const DRIZZLE_TABLES: Record<RuleTable, SQLiteTable> = {
  campaigns: t.campaigns,
  sources: t.sources,
  buyers: t.buyers,
  contracts: t.contracts,
  experiments: t.experiments,
};

function columnsOf(table: SQLiteTable): Map<string, ColumnInfo> {
  const out = new Map<string, ColumnInfo>();
  for (const [key, col] of Object.entries(getTableColumns(table))) {
    const type = col.columnType === "SQLiteBoolean" ? "boolean" : col.dataType === "number" ? "integer" : "text";
    const plain = col.default !== undefined && (col.default === null || typeof col.default !== "object");
    const values = (col as { enumValues?: string[] }).enumValues;
    out.set(col.name, {
      key,
      type,
      notNull: col.notNull,
      hasDefault: col.hasDefault,
      defaultValue: plain ? col.default : undefined,
      enumValues: values?.length ? values : undefined,
    });
  }
  return out;
}

const infoCache = new Map<RuleTable, Map<string, ColumnInfo>>();
/** The schema's facts about each column of a table, by SQL name. */
export function columnInfo(table: RuleTable): Map<string, ColumnInfo> {
  let info = infoCache.get(table);
  if (!info) infoCache.set(table, (info = columnsOf(DRIZZLE_TABLES[table])));
  return info;
}
