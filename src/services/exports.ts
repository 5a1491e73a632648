// An export as a stream: the kind's pages read one at a time, as the reader takes them (a page is
// read only when the previous one has been handed on), each encoded as CSV or NDJSON. Memory holds a
// page or two whatever the export's size; the audit row gets its row count when the last page is out.
// A page that fails to load ends the stream with an error (the download is cut short, never silently
// complete).
import { columnsFor, EXPORT_KINDS, type Audience, type Cursor, type ExportFilter, type ExportKindName } from "../db/export-kinds";
import type { Records } from "../db/records";
import { csvLine, ndjsonLine } from "../lib/csv";
import { errorText, log } from "../lib/log";

export type ExportFormat = "csv" | "ndjson";

export interface ExportRequest {
  id: string;
  kind: ExportKindName;
  audience: Audience;
  format: ExportFormat;
  filter: ExportFilter;
}

const encoder = new TextEncoder();
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

export function exportStream(
  records: Pick<Records, "exports">,
  req: ExportRequest,
  background: (p: Promise<unknown>) => void,
): ReadableStream {
  const columns = columnsFor(EXPORT_KINDS[req.kind], req.audience, req.filter.includePii);
  let cursor: Cursor | null = null;
  let started = false;
  let rows = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const head = !started && req.format === "csv" ? csvLine(columns.map((c) => c.name)) : "";
          started = true;
          const page = await records.exports.page(req.kind, req.filter, cursor);
          let text = head;
          for (const row of page.rows) {
            const values = columns.map((c) => (c.time ? iso(row[c.name]) : (row[c.name] ?? null)));
            text += req.format === "csv" ? csvLine(values) : ndjsonLine(Object.fromEntries(columns.map((c, i) => [c.name, values[i]])));
          }
          rows += page.rows.length;
          if (text) controller.enqueue(encoder.encode(text));
          cursor = page.next;
          if (!cursor) {
            controller.close();
            background(records.exports.finish(req.id, rows, Date.now()).catch(() => {}));
          }
        } catch (err) {
          log("export_failed", { export: req.id, kind: req.kind, rows, error: errorText(err) }, "error");
          controller.error(err);
        }
      },
    },
    { highWaterMark: 0 },
  );
}
