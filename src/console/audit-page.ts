// The audit trail in the console: every change to the rules, newest first (who, when, which row,
// which columns), and one change with its diff and an undo button (a form: no JavaScript needed).
import { html } from "hono/html";
import type { AuditEntry } from "../rules/edit/diff";
import { RULE_TABLES } from "../rules/fields";
import { csrfField, layout, table, type Html } from "./layout";

const shown = (v: unknown): string => (v === null || v === undefined ? "(empty)" : typeof v === "string" ? v : JSON.stringify(v));
const when = (iso: string) => iso.slice(0, 19).replace("T", " ");
const rowLink = (e: AuditEntry) =>
  (RULE_TABLES as readonly string[]).includes(e.table) && e.action !== "delete"
    ? html`<a href="/console/${e.table}/${e.row_id}">${e.row_id}</a>`
    : html`${e.row_id}`;

export interface AuditFilter {
  table?: string;
  rowId?: string;
  nextBefore: number | null;
}

export function auditListPage(entries: AuditEntry[], f: AuditFilter): Html {
  const rows = table(
    "audit",
    ["change", "when (UTC)", "who", "how", "table", "row", "what", "columns"],
    entries,
    (e) => [
      html`<a href="/console/audit/${e.id}">#${e.id}</a>`,
      when(e.at),
      e.actor,
      e.via,
      e.table,
      rowLink(e),
      e.reverts ? `undid #${e.reverts}` : e.action,
      {
        v: e.changes
          .map((c) => c.column)
          .join(", ")
          .slice(0, 160),
        text: true,
      },
    ],
    f.table || f.rowId
      ? "No changes match."
      : "No changes yet: every change to campaigns, sources, buyers, contracts and experiments will be listed here.",
  );
  const more = f.nextBefore
    ? new URLSearchParams({ ...(f.table ? { table: f.table } : {}), ...(f.rowId ? { row_id: f.rowId } : {}), before: String(f.nextBefore) })
    : null;
  return layout(
    "Audit trail",
    html`<h2>Changes to the rules</h2>
<form method="get" action="/console/audit" class="actions"><label for="table" style="font-weight:600">table</label><select id="table" name="table" style="width:auto"><option value="">all</option>${RULE_TABLES.map((t) => html`<option ${t === f.table ? "selected" : ""}>${t}</option>`)}</select>
<label for="row_id" style="font-weight:600">row</label><input id="row_id" name="row_id" value="${f.rowId ?? ""}" style="width:12rem"><button type="submit" style="margin:0">Filter</button></form>
${rows}${more ? html`<p><a href="/console/audit?${more.toString()}">older changes</a></p>` : ""}`,
    { admin: true, section: "/console/audit" },
  );
}

export function auditEntryPage(e: AuditEntry, csrf: string, notice?: { kind: "note" | "alert"; text: string }): Html {
  const diff = table(
    "diff",
    ["column", "before", "after"],
    e.changes,
    (c) => [c.column, { v: shown(c.before), text: true, cls: "bad" }, { v: shown(c.after), text: true, cls: "ok" }],
    "Nothing but the version changed.",
  );
  return layout(
    `Change #${e.id}`,
    html`<h2>Change #${e.id}: ${e.action} of ${e.table} ${rowLink(e)}</h2>
${notice ? html`<p class="${notice.kind}" role="${notice.kind === "alert" ? "alert" : "status"}">${notice.text}</p>` : ""}
<p>${when(e.at)} UTC by <b>${e.actor}</b> (${e.via})${e.version ? `, version ${e.version} after it` : ""}${e.reverts ? html`; it undid <a href="/console/audit/${e.reverts}">#${e.reverts}</a>` : ""}.
Secrets are shown only as set or changed.</p>
${diff}
<form method="post" action="/console/audit/${e.id}/revert">${csrfField(csrf)}<button type="submit">Undo this change</button>
<small style="display:block;color:#52606d">Puts the columns back as they were before it (checked like any change, and recorded as one). Refused if they changed again since.</small></form>
<p><a href="/console/audit?row_id=${e.row_id}">every change to ${e.row_id}</a> · <a href="/console/audit">all changes</a></p>`,
    { admin: true, section: "/console/audit" },
  );
}

/** A row's last changes, under its form. */
export function recentChanges(entries: AuditEntry[], rowId: string): Html {
  const rows = table(
    "history",
    ["change", "when (UTC)", "who", "columns"],
    entries,
    (e) => [
      html`<a href="/console/audit/${e.id}">#${e.id} (diff, undo)</a>`,
      when(e.at),
      e.actor,
      { v: e.changes.map((c) => c.column).join(", "), text: true },
    ],
    "No recorded changes yet.",
  );
  return html`<h3>Recent changes</h3>${rows}<p><a href="/console/audit?row_id=${rowId}">every change</a></p>`;
}
