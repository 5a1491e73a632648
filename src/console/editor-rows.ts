// The editor's form rows: a contract's filters and schedule windows, a campaign's lead fields. Each
// stored item is a row of plain inputs, with blank rows below to add one (a row left blank is
// ignored, so a row is removed by clearing its first input): no JavaScript, no raw JSON.
import { html } from "hono/html";
import { FIELD_TYPES } from "../rules/schemas";
import { WEEKDAYS } from "../lib/time";
import type { ColumnInfo, FieldSpec } from "../rules/fields";
import { errorLine, errorsOf, fieldBlock, type FormState } from "./editor-fields";
import { cellTexts, fitsRows } from "./record-cells";
import type { Html } from "./layout";

const OPS: [string, string][] = [
  ["eq", "is"],
  ["neq", "is not"],
  ["in", "is one of"],
  ["not_in", "is none of"],
  ["in_list", "is in the list"],
  ["not_in_list", "is not in the list"],
  ["range", "is between"],
  ["regex", "matches (RE2)"],
  ["exists", "is present"],
];

type Rec = Record<string, unknown>;
const list = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter((x): x is Rec => x !== null && typeof x === "object") : []);
const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));
export const opt = (value: string, label: string, selected: boolean) =>
  html`<option value="${value}" ${selected ? "selected" : ""}>${label}</option>`;

export const rowsTable = (id: string, caption: string, head: string[], rows: Html[]) =>
  html`<div class="scroll"><table id="${id}" class="rows"><caption style="text-align:left;font-weight:600">${caption}</caption><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr>${rows}</table></div>`;

/** One filter's cells, named `<n>.field`, `<n>.op`…: a contract's filter row, or a price rule's condition. */
function filterCells(n: string, label: string, f: Rec, fieldNames: string[]): Html {
  const value = Array.isArray(f.values) ? f.values.map(str).join(", ") : typeof f.list === "string" ? f.list : str(f.value);
  const current = str(f.field);
  const cells = html`<td><select name="${n}.field" aria-label="${label}: field">${opt("", "(none)", current === "")}${[...new Set([...fieldNames, ...(current ? [current] : [])])].map((name) => opt(name, name, name === current))}</select></td>
<td><select name="${n}.op" aria-label="${label}: comparison">${OPS.map(([op, text]) => opt(op, text, op === (f.op ?? "eq")))}</select></td>
<td><input name="${n}.value" aria-label="${label}: value, values separated by commas, or a list's name" value="${value}"></td>`;
  return html`${cells}
<td><input name="${n}.min" aria-label="${label}: lowest" inputmode="decimal" value="${str(f.min)}" style="width:5rem"></td>
<td><input name="${n}.max" aria-label="${label}: highest" inputmode="decimal" value="${str(f.max)}" style="width:5rem"></td>
<td><input name="${n}.pattern" aria-label="${label}: pattern" value="${str(f.pattern)}"></td>`;
}

const fieldNamesOf = (s: FormState) => s.leadFields.map((x) => x.name);

export function filterRows(s: FormState): Html {
  const items = list(s.values.filters);
  const rows = [...items, {}, {}].map((f, i) => html`<tr>${filterCells(`filters.${i}`, `filter ${i + 1}`, f, fieldNamesOf(s))}</tr>`);
  return html`<div class="field wide${errorsOf(s, "filters").length ? " has-error" : ""}">${rowsTable("filters", "Filters", ["field", "comparison", "value(s)", "min", "max", "pattern"], rows)}
<small id="h-filters">All must match for the contract to be pinged. Values: yes/no for yes-no fields, commas between several ("TX, FL"), a value list's name for "in the list"; between takes min and/or max; a row with no field is ignored. Filters can use the campaign's fields and age.</small>${errorLine(s, "filters")}</div>`;
}

/** Condition cells a price rule row offers at least (a stored rule with more shows them all). */
export const PRICE_RULE_CONDITIONS = 2;

