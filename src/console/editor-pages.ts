// The editor's pages: a rule table's list (with each row's problems, and pause/resume), and a row's
// form — grouped as src/rules/fields groups it, every field explained, errors beside the field they
// name, the row's recent changes with a link to undo them, and for a contract, "Test this buyer".
import { html } from "hono/html";
import type { FieldError } from "../lib/errors";
import type { ColumnInfo, RuleTable, TableSpec } from "../rules/fields";
import type { RuleProblem } from "../rules/model";
import { fieldBlock, type FormState } from "./editor-fields";
import { protocolBlock } from "./editor-protocol";
import { filterRows, leadFieldRows, priceRuleRows, recordRows, scheduleRows } from "./editor-rows";
import { csrfField, layout, table, type Html } from "./layout";

/** A row of a list: its answered columns, version, and what the compiler says of it. */
export interface ListedRow {
  id: string;
  version: number;
  values: Record<string, unknown>;
  problems: RuleProblem[];
}

const shown = (v: unknown): string =>
  v === null || v === undefined ? "–" : typeof v === "object" ? JSON.stringify(v).slice(0, 60) : String(v);

/** Pause or resume a row from a list or its page: a one-button form. */
export function statusButton(table: RuleTable, id: string, version: number, status: unknown, csrf: string): Html {
  if (status !== "active" && status !== "paused") return html``;
  const next = status === "active" ? "paused" : "active";
  return html`<form method="post" action="/console/${table}/${id}/status" class="inline">${csrfField(csrf)}<input type="hidden" name="version" value="${version}"><input type="hidden" name="status" value="${next}"><button type="submit" style="margin:0">${next === "paused" ? "Pause" : "Resume"}<span class="sr"> ${id}</span></button></form>`;
}

export function listPage(spec: TableSpec, rows: ListedRow[], csrf: string, notice?: string): Html {
  const head = ["id", ...spec.listColumns, "problems", ""];
  const body = table(
    spec.name,
    head,
    rows,
    (r) => [
      html`<a href="/console/${spec.name}/${r.id}">${r.id}</a>`,
      ...spec.listColumns.map((c) => shown(r.values[c])),
      r.problems.length ? { v: `${r.problems.length}: ${r.problems[0]!.column}`, cls: "bad" } : { v: "none", cls: "ok" },
      statusButton(spec.name, r.id, r.version, r.values.status, csrf),
    ],
    `No ${spec.title.toLowerCase()} yet: add the first one.`,
  );
  return layout(
    spec.title,
    html`<h2>${spec.title}</h2>${notice ? html`<p class="note" role="status">${notice}</p>` : ""}
<p class="actions"><a class="button" href="/console/${spec.name}/new">New ${spec.singular}</a><a href="/console/audit?table=${spec.name}">changes to ${spec.title.toLowerCase()}</a></p>${body}`,
    { admin: true, section: `/console/${spec.name}` },
  );
}

export interface RowPage {
  spec: TableSpec;
  info: Map<string, ColumnInfo>;
  /** Null: a new row. */
  id: string | null;
  version: number;
  state: FormState;
  csrf: string;
  problems: RuleProblem[];
  warnings: RuleProblem[];
  /** Errors naming no field of this form (another row's, a conflict). */
  notice?: { kind: "note" | "alert"; text: string };
  /** Below the form: recent changes, a contract's buyer test. */
  after?: Html;
}

function groups(p: RowPage): Html[] {
  const byGroup = new Map<string, Html[]>();
  for (const f of p.spec.fields) {
    const block =
      f.widget === "filters"
        ? filterRows(p.state)
        : f.widget === "price_rules"
          ? priceRuleRows(p.state)
          : f.widget === "schedule"
            ? scheduleRows(p.state)
            : f.widget === "fields"
              ? leadFieldRows(p.state)
              : f.widget === "protocol"
                ? protocolBlock(f, p.info.get(f.column)!, p.state)
                : f.widget === "records"
                  ? recordRows(f, p.info.get(f.column)!, p.state)
                  : fieldBlock(f, p.info.get(f.column)!, p.state);
    byGroup.set(f.group, [...(byGroup.get(f.group) ?? []), block]);
  }
  return [...byGroup].map(
    ([g, blocks]) => html`<fieldset class="group"><legend>${g}</legend><div class="fields">${blocks}</div></fieldset>`,
  );
}

/** Errors that name no field on this form: shown at the top. */
function strayErrors(p: RowPage): FieldError[] {
  const columns = new Set(p.spec.fields.map((f) => f.column));
  return p.state.errors.filter((e) => !columns.has(e.path.split(".")[0]!) && !(e.path === "id" && p.id === null));
}

export function rowPage(p: RowPage): Html {
  const title = p.id ? `${p.spec.singular} ${p.id}` : `new ${p.spec.singular}`;
  const action = `/console/${p.spec.name}/${p.id ?? "new"}`;
  const stray = strayErrors(p);
  const idErrors = p.state.errors.filter((e) => e.path === "id");
  return layout(
    title,
    html`<h2>${title}${p.id ? html` <small>version ${p.version}</small>` : ""}</h2>
${p.notice ? html`<p class="${p.notice.kind}" role="${p.notice.kind === "alert" ? "alert" : "status"}">${p.notice.text}</p>` : ""}
${stray.length ? html`<div class="alert" role="alert"><b>Not saved:</b><ul>${stray.map((e) => html`<li><code>${e.path}</code>: ${e.message}</li>`)}</ul></div>` : ""}
${p.state.errors.length && !stray.length ? html`<p class="alert" role="alert">Not saved: ${p.state.errors.length} field(s) need another look (marked below).</p>` : ""}
${p.problems.length ? html`<div class="alert"><b>As stored, the gateway leaves this ${p.spec.singular} out:</b><ul>${p.problems.map((x) => html`<li><code>${x.column}</code>: ${x.message}</li>`)}</ul></div>` : ""}
${p.warnings.length ? html`<ul>${p.warnings.map((w) => html`<li><code>${w.column}</code>: ${w.message}</li>`)}</ul>` : ""}
<form method="post" action="${action}" novalidate>${csrfField(p.csrf)}<input type="hidden" name="version" value="${p.version}">
${p.id ? "" : html`<div class="field"><label for="id">Id</label><input id="id" name="id" value="${String(p.state.values.id ?? "")}" aria-describedby="h-id"><small id="h-id">Optional: letters, digits, _ and -. Left empty: ${p.spec.idPrefix}_&lt;random&gt;.</small>${idErrors.map((e) => html`<p class="bad" role="alert">${e.message}</p>`)}</div>`}
${groups(p)}
<p class="actions"><button type="submit">${p.id ? "Save changes" : `Add ${p.spec.singular}`}</button><a href="/console/${p.spec.name}">back to ${p.spec.title.toLowerCase()}</a></p>
</form>
${p.after ?? ""}`,
    { admin: true, section: `/console/${p.spec.name}` },
  );
}
