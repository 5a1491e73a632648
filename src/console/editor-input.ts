// The editor's forms read back into the rules API's body (src/rules/edit/body.ts): one reader per
// widget, form rows (filters, schedule windows, lead fields, a contract's format) into their JSON,
// numbers and booleans from text, a filter's values typed by the campaign's field. Pure but for
// hashing a source's key.
// What can't be read (a number that is not one, JSON that does not parse) is a field error, shown
// beside the field with what was typed kept.
import { columnInfo } from "../db/rule-columns";
import type { FieldError } from "../lib/errors";
import { sha256Hex } from "../lib/crypto";
import { KEEP, type Body } from "../rules/edit/body";
import { TABLE_SPECS, type FieldSpec, type RuleTable } from "../rules/fields";
import { PARTS, fromRows, type Part, type PartRows, type ProtocolRows } from "./protocol-rows";
import { INT, itemOf, listOf } from "./record-cells";

/** A form as hono parses it with `all: true`: repeated names (checkbox groups) as lists. */
export type Form = Record<string, string | File | (string | File)[]>;

export interface ReadForm {
  body: Body;
  errors: FieldError[];
  /** What was typed into fields that could not be read, to show again. */
  raw: Record<string, string>;
}

/** The campaign's field types by name (`age` too), to type filter values. */
export type FieldTypes = ReadonlyMap<string, string>;

