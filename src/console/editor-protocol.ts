// A contract's format (`protocol`) in the editor: the kind and preset as selects, then per request
// (ping, post) its format and rows for the mapping (request key, where the value comes from, up to
// two transforms shown — more when an entry has them — and a default), the static fields, headers and
// how the answers read. Plain inputs, no JavaScript (./protocol-rows.ts reads them back). A protocol
// the rows can't carry exactly, or `?protocol=json`, shows the JSON textarea instead.
import { html } from "hono/html";
import { AUCTION_VALUES } from "../rules/mapping";
import { PRESET_NAMES } from "../rules/presets";
import { errorLine, errorsOf, fieldBlock, type FormState } from "./editor-fields";
import { opt, rowsTable } from "./editor-rows";
import type { Html } from "./layout";
import { PARTS, RESPONSE_RULES, STEP_KINDS, protocolRows, type EntryRow, type PartRows } from "./protocol-rows";
import type { ColumnInfo, FieldSpec } from "../rules/fields";

/** Transform cells an entry row offers at least. */
export const STEPS_SHOWN = 2;
const FORMATS = ["json", "form", "xml", "query"];
const SOURCES: [EntryRow["source"], string][] = [
  ["field", "field"],
  ["joined", "joined text"],
  ["constant", "constant"],
];

const select = (name: string, label: string, options: [string, string][], current: string) =>
  html`<select name="${name}" aria-label="${label}">${[...options, ...(options.some(([v]) => v === current) ? [] : [[current, current] as [string, string]])].map(([v, t]) => opt(v, t, v === current))}</select>`;
const input = (name: string, label: string, value: string, extra = html``) =>
  html`<input name="${name}" aria-label="${label}" value="${value}" ${extra}>`;

