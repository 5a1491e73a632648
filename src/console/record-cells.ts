// A `records` column's items (a campaign's scrubs, hooks and aged tiers, an experiment's variants) as
// the cells of the editor's rows, and back. Pure. An item is shown as rows only when reading its
// cells back, as a browser posts them, gives the same item: otherwise the editor shows JSON.
import type { FieldError } from "../lib/errors";
import type { RowColumn } from "../rules/fields";
import { isPlainObject as isRec } from "../lib/own";

type Rec = Record<string, unknown>;
/** A whole number as typed (thousands separators aside). */
export const INT = /^-?\d+$/;

/** Values separated by commas or lines. */
export const listOf = (text: string): string[] =>
  text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** An item's values by cell key: a nested object's keys one level down (`settings.mode`). */
const flat = (item: Rec): [string, unknown][] =>
  Object.entries(item).flatMap(([k, x]): [string, unknown][] =>
    isRec(x) ? Object.entries(x).map(([k2, y]) => [`${k}.${k2}`, y]) : [[k, x]],
  );

/** The cells' texts for an item, or null when a value has no cell of its kind (an unknown key, a choice not offered). */
export function cellTexts(item: Rec, columns: readonly RowColumn[]): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const [k, x] of flat(item)) {
    const c = columns.find((col) => col.key === k);
    if (!c) return null;
    // A number's cell may hold text: what was typed, shown again beside its error.
    if (c.kind === "number" && (Number.isSafeInteger(x) || typeof x === "string")) out.set(k, String(x));
    else if (c.kind === "boolean" && typeof x === "boolean") out.set(k, x ? "yes" : "no");
    else if (c.kind === "list" && Array.isArray(x) && x.every((e) => typeof e === "string")) out.set(k, x.join(", "));
    else if (c.kind === "select" && typeof x === "string" && (c.options ?? []).includes(x)) out.set(k, x);
    else if (c.kind === "text" && typeof x === "string") out.set(k, x);
    else return null;
  }
  return out;
}

/** An item from its cells' texts (`at(key)`); blank cells are left out, a bad number is an error at `<path>.<key>`. */
export function itemOf(at: (key: string) => string, columns: readonly RowColumn[], path: string, errors: FieldError[]): Rec {
  const item: Rec = {};
  // A dotted key is one level down; keys are the spec's own, never the form's.
  const put = (key: string, value: unknown) => {
    const [outer, inner] = key.split(".") as [string, string | undefined];
    if (inner === undefined) item[outer] = value;
    else item[outer] = { ...(item[outer] as Rec | undefined), [inner]: value };
  };
  for (const col of columns) {
    const text = at(col.key).trim();
    const number = text.replace(/[,_\s]/g, "");
    if (text === "") continue;
    if (col.kind === "list") put(col.key, listOf(text));
    else if (col.kind === "boolean") put(col.key, text === "yes");
    else if (col.kind !== "number") put(col.key, text);
    else if (INT.test(number)) put(col.key, Number(number));
    else {
      errors.push({ path: `${path}.${col.key}`, message: `${col.label}: a whole number` });
      put(col.key, text);
    }
  }
  return item;
}

/** Key order aside, the same JSON; an empty nested object is its absence (a variant's `settings: {}` is the default). */
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : isRec(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .filter((k) => !(isRec(v[k]) && Object.keys(v[k]).length === 0))
            .map((k) => [k, canonical(v[k])]),
        )
      : v;

/** A list the rows carry exactly: each item read back from its cells (newlines dropped, as a browser does) is itself. */
export function fitsRows(v: unknown, columns: readonly RowColumn[]): v is Rec[] {
  if (v === null || v === undefined) return true;
  if (!Array.isArray(v)) return false;
  return v.every((item) => {
    const texts = isRec(item) ? cellTexts(item, columns) : null;
    if (!texts || texts.size === 0) return false;
    // (A number typed as text reads back as itself, with its error: a refused form is shown again as rows.)
    const back = itemOf((k) => (texts.get(k) ?? "").replace(/[\r\n]/g, ""), columns, "", []);
    return JSON.stringify(canonical(back)) === JSON.stringify(canonical(item));
  });
}
