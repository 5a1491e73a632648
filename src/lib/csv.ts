// Rows as CSV (RFC 4180: comma-separated, CRLF lines, fields with a comma, a quote or a line break
// quoted, quotes doubled) and as NDJSON (one JSON object per line). A text field that a spreadsheet
// would run as a formula (starting with =, +, -, @, a tab or a carriage return) is written with a
// leading apostrophe, so opening an export never runs what a buyer or a source wrote. Pure.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  let s = typeof v === "string" ? v : JSON.stringify(v);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (values: readonly unknown[]): string => `${values.map(csvField).join(",")}\r\n`;

export const ndjsonLine = (obj: Record<string, unknown>): string => `${JSON.stringify(obj)}\n`;
