// A contract's `protocol` (its buyer format) as the editor's form rows, and back: the kind and
// preset, then per request (ping, post) its format, mapping entries (a source, up to two transforms
// with their parameter, a default), static fields, headers and answer rules. Pure. A protocol the
// rows can't carry exactly (a lookup key with a comma, two literal texts side by side…) is shown as
// JSON instead: `protocolRows` says so by checking that reading its rows back gives the same protocol.
import type { FieldError } from "../lib/errors";
import { formatPhone } from "../buyers/transforms";
import { PHONE_FORMATS, canonicalEntry, isSource } from "../rules/mapping";
import { ProtocolSchema, ResponseRulesSchema } from "../rules/schemas";
import { isPlainObject as isRec } from "../lib/own";

export const PARTS = ["ping", "post"] as const;
export type Part = (typeof PARTS)[number];

export interface StepRow {
  /** `format:digits10`, `case:upper`, `date`, `bool`, `map`, `truncate`, or "" for none. */
  kind: string;
  param: string;
}
export interface EntryRow {
  /** The key in the buyer's request. */
  key: string;
  source: "field" | "joined" | "constant";
  /** A field's name, a joined text (`{first_name} {last_name}`), or a constant's cell. */
  value: string;
  steps: StepRow[];
  default: string;
}
export interface PartRows {
  format: string;
  xml_root: string;
  mapping: EntryRow[];
  static: [string, string][];
  headers: [string, string][];
  response: [string, string][];
}
export interface ProtocolRows {
  kind: string;
  preset: string;
  ping: PartRows;
  post: PartRows;
}

/** The transforms a step cell offers, with how the select names them; those without a parameter name their value after a colon. */
export const STEP_KINDS: ReadonlyMap<string, string> = new Map([
  ...PHONE_FORMATS.map((f): [string, string] => [`format:${f}`, `phone ${formatPhone("+14155552671", f)}`]),
  ["case:upper", "UPPER CASE"],
  ["case:lower", "lower case"],
  ["case:title", "Title Case"],
  ["date", "date as (pattern)"],
  ["bool", "yes / no as (Y, N)"],
  ["map", "lookup (a=b, c=d)"],
  ["truncate", "at most (characters)"],
]);
export const RESPONSE_RULES = Object.keys(ResponseRulesSchema.shape);
/** Answer rules that hold a list (comma-separated cells). */
const LIST_RULES = new Set(["accepted_values", "failure_values", "accept_status", "reject_status"]);

type Rec = Record<string, unknown>;
type Scalar = string | number | boolean;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/**
 * A scalar as typed in a cell: `true`/`false` and numbers (no leading zero, so a ZIP stays text) are
 * themselves, `"…"` is the text inside the quotes, anything else is the text. Empty: nothing.
 */
export function readCell(text: string): Scalar | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  if (t === "true" || t === "false") return t === "true";
  if (NUMBER.test(t) && Number.isSafeInteger(Math.trunc(Number(t)))) return Number(t);
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      const s: unknown = JSON.parse(t);
      if (typeof s === "string") return s;
    } catch {
      // not a quoted string after all: the text as typed
    }
  }
  return t;
}

/** A scalar as a cell shows it: text that would read as something else is quoted. */
export function cellOf(v: unknown): string {
  // Control characters are quoted too: a browser drops newlines from an input's value.
  if (typeof v === "string") return readCell(v) === v && !/[\u0000-\u001f]/.test(v) ? v : JSON.stringify(v);
  return v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v as Scalar);
}

const listCell = (v: unknown) => (Array.isArray(v) ? v.map(cellOf).join(", ") : cellOf(v));
const readList = (text: string) => text.split(",").flatMap((p) => (readCell(p) === undefined ? [] : [readCell(p)!]));

/** A concatenation as one line of text: `{name}` is a field or $value, the rest literal. */
function joinedOf(parts: unknown): string {
  if (!Array.isArray(parts)) return cellOf(parts);
  return parts.map((p) => (typeof p === "string" ? (isSource(p) ? `{${p}}` : p) : isRec(p) ? String(p.text) : "")).join("");
}
function readJoined(text: string, path: string, errors: FieldError[]): unknown[] {
  const out: unknown[] = [];
  text.split(/\{([^{}]*)\}/).forEach((seg, i) => {
    if (i % 2 === 1) {
      if (isSource(seg.trim())) out.push(seg.trim());
      else {
        // Kept as typed (braces and all), so the refused form shows it again.
        errors.push({ path, message: `{${seg}}: not a lead field or $value` });
        out.push(`{${seg}}`);
      }
    } else if (seg) out.push(isSource(seg) ? { text: seg } : seg);
  });
  return out;
}