function mappingTable(n: string, part: string, entries: EntryRow[]): Html {
  const widest = Math.max(STEPS_SHOWN, ...entries.map((e) => e.steps.length));
  const blank: EntryRow = { key: "", source: "field", value: "", steps: [], default: "" };
  const rows = [...entries, blank, blank].map((e, i) => {
    const m = `${n}.mapping.${i}`;
    const label = `${part} mapping ${i + 1}`;
    const steps = Array.from({ length: widest }, (_, j) => {
      const s = e.steps[j] ?? { kind: "", param: "" };
      return html`<td>${select(`${m}.t.${j}.kind`, `${label}: transform ${j + 1}`, [["", "(none)"], ...STEP_KINDS], s.kind)}</td>
<td>${input(`${m}.t.${j}.param`, `${label}: transform ${j + 1}'s parameter`, s.param, html`style="width:8rem"`)}</td>`;
    });
    return html`<tr><td>${input(`${m}.key`, `${label}: the buyer's key`, e.key)}</td>
<td>${select(`${m}.source`, `${label}: the value is`, SOURCES, e.source)}</td>
<td>${input(`${m}.value`, `${label}: field, joined text or constant`, e.value, html`list="protocol-sources"`)}</td>${steps}
<td>${input(`${m}.default`, `${label}: default`, e.default, html`style="width:6rem"`)}</td></tr>`;
  });
  const head = [
    "buyer's key",
    "value is",
    "field / text",
    ...Array.from({ length: widest }, (_, j) => [`transform ${j + 1}`, "parameter"]).flat(),
    "default",
  ];
  return rowsTable(`${n}.mapping`, "Mapping", head, rows);
}

function pairTable(n: string, what: "static" | "headers", caption: string, head: [string, string], rows: [string, string][]): Html {
  const k = what === "headers" ? "name" : "key";
  const blank: [string, string] = ["", ""];
  return rowsTable(
    `${n}.${what}`,
    caption,
    head,
    [...rows, blank].map(
      ([key, value], i) =>
        html`<tr><td>${input(`${n}.${what}.${i}.${k}`, `${caption} ${i + 1}: ${head[0]}`, key)}</td><td>${input(`${n}.${what}.${i}.value`, `${caption} ${i + 1}: ${head[1]}`, value)}</td></tr>`,
    ),
  );
}

function responseTable(n: string, rules: [string, string][]): Html {
  const blank: [string, string] = ["", ""];
  const options: [string, string][] = [["", "(none)"], ...RESPONSE_RULES.map((r): [string, string] => [r, r])];
  return rowsTable(
    `${n}.response`,
    "Reading the answer",
    ["rule", "value"],
    [...rules, blank, blank].map(
      ([rule, value], i) =>
        html`<tr><td>${select(`${n}.response.${i}.rule`, `answer rule ${i + 1}`, options, rule)}</td><td>${input(`${n}.response.${i}.value`, `answer rule ${i + 1}: value`, value, html`style="min-width:14rem"`)}</td></tr>`,
    ),
  );
}

function partBlock(part: (typeof PARTS)[number], r: PartRows): Html {
  const n = `protocol.${part}`;
  const title = part === "ping" ? "Ping request (dynamic pricing; leave the format empty for none)" : "Post request";
  return html`<fieldset class="group"><legend>${title}</legend>
<div class="fields"><div class="field"><label>Format ${select(`${n}.format`, `${part} format`, [["", "(the preset's, or none)"], ...FORMATS.map((f): [string, string] => [f, f])], r.format)}</label></div>
<div class="field"><label>XML root ${input(`${n}.xml_root`, `${part} XML root element`, r.xml_root, html`placeholder="request"`)}</label></div></div>
${mappingTable(n, part, r.mapping)}
${pairTable(n, "static", "Static fields", ["key", "value"], r.static)}
${pairTable(n, "headers", "Headers", ["name", "value"], r.headers)}
${responseTable(n, r.response)}</fieldset>`;
}

/** The protocol field: rows when they carry it exactly, else the JSON textarea. */
export function protocolBlock(spec: FieldSpec, info: ColumnInfo, s: FormState): Html {
  const asJson = s.protocolAsJson === true || s.raw[spec.column] !== undefined;
  const rows = asJson ? null : protocolRows(s.values.protocol);
  if (!rows) {
    const why = asJson ? "" : " Shown as JSON: the form's rows can't carry this one exactly.";
    return html`<div class="field wide">${fieldBlock({ ...spec, widget: "json", help: `${spec.help}${why}` }, info, s)}${
      asJson ? html`<small><a href="?">Edit as rows</a></small>` : ""
    }</div>`;
  }
  const sources = [...new Set([...s.leadFields.map((f) => f.name).filter((f) => f !== "age"), ...AUCTION_VALUES])];
  return html`<div class="field wide${errorsOf(s, "protocol").length ? " has-error" : ""}" id="protocol">
<div class="fields"><div class="field"><label for="protocol.kind">Format</label><select id="protocol.kind" name="protocol.kind" aria-describedby="h-protocol">${opt("native", "native (leadgate's own JSON)", rows.kind !== "template")}${opt("template", "template (the buyer's own format)", rows.kind === "template")}</select></div>
<div class="field"><label for="protocol.preset">Preset</label><select id="protocol.preset" name="protocol.preset">${opt("", "(none)", rows.preset === "")}${[...PRESET_NAMES, ...(rows.preset && !(PRESET_NAMES as string[]).includes(rows.preset) ? [rows.preset] : [])].map((p) => opt(p, p, p === rows.preset))}</select></div></div>
<datalist id="protocol-sources">${sources.map((v) => html`<option value="${v}"></option>`)}</datalist>
<small id="h-protocol">Native needs nothing else. A template maps the lead into the buyer's request: a field (<code>phone</code>, <code>$price</code>), joined text (<code>{first_name} {last_name}</code>) or a constant, then transforms in order — parameters: a date pattern (<code>MM/DD/YYYY</code>), yes/no outputs (<code>Y, N</code>), a lookup (<code>true=Y, false=N</code>), a length. A preset fills in its platform's format, fields and answer rules; rows here add to it or override it. Cells: <code>true</code>, <code>false</code> and numbers are typed, <code>"12"</code> is text; lists take commas. A row with no key is ignored. <a href="?protocol=json">Edit as JSON</a> (docs/BUYER_PROTOCOL.md).</small>${errorLine(s, "protocol")}
${PARTS.map((p) => partBlock(p, rows[p]))}</div>`;
}
