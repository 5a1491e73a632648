// The editor's form rows: a contract's filters and schedule windows, a campaign's lead fields. Each
// stored item is a row of plain inputs, with blank rows below to add one (a row left blank is
// ignored, so a row is removed by clearing its first input): no JavaScript, no raw JSON.
import { html } from "hono/html";
import { FIELD_TYPES } from "../rules/schemas";
import { WEEKDAYS } from "../lib/time";
import { errorLine, errorsOf, type FormState } from "./editor-fields";
import type { Html } from "./layout";

const OPS: [string, string][] = [
  ["eq", "is"],
  ["neq", "is not"],
  ["in", "is one of"],
  ["not_in", "is none of"],
  ["range", "is between"],
  ["regex", "matches (RE2)"],
  ["exists", "is present"],
];

type Rec = Record<string, unknown>;
const list = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter((x): x is Rec => x !== null && typeof x === "object") : []);
const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));
const opt = (value: string, label: string, selected: boolean) =>
  html`<option value="${value}" ${selected ? "selected" : ""}>${label}</option>`;

const rowsTable = (id: string, caption: string, head: string[], rows: Html[]) =>
  html`<div class="scroll"><table id="${id}" class="rows"><caption style="text-align:left;font-weight:600">${caption}</caption><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr>${rows}</table></div>`;

export function filterRows(s: FormState): Html {
  const items = list(s.values.filters);
  const rows = [...items, {}, {}].map((f, i) => {
    const n = `filters.${i}`;
    const value = Array.isArray(f.values) ? f.values.map(str).join(", ") : str(f.value);
    const fieldNames = s.leadFields.map((x) => x.name);
    const current = str(f.field);
    return html`<tr>
<td><select name="${n}.field" aria-label="filter ${i + 1}: field">${opt("", "(none)", current === "")}${[...new Set([...fieldNames, ...(current ? [current] : [])])].map((name) => opt(name, name, name === current))}</select></td>
<td><select name="${n}.op" aria-label="filter ${i + 1}: comparison">${OPS.map(([op, label]) => opt(op, label, op === (f.op ?? "eq")))}</select></td>
<td><input name="${n}.value" aria-label="filter ${i + 1}: value, or values separated by commas" value="${value}"></td>
<td><input name="${n}.min" aria-label="filter ${i + 1}: lowest" inputmode="decimal" value="${str(f.min)}" style="width:5rem"></td>
<td><input name="${n}.max" aria-label="filter ${i + 1}: highest" inputmode="decimal" value="${str(f.max)}" style="width:5rem"></td>
<td><input name="${n}.pattern" aria-label="filter ${i + 1}: pattern" value="${str(f.pattern)}"></td></tr>`;
  });
  return html`<div class="field wide${errorsOf(s, "filters").length ? " has-error" : ""}">${rowsTable("filters", "Filters", ["field", "comparison", "value(s)", "min", "max", "pattern"], rows)}
<small id="h-filters">All must match for the contract to be pinged. Values: yes/no for yes-no fields, commas between several ("TX, FL"); between takes min and/or max; a row with no field is ignored. Filters can use the campaign's fields and age.</small>${errorLine(s, "filters")}</div>`;
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