const ACTIONS: [string, string][] = [
  ["", "(none)"],
  ["price_cents", "price is (cents)"],
  ["add_cents", "add (cents)"],
  ["subtract_cents", "subtract (cents)"],
  ["multiply_bps", "multiply by (basis points)"],
  ["refuse", "refuse the lead"],
];

export function priceRuleRows(s: FormState): Html {
  const rules = list(s.values.price_rules);
  const rows = [...rules, {}, {}].map((r, i) => {
    const n = `price_rules.${i}`;
    const when = list(r.when);
    const action = ACTIONS.find(([a]) => a !== "" && r[a] !== undefined)?.[0] ?? "";
    const amount = action && action !== "refuse" ? str(r[action]) : "";
    const conditions = Array.from({ length: Math.max(PRICE_RULE_CONDITIONS, when.length) }, (_, j) =>
      filterCells(`${n}.when.${j}`, `rule ${i + 1}, condition ${j + 1}`, when[j] ?? {}, fieldNamesOf(s)),
    );
    return html`<tr><td><input name="${n}.name" aria-label="rule ${i + 1}: name" value="${str(r.name)}" style="width:8rem"></td>${conditions}
<td><select name="${n}.action" aria-label="rule ${i + 1}: what it does">${ACTIONS.map(([a, text]) => opt(a, text, a === action))}</select></td>
<td><input name="${n}.amount" aria-label="rule ${i + 1}: amount" inputmode="numeric" value="${amount}" style="width:6rem"></td></tr>`;
  });
  const widest = Math.max(PRICE_RULE_CONDITIONS, ...rules.map((r) => list(r.when).length));
  const head = [
    "name",
    ...Array.from({ length: widest }, (_, j) => [`if field ${j + 1}`, "comparison", "value(s)"]).flat(),
    "then",
    "amount",
  ];
  return html`<div class="field wide${errorsOf(s, "price_rules").length ? " has-error" : ""}">${rowsTable("price_rules", "Price rules", head, rows)}
<small id="h-price_rules">The first rule whose conditions all match prices the lead (no condition: every lead, an "else" rule); a lead no rule matches keeps the contract's price. Cents: 2500 = $25.00; basis points: 12000 = x1.2. A refused lead is neither pinged nor posted to this contract. A row with no condition, action or name is ignored.</small>${errorLine(s, "price_rules")}</div>`;
}

export function scheduleRows(s: FormState): Html {
  const schedule = s.values.schedule && typeof s.values.schedule === "object" ? (s.values.schedule as Rec) : {};
  const windows = list(schedule.windows);
  const rows = [...windows, {}].map((w, i) => {
    const n = `schedule.${i}`;
    const days = Array.isArray(w.days) ? w.days.map(str) : [];
    return html`<tr><td><fieldset style="border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem .6rem"><legend class="sr">window ${i + 1}: days</legend>${WEEKDAYS.map(
      (d) =>
        html`<label style="font-weight:normal;white-space:nowrap"><input type="checkbox" style="width:auto" name="${n}.days" value="${d}" ${days.includes(d) ? "checked" : ""}> ${d}</label>`,
    )}</fieldset></td>
<td><input name="${n}.start" aria-label="window ${i + 1}: opens at (HH:MM)" placeholder="08:00" value="${str(w.start)}" style="width:5.5rem"></td>
<td><input name="${n}.end" aria-label="window ${i + 1}: closes at (HH:MM)" placeholder="20:00" value="${str(w.end)}" style="width:5.5rem"></td></tr>`;
  });
  return html`<div class="field wide${errorsOf(s, "schedule").length ? " has-error" : ""}">${rowsTable("schedule", "Schedule", ["days", "opens", "closes"], rows)}
<label for="schedule_timezone">Schedule's own time zone (optional)</label><input id="schedule_timezone" name="schedule_timezone" value="${str(schedule.timezone)}" placeholder="the contract's time zone">
<small id="h-schedule">Open when any window matches, in the contract's time zone. 24:00 is the end of the day; a window closing before it opens runs past midnight. No window ticked: always open.</small>${errorLine(s, "schedule")}</div>`;
}

