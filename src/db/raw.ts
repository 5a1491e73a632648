// Raw SQL rows (snake_case columns, SQLite integers for booleans) to the shapes drizzle returns,
// using the schema's own column definitions. For tools that read D1 through `wrangler d1 execute`.
import { getTableColumns, type Table } from "drizzle-orm";

export function fromRaw<T extends Table>(table: T, rows: Record<string, unknown>[]): T["$inferSelect"][] {
  const columns = Object.entries(getTableColumns(table));
  return rows.map((raw) => {
    const out: Record<string, unknown> = {};
    for (const [key, col] of columns) {
      const v = raw[col.name];
      out[key] = v === null || v === undefined ? null : col.mapFromDriverValue(v);
    }
    return out as T["$inferSelect"];
  });
}
