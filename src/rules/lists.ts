// Value lists: named lists of values (ZIP codes, mostly: thousands of them) that filters and price
// rules name with `in_list` / `not_in_list` instead of carrying them inline. Uploaded as a CSV through
// the admin API or `npm run lists:upload`; compiled into a set once per rules load, so a lead's look-up
// costs one hash probe whatever the list's size. Pure: names, the look-up key, and reading an upload.
import * as z from "zod";

/** The most values one list may hold. */
export const MAX_LIST_VALUES = 100_000;
const MAX_VALUE_LENGTH = 64;

export const ListNameSchema = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "list names are snake_case, at most 64 chars");

export const LIST_KINDS = ["zip", "text"] as const;
export type ListKind = (typeof LIST_KINDS)[number];

/** How a list value and a lead's value meet: as text, trimmed, ignoring case (ZIPs are 5 digits either way). */
export const listKey = (v: unknown): string => String(v).trim().toLowerCase();

/**
 * How an inline `in` / `not_in` value meets a lead's, as `same()` in auction/filters.ts compares them:
 * strings ignoring case, numbers and booleans by value and type.
 */
export const inlineKey = (v: unknown): string => (typeof v === "string" ? `s:${v.toLowerCase()}` : `${typeof v}:${String(v)}`);

export interface ListUpload {
  values: string[];
  /** Lines that could not be read, with why (at most 20 reported). */
  problems: { line: number; message: string }[];
}

/** A cell as written: quotes around it removed (`"94107"`), and Excel's `="01234"` guard. */
const cell = (raw: string): string =>
  raw
    .trim()
    .replace(/^="(.*)"$/, "$1")
    .replace(/^"(.*)"$/, "$1")
    .trim();

/**
 * The values of an uploaded CSV (or plain text): the first column of each line, blank lines skipped,
 * the first line skipped when `header`. A ZIP list takes 5-digit ZIPs (ZIP+4 and 4-digit ZIPs that
 * lost their leading zero are normalized); duplicates are kept once.
 */
export function readListUpload(text: string, kind: ListKind, header: boolean): ListUpload {
  const values = new Set<string>();
  const problems: ListUpload["problems"] = [];
  const lines = text.split(/\r\n|\n|\r/);
  lines.forEach((line, i) => {
    if ((header && i === 0) || line.trim() === "") return;
    let v = cell(line.split(/[,;\t]/)[0] ?? "");
    if (kind === "zip") {
      const m = /^(\d{4,5})(?:-\d{4})?$/.exec(v);
      if (!m)
        return void (problems.length < 20 && problems.push({ line: i + 1, message: `not a ZIP code: ${JSON.stringify(v.slice(0, 20))}` }));
      v = m[1]!.padStart(5, "0");
    } else if (v === "" || v.length > MAX_VALUE_LENGTH)
      return void (problems.length < 20 && problems.push({ line: i + 1, message: `values are 1 to ${MAX_VALUE_LENGTH} characters` }));
    values.add(listKey(v));
  });
  if (values.size > MAX_LIST_VALUES) problems.push({ line: 0, message: `at most ${MAX_LIST_VALUES} values (got ${values.size})` });
  return { values: [...values], problems };
}

/** A stored list's values column. */
export const ListValuesSchema = z.array(z.string().max(MAX_VALUE_LENGTH)).max(MAX_LIST_VALUES);