export function leadFieldRows(s: FormState): Html {
  const fields = list(s.values.fields);
  const rows = [...fields, {}, {}].map((f, i) => {
    const n = `fields.${i}`;
    const pii = f.pii === true ? "yes" : f.pii === false ? "no" : "";
    return html`<tr>
<td><input name="${n}.name" aria-label="field ${i + 1}: name" value="${str(f.name)}"></td>
<td><select name="${n}.type" aria-label="field ${i + 1}: type">${FIELD_TYPES.map((t) => opt(t, t, t === (f.type ?? "text")))}</select></td>
<td><input type="checkbox" style="width:auto" name="${n}.required" aria-label="field ${i + 1}: required" ${f.required ? "checked" : ""}></td>
<td><input type="checkbox" style="width:auto" name="${n}.ping" aria-label="field ${i + 1}: sent in pings" ${f.ping ? "checked" : ""}></td>
<td><select name="${n}.pii" aria-label="field ${i + 1}: personal data">${opt("", "by type", pii === "")}${opt("yes", "yes", pii === "yes")}${opt("no", "no", pii === "no")}</select></td>
<td><input name="${n}.values" aria-label="field ${i + 1}: choices (enum), separated by commas" value="${Array.isArray(f.values) ? f.values.map(str).join(", ") : ""}"></td>
<td><input name="${n}.min" aria-label="field ${i + 1}: min" value="${str(f.min)}" style="width:4.5rem"></td>
<td><input name="${n}.max" aria-label="field ${i + 1}: max" value="${str(f.max)}" style="width:4.5rem"></td></tr>`;
  });
  return html`<div class="field wide${errorsOf(s, "fields").length ? " has-error" : ""}">${rowsTable("fields", "Lead fields", ["name", "type", "required", "ping", "personal", "choices", "min", "max"], rows)}
<small id="h-fields">snake_case names. Ping: sent to buyers before the sale (never for personal data: names, email, phone, birth date; text counts as personal unless marked no). A row with no name is ignored.</small>${errorLine(s, "fields")}</div>`;
}

/** A list of objects as rows (scrubs, hooks, aged tiers, variants): a cell per key, blank rows to add one. */
export function recordRows(spec: FieldSpec, info: ColumnInfo, s: FormState): Html {
  const c = spec.column;
  const columns = spec.columns ?? [];
  const v = s.values[c];
  if (s.raw[c] !== undefined || !fitsRows(v, columns))
    return html`<div class="field wide">${fieldBlock({ ...spec, widget: "json", help: `${spec.help} Shown as JSON: rows can't carry this value.` }, info, s)}</div>`;
  const items = Array.isArray(v) ? v : [];
  const rows = [...items, {}, {}].map((item, i) => {
    const texts = cellTexts(item, columns);
    const cells = columns.map((col) => {
      const name = `${c}.${i}.${col.key}`;
      const label = `${spec.label} ${i + 1}: ${col.label}`;
      const text = texts?.get(col.key) ?? "";
      if (col.kind === "select" || col.kind === "boolean") {
        const options = col.kind === "boolean" ? ["yes", "no"] : (col.options ?? []);
        return html`<td><select name="${name}" aria-label="${label}">${opt("", "(default)", text === "")}${options.map((o) => opt(o, o, o === text))}</select></td>`;
      }
      return html`<td><input name="${name}" aria-label="${label}" value="${text}" ${col.kind === "number" ? html`inputmode="numeric" style="width:6rem"` : col.options ? html`placeholder="${col.options.join(", ")}"` : ""}></td>`;
    });
    return html`<tr>${cells}</tr>`;
  });
  return html`<div class="field wide${errorsOf(s, c).length ? " has-error" : ""}">${rowsTable(
    c,
    spec.label,
    columns.map((col) => col.label),
    rows,
  )}
<small id="h-${c}">${spec.help} A row left blank is ignored; (default) leaves a setting at its default.</small>${errorLine(s, c)}</div>`;
}
