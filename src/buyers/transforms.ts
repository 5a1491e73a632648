// A mapping entry's value in the buyer's own shape: its source (a field, a $value, a concatenation or
// a constant), then each transform in order; a transform that can't apply (a phone that is not one, a
// value the lookup table lacks) leaves the value missing, and a missing value takes the entry's
// default or is left out. Pure: the sources are resolved by the caller, so a ping's entries see only
// what its ping-safe lead holds.
import type { MappingEntry, Step } from "../rules/mapping";
import { isSource } from "../rules/mapping";

export type Scalar = string | number | boolean;
/** A source's value, or null/undefined when there is none. */
export type Resolve = (source: string) => Scalar | null | undefined;

const present = (v: Scalar | null | undefined): v is Scalar => v !== null && v !== undefined && v !== "";

/** The ten digits of a North American number (E.164 +1…, 1…, or ten digits as typed), or undefined. */
function nanp(v: Scalar): string | undefined {
  const digits = String(v).replace(/\D/g, "");
  if (digits.length === 10) return digits;
  if (digits.length === 11 && digits.startsWith("1")) return digits.slice(1);
  return undefined;
}

export function formatPhone(v: Scalar, format: Extract<Step, { format: unknown }>["format"]): string | undefined {
  const raw = String(v).trim();
  const ten = nanp(raw);
  if (!ten) return format === "e164" && /^\+[1-9]\d{6,14}$/.test(raw) ? raw : undefined; // other countries: E.164 only
  const [a, b, c] = [ten.slice(0, 3), ten.slice(3, 6), ten.slice(6)];
  switch (format) {
    case "e164":
      return `+1${ten}`;
    case "digits10":
      return ten;
    case "digits11":
      return `1${ten}`;
    case "dashed":
      return `${a}-${b}-${c}`;
    case "dotted":
      return `${a}.${b}.${c}`;
    case "parens":
      return `(${a}) ${b}-${c}`;
  }
}

const DATE_IN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/** A stored date (YYYY-MM-DD, or an ISO timestamp: its own digits, no time zone change) in a pattern. */
export function formatDate(v: Scalar, pattern: string): string | undefined {
  const m = DATE_IN.exec(String(v).trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", s = "00"] = m as unknown as [string, string, string, string, string?, string?, string?];
  const tokens: Record<string, string> = {
    YYYY: y,
    YY: y.slice(2),
    MM: mo,
    M: String(Number(mo)),
    DD: d,
    D: String(Number(d)),
    HH: h,
    mm: mi,
    ss: s,
  };
  return pattern.replace(/YYYY|YY|MM|M|DD|D|HH|mm|ss/g, (t) => tokens[t]!);
}

const TRUE = new Set(["true", "yes", "y", "1", "on"]);
const FALSE = new Set(["false", "no", "n", "0", "off"]);

function truth(v: Scalar): boolean | undefined {
  if (typeof v === "boolean") return v;
  const s = String(v).trim().toLowerCase();
  return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined;
}

function lookup(v: Scalar, table: Record<string, Scalar>): Scalar | undefined {
  const key = String(v);
  if (Object.hasOwn(table, key)) return table[key];
  const lower = key.toLowerCase();
  const found = Object.keys(table).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : table[found];
}

const titleCase = (s: string) => s.toLowerCase().replace(/(^|[\s\-'])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toUpperCase());

/** One transform, or undefined when it can't apply to this value. */
export function applyStep(v: Scalar, step: Step): Scalar | undefined {
  if ("format" in step) return formatPhone(v, step.format);
  if ("date" in step) return formatDate(v, step.date);
  if ("bool" in step) {
    const t = truth(v);
    return t === undefined ? undefined : step.bool[t ? 0 : 1];
  }
  if ("map" in step) return lookup(v, step.map);
  if ("case" in step)
    return step.case === "upper" ? String(v).toUpperCase() : step.case === "lower" ? String(v).toLowerCase() : titleCase(String(v));
  return Array.from(String(v)).slice(0, step.truncate).join("");
}

function sourceValue(entry: MappingEntry, resolve: Resolve): Scalar | undefined {
  if (entry.from !== undefined) {
    const v = resolve(entry.from);
    return present(v) ? v : undefined;
  }
  if (entry.concat) {
    const text = entry.concat
      .map((part) => {
        if (typeof part !== "string") return part.text;
        if (!isSource(part)) return part;
        const v = resolve(part);
        return present(v) ? String(v) : "";
      })
      .join("")
      .replace(/\s+/g, " ")
      .trim();
    return text === "" ? undefined : text;
  }
  return entry.const;
}

/** The value a mapping entry sends, or undefined to leave the key out. */
export function entryValue(entry: MappingEntry, resolve: Resolve): Scalar | undefined {
  let v = sourceValue(entry, resolve);
  for (const step of entry.transforms) {
    if (v === undefined) break;
    const next = applyStep(v, step);
    v = present(next) ? next : undefined;
  }
  return v ?? entry.default;
}