function stepRow(step: unknown): StepRow {
  const [kind, value] = isRec(step) ? (Object.entries(step)[0] ?? ["", ""]) : ["?", step];
  if (kind === "format" || kind === "case") return { kind: `${kind}:${String(value)}`, param: "" };
  if (kind === "bool" || kind === "map") {
    const param = Array.isArray(value)
      ? listCell(value)
      : isRec(value)
        ? Object.entries(value)
            .map(([k, v]) => `${k}=${cellOf(v)}`)
            .join(", ")
        : cellOf(value);
    return { kind, param };
  }
  return { kind, param: kind === "date" ? String(value) : cellOf(value) };
}

/** A step from its row; a parameter that can't be read stays as typed (so it is shown again) with an error. */
function readStep(row: StepRow, path: string, errors: FieldError[]): Rec | undefined {
  const { kind } = row;
  const param = row.param.trim();
  const bad = (message: string) => errors.push({ path: `${path}.param`, message });
  if (kind === "") return undefined;
  if (!STEP_KINDS.has(kind)) {
    errors.push({ path: `${path}.kind`, message: "choose a transform" });
    return undefined;
  }
  const [name, option] = kind.split(":") as [string, string | undefined];
  if (option !== undefined) return { [name]: option };
  if (name === "date") return { date: row.param.trim() };
  if (name === "truncate") {
    if (!/^\d+$/.test(param)) bad("a length: a whole number of characters");
    return { truncate: /^\d+$/.test(param) ? Number(param) : param };
  }
  if (name === "bool") {
    const pair = readList(param);
    if (pair.length !== 2) {
      bad("two values, for yes and for no: Y, N");
      return { bool: param };
    }
    return { bool: pair };
  }
  const pairs: [string, Scalar][] = [];
  for (const item of param.split(",")) {
    if (!item.trim()) continue;
    const eq = item.indexOf("=");
    if (eq <= 0) {
      bad("pairs of value=output separated by commas: true=Y, false=N");
      return { map: param };
    }
    pairs.push([item.slice(0, eq).trim(), readCell(item.slice(eq + 1)) ?? ""]);
  }
  // Own keys whatever they are (a typed `__proto__` is refused by the schema, not set as a prototype).
  return { map: Object.fromEntries(pairs) };
}

function entryRow(key: string, raw: unknown): EntryRow {
  const e = canonicalEntry(raw);
  const entry: Rec = isRec(e) ? e : { from: e };
  const steps = Array.isArray(entry.transforms) ? entry.transforms.map(stepRow) : [];
  const [source, value] =
    entry.concat !== undefined
      ? (["joined", joinedOf(entry.concat)] as const)
      : entry.const !== undefined
        ? (["constant", cellOf(entry.const)] as const)
        : (["field", typeof entry.from === "string" ? entry.from : cellOf(entry.from)] as const);
  return { key, source, value, steps, default: cellOf(entry.default) };
}

function readEntry(row: EntryRow, path: string, errors: FieldError[]): unknown {
  const steps = row.steps.flatMap((s, j) => readStep(s, `${path}.t.${j}`, errors) ?? []);
  const def = readCell(row.default);
  let source: Rec;
  if (row.source === "joined") source = { concat: readJoined(row.value, `${path}.value`, errors) };
  else if (row.source === "constant") source = { const: readCell(row.value) ?? "" };
  else {
    const from = row.value.trim();
    if (!steps.length && def === undefined) return from;
    source = { from };
  }
  return { ...source, ...(steps.length ? { transforms: steps } : {}), ...(def === undefined ? {} : { default: def }) };
}

const pairs = (v: unknown, cell: (x: unknown) => string): [string, string][] =>
  isRec(v) ? Object.entries(v).map(([k, x]): [string, string] => [k, cell(x)]) : [];

