// A rule row as the API speaks it and as drizzle stores it: the body's zod schema per table (each
// column's type from the schema, JSON columns as JSON, never a string holding JSON), a body turned
// into a row (JSON columns stringified), a row turned into an answer (JSON parsed, secrets left out:
// only whether each is set), and a new row's defaults.
import * as z from "zod";
import type { FieldError } from "../../lib/errors";
import { columnInfo } from "../../db/rule-columns";
import { JSON_WIDGETS, SECRET_WIDGETS, TABLE_SPECS, fieldOf, type ColumnInfo, type FieldSpec, type RuleTable } from "../fields";

/** A rule row, drizzle-shaped (camelCase keys). */
export type Row = Record<string, unknown>;
/** A rule row or a change to one, API-shaped (snake_case columns, JSON values). */
export type Body = Record<string, unknown>;

/** What an API-side header value says to keep the stored one (the editor shows names, never values). */
export const KEEP = "(set)";

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function valueSchema(spec: FieldSpec, info: ColumnInfo): z.ZodType {
  let s: z.ZodType;
  if (spec.widget === "headers") s = z.record(z.string(), z.string().max(1024));
  else if (JSON_WIDGETS.has(spec.widget))
    s = z.unknown().refine((v) => typeof v !== "string", "send JSON itself (a list or an object), not a string holding JSON");
  else if (info.type === "boolean") s = z.boolean();
  else if (info.type === "integer") s = z.number().int().min(-1e15).max(1e15);
  else if (info.enumValues) s = z.enum(info.enumValues as [string, ...string[]]);
  else s = z.string().max(spec.widget === "textarea" ? 65_536 : 2048);
  return info.notNull ? s.refine((v) => v !== null, "must not be null") : s.nullable();
}

/**
 * The body of a create or an update: known, editable columns only, each of its type; a create names
 * every column without a default (and may name its id).
 */
export function bodyErrors(table: RuleTable, body: unknown, mode: "create" | "update"): FieldError[] {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return [{ path: "body", message: "send a JSON object of columns" }];
  const spec = TABLE_SPECS[table];
  const info = columnInfo(table);
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key === "version") {
      if (!Number.isInteger(value)) errors.push({ path: "version", message: "must be the row's version (an integer)" });
      continue;
    }
    if (key === "id" && mode === "create") {
      if (typeof value !== "string" || !ID_PATTERN.test(value))
        errors.push({ path: "id", message: "letters, digits, _ and -, at most 64, starting with a letter or digit" });
      continue;
    }
    const field = fieldOf(table, key);
    if (!field) {
      const fixed = spec.fixed.includes(key);
      errors.push({ path: key, message: fixed ? "is not editable" : `is not a column of ${table}` });
      continue;
    }
    const parsed = valueSchema(field, info.get(key)!).safeParse(value);
    if (!parsed.success)
      errors.push(...parsed.error.issues.map((i) => ({ path: [key, ...i.path.map(String)].join("."), message: i.message })));
  }
  if (mode === "create")
    for (const f of spec.fields) {
      const i = info.get(f.column)!;
      if (i.notNull && !i.hasDefault && (body as Body)[f.column] === undefined) errors.push({ path: f.column, message: "is required" });
    }
  return errors;
}

/** A checked body's columns as a drizzle row's values (JSON columns as their stored text). */
export function rowOf(table: RuleTable, body: Body): Row {
  const info = columnInfo(table);
  const out: Row = {};
  for (const [column, value] of Object.entries(body)) {
    const i = info.get(column);
    const field = fieldOf(table, column);
    if (!i || (!field && column !== "id")) continue;
    out[i.key] = field && JSON_WIDGETS.has(field.widget) && value !== null ? JSON.stringify(value) : value;
  }
  return out;
}

/** Header values the body leaves as KEEP take the stored ones (a map of names only can be sent back as it came). */
export function keepStoredHeaders(sent: Record<string, string>, stored: string | null): Record<string, string> {
  let old: Record<string, unknown> = {};
  try {
    old = JSON.parse(stored ?? "{}") as Record<string, unknown>;
  } catch {
    // an unreadable stored map keeps nothing
  }
  return Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, v === KEEP && typeof old[k] === "string" ? (old[k] as string) : v]));
}

const parsedJson = (text: unknown): unknown => {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // a broken column is shown as it is, with its problem beside it
  }
};

/** A row as the API answers it: columns by SQL name, JSON parsed, secrets replaced by whether they are set. */
export function answerOf(table: RuleTable, row: Row): Body {
  const info = columnInfo(table);
  const out: Body = {};
  const secrets: Record<string, boolean> = {};
  for (const [column, i] of info) {
    const field = fieldOf(table, column);
    const v = row[i.key] ?? null;
    if (field?.widget === "headers") {
      const map = parsedJson(v);
      out[column] = map && typeof map === "object" ? Object.fromEntries(Object.keys(map).map((k) => [k, KEEP])) : {};
    } else if (field && SECRET_WIDGETS.has(field.widget)) secrets[column] = v !== null && v !== "";
    else out[column] = field && JSON_WIDGETS.has(field.widget) ? parsedJson(v) : v;
  }
  return { ...out, secrets };
}

/** A new row: the schema's plain defaults (the database fills in the SQL ones, such as created_at). */
export function defaultsOf(table: RuleTable): Row {
  const out: Row = {};
  for (const [, i] of columnInfo(table))
    if (i.defaultValue !== undefined) out[i.key] = i.defaultValue;
    else if (!i.notNull) out[i.key] = null;
  return out;
}
