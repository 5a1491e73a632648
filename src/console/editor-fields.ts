// The editor's inputs, one per widget (src/rules/fields): each field with its label, its line of help
// and its error beside it, tied together for screen readers (aria-describedby, aria-invalid), all
// plain HTML controls, so the forms work without JavaScript and by keyboard. Form rows (filters,
// schedule, lead fields) are ./editor-rows.ts.
import { html } from "hono/html";
import type { FieldError } from "../lib/errors";
import type { ColumnInfo, FieldSpec } from "../rules/fields";
import type { Html } from "./layout";

/** What a form is drawn from: the values to show, what could not be read, the errors, the choices. */
export interface FormState {
  values: Record<string, unknown>;
  raw: Record<string, string>;
  errors: FieldError[];
  /** Which write-only columns are set. */
  secrets: Record<string, boolean>;
  campaigns: { id: string; name: string }[];
  buyers: { id: string; name: string }[];
  /** The lead fields filters can name (the contract's campaign's, and age). */
  leadFields: { name: string; type: string }[];
  /** Show a contract's format as JSON even when form rows could carry it (`?protocol=json`). */
  protocolAsJson?: boolean;
}

/** The errors for a column, or a row inside it (`filters.2.value` belongs to `filters`). */
export const errorsOf = (s: FormState, column: string) => s.errors.filter((e) => e.path === column || e.path.startsWith(`${column}.`));

export function errorLine(s: FormState, column: string): Html {
  const errs = errorsOf(s, column);
  return errs.length
    ? html`<p class="bad" id="e-${column}" role="alert">${errs.map((e) => html`${e.path === column ? "" : html`<code>${e.path}</code> `}${e.message}<br>`)}</p>`
    : html``;
}

const described = (s: FormState, column: string) => `h-${column}${errorsOf(s, column).length ? ` e-${column}` : ""}`;

/** A JSON value as the textarea shows it (pretty, so a person can read and edit it). */
const jsonText = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v, null, 2));

function control(spec: FieldSpec, info: ColumnInfo, s: FormState): Html {
  const c = spec.column;
  const v = s.values[c];
  const common = { id: c, name: c, describedby: described(s, c), invalid: errorsOf(s, c).length ? "true" : "false" };
  const attrs = html`id="${common.id}" name="${common.name}" aria-describedby="${common.describedby}" aria-invalid="${common.invalid}"`;
  switch (spec.widget) {
    case "checkbox":
      return html`<input type="checkbox" style="width:auto" ${attrs} ${v ? "checked" : ""}>`;
    case "select": {
      const options = [...(info.notNull ? [] : [""]), ...(info.enumValues ?? [])];
      return html`<select ${attrs}>${options.map((o) => html`<option value="${o}" ${o === (v ?? "") ? "selected" : ""}>${o || "(none)"}</option>`)}</select>`;
    }
    case "campaign":
    case "buyer": {
      const list = spec.widget === "campaign" ? s.campaigns : s.buyers;
      return html`<select ${attrs}><option value="">choose…</option>${list.map((o) => html`<option value="${o.id}" ${o.id === v ? "selected" : ""}>${o.name} (${o.id})</option>`)}</select>`;
    }
    case "secret":
    case "key": {
      const set = s.secrets[c];
      return html`<input type="password" autocomplete="new-password" ${attrs} placeholder="${set ? "set: type a new one to replace it" : "not set"}">${
        set && !info.notNull
          ? html`<label style="font-weight:normal"><input type="checkbox" style="width:auto" name="${c}__clear"> clear it</label>`
          : ""
      }`;
    }
    case "headers": {
      const map = v && typeof v === "object" ? (v as Record<string, string>) : {};
      const text =
        s.raw[c] ??
        Object.entries(map)
          .map(([k, val]) => `${k}: ${val}`)
          .join("\n");
      return html`<textarea rows="3" ${attrs} placeholder="X-Api-Key: the buyer's key">${text}</textarea>`;
    }
    case "json":
      return html`<textarea rows="8" ${attrs}>${s.raw[c] ?? jsonText(v)}</textarea>`;
    case "lines":
      return html`<textarea rows="3" ${attrs}>${Array.isArray(v) ? v.join("\n") : jsonText(v)}</textarea>`;
    case "textarea":
      return html`<textarea rows="4" ${attrs}>${typeof v === "string" ? v : ""}</textarea>`;
    case "number":
      return html`<input inputmode="numeric" ${attrs} value="${s.raw[c] ?? (v === null || v === undefined ? "" : String(v))}">`;
    default:
      return html`<input ${spec.widget === "url" ? html`type="url" inputmode="url"` : ""} ${attrs} value="${v === null || v === undefined ? "" : String(v)}">`;
  }
}

/** One field: label, control, help, error. */
export function fieldBlock(spec: FieldSpec, info: ColumnInfo, s: FormState): Html {
  const checkbox = spec.widget === "checkbox";
  return html`<div class="field${errorsOf(s, spec.column).length ? " has-error" : ""}">
${checkbox ? html`<label for="${spec.column}">${control(spec, info, s)} ${spec.label}</label>` : html`<label for="${spec.column}">${spec.label}</label>${control(spec, info, s)}`}
<small id="h-${spec.column}">${spec.help}</small>${errorLine(s, spec.column)}</div>`;
}