export const one = (form: Form, name: string): string => {
  const v = form[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === "string" ? first : "";
};
const many = (form: Form, name: string): string[] => {
  const v = form[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");
};
/** The row indexes a form carries for a prefix (`filters.0.op` → 0). */
const rowIndexes = (form: Form, prefix: string) =>
  [...new Set(Object.keys(form).flatMap((k) => (k.startsWith(`${prefix}.`) ? [Number(k.slice(prefix.length + 1).split(".")[0])] : [])))]
    .filter(Number.isInteger)
    .sort((a, b) => a - b);

/** A filter value typed by its field: booleans and numbers as such, the rest as text. */
export function typedValue(type: string | undefined, text: string): string | number | boolean | undefined {
  const t = text.trim();
  if (type === "boolean") return /^(true|yes|1|on)$/i.test(t) ? true : /^(false|no|0|off)$/i.test(t) ? false : undefined;
  if (type === "integer" || type === "number" || type === "age") return t !== "" && Number.isFinite(Number(t)) ? Number(t) : undefined;
  return t;
}

const FILTER_OPS = ["eq", "neq", "in", "not_in", "in_list", "not_in_list", "range", "regex", "exists"];

/** Filter rows named `<prefix>.<i>.field` etc.: a contract's filters, or a price rule's conditions. */
function readFilters(form: Form, types: FieldTypes, errors: FieldError[], prefix = "filters"): unknown[] {
  const out: unknown[] = [];
  for (const i of rowIndexes(form, prefix)) {
    const at = (k: string) => one(form, `${prefix}.${i}.${k}`);
    const field = at("field").trim();
    if (!field) continue;
    const op = at("op");
    const type = field === "age" ? "age" : types.get(field);
    const bad = (k: string, message: string) => errors.push({ path: `${prefix}.${i}.${k}`, message });
    if (!FILTER_OPS.includes(op)) bad("op", "choose how the field is compared");
    else if (op === "in_list" || op === "not_in_list") {
      const list = at("value").trim();
      if (!list) bad("value", "the value list's name");
      else out.push({ field, op, list });
    } else if (op === "eq" || op === "neq") {
      const value = typedValue(type, at("value"));
      if (value === undefined || value === "") bad("value", type === "boolean" ? "yes or no" : "a value to compare with");
      else out.push({ field, op, value });
    } else if (op === "in" || op === "not_in") {
      const values = listOf(at("value")).map((v) => typedValue(type, v));
      if (values.length === 0 || values.some((v) => v === undefined)) bad("value", "one or more values, separated by commas");
      else out.push({ field, op, values });
    } else if (op === "range") {
      const [min, max] = [at("min").trim(), at("max").trim()].map((v) => (v === "" ? undefined : Number(v)));
      if ([min, max].some((v) => v !== undefined && !Number.isFinite(v)) || (min === undefined && max === undefined))
        bad("min", "a lowest or a highest number (or both)");
      else out.push({ field, op, ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) });
    } else if (op === "regex") out.push({ field, op, pattern: at("pattern") });
    else out.push({ field, op });
  }
  return out;
}

const PRICE_ACTIONS = ["price_cents", "add_cents", "subtract_cents", "multiply_bps", "refuse"];

/** Price rule rows: `price_rules.<i>.name`, `.action`, `.amount`, and its conditions as filter rows under `.when`. */
function readPriceRules(form: Form, types: FieldTypes, errors: FieldError[]): unknown[] {
  const out: unknown[] = [];
  for (const i of rowIndexes(form, "price_rules")) {
    const at = (k: string) => one(form, `price_rules.${i}.${k}`).trim();
    const when = readFilters(form, types, errors, `price_rules.${i}.when`);
    const [name, action, amount] = [at("name"), at("action"), at("amount")];
    if (!name && !action && !amount && when.length === 0) continue;
    const bad = (k: string, message: string) => errors.push({ path: `price_rules.${i}.${k}`, message });
    const rule: Record<string, unknown> = { ...(name ? { name } : {}), when };
    if (!PRICE_ACTIONS.includes(action)) bad("action", "choose what the rule does");
    else if (action === "refuse") rule.refuse = true;
    else if (!INT.test(amount.replace(/[,_\s]/g, "")))
      bad("amount", action === "multiply_bps" ? "basis points: 12000 = x1.2" : "a whole number of cents");
    else rule[action] = Number(amount.replace(/[,_\s]/g, ""));
    out.push(rule);
  }
  return out;
}

/** A `records` column's rows (`scrubs.0.vendor`…): a row with every cell blank is ignored. */
function readRecords(spec: FieldSpec, form: Form, errors: FieldError[]): unknown[] {
  const columns = spec.columns ?? [];
  return rowIndexes(form, spec.column)
    .map((i) => itemOf((key) => one(form, `${spec.column}.${i}.${key}`), columns, `${spec.column}.${i}`, errors))
    .filter((item) => Object.keys(item).length > 0);
}

/** A contract format's rows (./editor-protocol.ts): `protocol.post.mapping.0.t.1.kind` and so on. */
function readProtocolRows(form: Form): ProtocolRows {
  const part = (p: Part): PartRows => {
    const n = `protocol.${p}`;
    const at = (k: string) => one(form, `${n}.${k}`);
    const pairs = (what: string, k: string) =>
      rowIndexes(form, `${n}.${what}`).map((i): [string, string] => [at(`${what}.${i}.${k}`), at(`${what}.${i}.value`)]);
    return {
      format: at("format"),
      xml_root: at("xml_root"),
      mapping: rowIndexes(form, `${n}.mapping`).map((i) => {
        const m = (k: string) => at(`mapping.${i}.${k}`);
        const source = m("source");
        return {
          key: m("key"),
          source: source === "joined" || source === "constant" ? source : "field",
          value: m("value"),
          steps: rowIndexes(form, `${n}.mapping.${i}.t`).map((j) => ({ kind: m(`t.${j}.kind`), param: m(`t.${j}.param`) })),
          default: m("default"),
        };
      }),
      static: pairs("static", "key"),
      headers: pairs("headers", "name"),
      response: pairs("response", "rule"),
    };
  };
  const [ping, post] = PARTS.map(part);
  return { kind: one(form, "protocol.kind"), preset: one(form, "protocol.preset"), ping: ping!, post: post! };
}

function readSchedule(form: Form, errors: FieldError[]): unknown {
  const windows: unknown[] = [];
  for (const i of rowIndexes(form, "schedule")) {
    const days = many(form, `schedule.${i}.days`);
    const start = one(form, `schedule.${i}.start`).trim();
    const end = one(form, `schedule.${i}.end`).trim();
    if (days.length === 0 && !start && !end) continue;
    if (days.length === 0) errors.push({ path: `schedule.${i}.days`, message: "tick the days this window is open" });
    windows.push({ days, start: start || "00:00", end: end || "24:00" });
  }
  const timezone = one(form, "schedule_timezone").trim();
  return windows.length ? { ...(timezone ? { timezone } : {}), windows } : null;
}

function readFields(form: Form, errors: FieldError[]): unknown[] {
  const out: unknown[] = [];
  for (const i of rowIndexes(form, "fields")) {
    const at = (k: string) => one(form, `fields.${i}.${k}`).trim();
    if (!at("name")) continue;
    const f: Record<string, unknown> = { name: at("name"), type: at("type"), required: at("required") === "on", ping: at("ping") === "on" };
    if (at("pii") === "yes" || at("pii") === "no") f.pii = at("pii") === "yes";
    if (at("values")) f.values = listOf(at("values"));
    for (const k of ["min", "max", "max_length"]) {
      if (!at(k)) continue;
      const n = Number(at(k));
      if (Number.isFinite(n)) f[k] = n;
      else errors.push({ path: `fields.${i}.${k}`, message: "a number" });
    }
    out.push(f);
  }
  return out;
}

function readHeaders(text: string, errors: FieldError[], column: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (!line) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) errors.push({ path: column, message: `"${line.slice(0, 40)}": one header per line, as Name: value` });
    else out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim() || KEEP;
  }
  return out;
}

