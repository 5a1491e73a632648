// Exports in the records: a page of a kind (./export-kinds.ts), and the audit trail of every export
// (who asked, what, whether consumer fields were included, and how many rows it streamed).
import type { Db } from "./client";
import { EXPORT_KINDS, type Cursor, type ExportFilter, type ExportKindName, type ExportRow } from "./export-kinds";

export function page(
  db: Db,
  kind: ExportKindName,
  f: ExportFilter,
  after: Cursor | null,
): Promise<{ rows: ExportRow[]; next: Cursor | null }> {
  return EXPORT_KINDS[kind].page(db.$client, f, after);
}

export interface ExportAudit {
  id: string;
  requestedBy: string;
  kind: string;
  format: "csv" | "ndjson";
  includePii: boolean;
  filters: Record<string, unknown>;
  at: number;
}

/** Records an export before its first row is read: no audit row, no export. */
export async function record(db: Db, a: ExportAudit): Promise<void> {
  await db.$client
    .prepare(`INSERT INTO data_exports (id, requested_by, kind, format, include_pii, filters, at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
    .bind(a.id, a.requestedBy, a.kind, a.format, a.includePii ? 1 : 0, JSON.stringify(a.filters), a.at)
    .run();
}

/** The export streamed its last row. */
export async function finish(db: Db, id: string, rows: number, at: number): Promise<void> {
  await db.$client.prepare(`UPDATE data_exports SET rows = ?, finished_at = ? WHERE id = ?`).bind(rows, at, id).run();
}
