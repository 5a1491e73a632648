// Money and periods as statements, invoices and CSVs show them, pure: exact dollars from cents (no
// floating point), CSV cells that a spreadsheet can't turn into formulas, and periods read from the
// query string.

/** Cents as exact dollars: -1234 → "-12.34". */
export function dollars(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** One CSV cell: quoted when needed, and text that a spreadsheet would run as a formula made inert. */
export function csvCell(v: string | number | null): string {
  if (v === null) return "";
  if (typeof v === "number") return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvRow = (cells: (string | number | null)[]) => `${cells.map(csvCell).join(",")}\r\n`;

export interface Period {
  from: number;
  to: number;
}

/** An instant from the query string: epoch ms, a date (UTC midnight) or an ISO date-time with a zone. */
export function instant(text: string): number | undefined {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export type PeriodProblem = { field: "from" | "to"; message: string };

/** A period [from, to): both readable, from before to. */
export function period(fromText: string, toText: string): Period | PeriodProblem {
  const from = instant(fromText);
  if (from === undefined) return { field: "from", message: "a date (2026-11-01), an ISO date-time with a zone, or epoch ms" };
  const to = instant(toText);
  if (to === undefined) return { field: "to", message: "a date (2026-12-01), an ISO date-time with a zone, or epoch ms" };
  if (to <= from) return { field: "to", message: "must be after from" };
  return { from, to };
}