function partRows(v: unknown): PartRows {
  const p = isRec(v) ? v : {};
  return {
    format: typeof p.format === "string" ? p.format : "",
    xml_root: typeof p.xml_root === "string" ? p.xml_root : "",
    mapping: isRec(p.mapping) ? Object.entries(p.mapping).map(([k, e]) => entryRow(k, e)) : [],
    static: pairs(p.static, cellOf),
    headers: pairs(p.headers, (x) => String(x)),
    response: pairs(p.response, (x) => (Array.isArray(x) ? listCell(x) : String(x))),
  };
}

/** The rows a stored protocol is shown in (best effort: see `protocolRows` for whether they are exact). */
export function toRows(v: unknown): ProtocolRows {
  const p = isRec(v) ? v : {};
  return {
    kind: typeof p.kind === "string" ? p.kind : "native",
    preset: typeof p.preset === "string" ? p.preset : "",
    ping: partRows(p.ping),
    post: partRows(p.post),
  };
}

const filled = (rows: [string, string][]) => rows.filter(([k]) => k.trim() !== "");

function readPart(r: PartRows, path: string, errors: FieldError[]): Rec | undefined {
  const mapping = r.mapping.filter((e) => e.key.trim() !== "");
  const [fixed, headers, response] = [filled(r.static), filled(r.headers), filled(r.response)];
  const empty = !r.format && !r.xml_root.trim() && [mapping, fixed, headers, response].every((x) => x.length === 0);
  if (empty) return undefined;
  const out: Rec = {};
  if (r.format) out.format = r.format;
  if (r.xml_root.trim()) out.xml_root = r.xml_root.trim();
  if (headers.length) out.headers = Object.fromEntries(headers.map(([k, v]) => [k.trim(), v.trim()]));
  if (fixed.length) out.static = Object.fromEntries(fixed.map(([k, v]) => [k.trim(), readCell(v) ?? ""]));
  // A request always has its mapping and answer rules, even empty (a preset's are laid under them).
  out.mapping = Object.fromEntries(
    r.mapping.flatMap((e, i) => (e.key.trim() ? [[e.key.trim(), readEntry(e, `${path}.mapping.${i}`, errors)]] : [])),
  );
  const rules: Rec = {};
  for (const [i, [k, v]] of r.response.entries()) {
    if (!k.trim()) continue;
    if (!RESPONSE_RULES.includes(k)) errors.push({ path: `${path}.response.${i}.rule`, message: "choose an answer rule" });
    else rules[k] = LIST_RULES.has(k) ? readList(v) : v.trim();
  }
  out.response = rules;
  return out;
}

/** The protocol the rows say, and the errors in cells that can't be read. */
export function fromRows(r: ProtocolRows, errors: FieldError[] = []): unknown {
  if (r.kind !== "template") return { kind: r.kind || "native" };
  const out: Rec = { kind: "template" };
  if (r.preset) out.preset = r.preset;
  for (const part of PARTS) {
    const p = readPart(r[part], `protocol.${part}`, errors);
    if (p) out[part] = p;
  }
  return out;
}

/** Two protocols that behave the same: equal as the schema reads them, or (both invalid) as written. */
function sameProtocol(a: unknown, b: unknown): boolean {
  const [pa, pb] = [ProtocolSchema.safeParse(a), ProtocolSchema.safeParse(b)];
  if (pa.success && pb.success) return JSON.stringify(pa.data) === JSON.stringify(pb.data);
  return !pa.success && !pb.success && JSON.stringify(a) === JSON.stringify(b);
}

/** The rows for a protocol, or null when they can't carry it exactly (the editor shows JSON then). */
export function protocolRows(v: unknown): ProtocolRows | null {
  if (v === null || v === undefined) return toRows({ kind: "native" });
  const rows = toRows(v);
  if (rows.kind !== "native" && rows.kind !== "template") return null;
  // Read back as a browser posts the cells (it drops line breaks from an input), and without a cell
  // the reader would refuse (an unknown answer rule): else a save through the rows would change it.
  const posted = JSON.parse(JSON.stringify(rows), (_k, x: unknown) =>
    typeof x === "string" ? x.replace(/[\r\n]/g, "") : x,
  ) as ProtocolRows;
  const errors: FieldError[] = [];
  // (A refused form's protocol is invalid already: its rows, errors and all, are shown again.)
  const same = sameProtocol(fromRows(posted, errors), v);
  return same && (errors.length === 0 || !ProtocolSchema.safeParse(v).success) ? rows : null;
}