/** One scalar field's value, or undefined to leave it as it is (a secret left blank). */
async function readScalar(spec: FieldSpec, table: RuleTable, form: Form, errors: FieldError[], raw: Record<string, string>) {
  const info = columnInfo(table).get(spec.column)!;
  const text = one(form, spec.column);
  if (spec.widget === "checkbox") return text === "on";
  if (spec.widget === "secret" || spec.widget === "key") {
    if (one(form, `${spec.column}__clear`) === "on") return null;
    if (!text) return undefined;
    return spec.widget === "key" ? sha256Hex(text) : text;
  }
  if (text.trim() === "") return info.notNull ? (info.type === "integer" ? null : "") : null;
  if (info.type === "integer") {
    const clean = text.trim().replace(/[,_\s]/g, "");
    if (INT.test(clean)) return Number(clean);
    raw[spec.column] = text;
    errors.push({ path: spec.column, message: "a whole number" });
    return undefined;
  }
  return spec.widget === "textarea" ? text : text.trim();
}

/** Widgets a form carries as rows of cells named `<column>.<i>.<key>`. */
const ROW_WIDGETS: ReadonlySet<string> = new Set(["filters", "price_rules", "schedule", "fields", "records", "protocol"]);

/** The form's columns as an API body: what the rules API then checks like any write. */
export async function readForm(table: RuleTable, form: Form, types: FieldTypes): Promise<ReadForm> {
  const body: Body = {};
  const errors: FieldError[] = [];
  const raw: Record<string, string> = {};
  for (const spec of TABLE_SPECS[table].fields) {
    const w = spec.widget;
    // A column the form does not carry at all (an older page, a script) is left out: its default for
    // a new row, unchanged for an edit. An unchecked box is absent by nature: read on. Rows are
    // carried by their cells (the editor's pages always have blank rows): none means not carried.
    const rows = ROW_WIDGETS.has(w) && Object.keys(form).some((k) => k.startsWith(`${spec.column}.`));
    if (!rows && w !== "checkbox" && !Object.hasOwn(form, spec.column)) continue;
    // Rows, or (a value they can't carry) the JSON textarea, which posts the column itself.
    if (w === "records" && !Object.hasOwn(form, spec.column)) body[spec.column] = readRecords(spec, form, errors);
    else if (w === "protocol" && !Object.hasOwn(form, spec.column)) body[spec.column] = fromRows(readProtocolRows(form), errors);
    else if (w === "filters") body[spec.column] = readFilters(form, types, errors);
    else if (w === "price_rules") body[spec.column] = readPriceRules(form, types, errors);
    else if (w === "schedule") body[spec.column] = readSchedule(form, errors);
    else if (w === "fields") body[spec.column] = readFields(form, errors);
    else if (w === "lines") body[spec.column] = listOf(one(form, spec.column).replace(/,/g, "\n"));
    else if (w === "headers") body[spec.column] = readHeaders(one(form, spec.column), errors, spec.column);
    else if (w === "json" || w === "protocol" || w === "records") {
      const text = one(form, spec.column);
      // Edited as JSON (rows can't carry it): shown as typed again if the save is refused, not as rows.
      if (w !== "json") raw[spec.column] = text;
      try {
        body[spec.column] = text.trim() === "" ? null : (JSON.parse(text) as unknown);
      } catch (err) {
        raw[spec.column] = text;
        errors.push({ path: spec.column, message: `not valid JSON: ${(err as Error).message.slice(0, 120)}` });
      }
    } else {
      const v = await readScalar(spec, table, form, errors, raw);
      if (v !== undefined) body[spec.column] = v;
    }
  }
  const id = one(form, "id").trim();
  if (id) body.id = id;
  return { body, errors, raw };
}
