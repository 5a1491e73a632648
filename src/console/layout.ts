// The console's frame and building blocks, rendered on the server with hono/html (every interpolated
// value is escaped): the page layout, the login page, tiles and tables. The only scripts a page loads
// are /console/assets/*, so a strict Content-Security-Policy applies. Wide tables scroll inside their
// own box, so a page fits its window, a phone's included.
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;
export const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

const STYLE = `
*{box-sizing:border-box} body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
header{background:#102a43;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center}
header a{color:#bcccdc;text-decoration:none} header a.on{color:#fff;font-weight:600} header a:focus-visible{outline:2px solid #fff}
main{padding:1rem 1.2rem;max-width:1400px} h2{font-size:1rem;margin:1.4rem 0 .5rem} h3{font-size:.95rem;margin:1rem 0 .4rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:.6rem}
.tile{background:#fff;border-radius:6px;padding:.6rem .8rem;box-shadow:0 1px 2px #0001}
.tile b{display:block;font-size:1.35rem} .tile span{color:#627d98;font-size:.8rem}
.scroll{overflow-x:auto;max-width:100%;position:relative}
table{border-collapse:collapse;background:#fff;width:100%;box-shadow:0 1px 2px #0001}
th,td{padding:.3rem .5rem;border-bottom:1px solid #e4e7eb;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left} th{background:#f0f4f8;font-weight:600}
.chart{background:#fff;border-radius:6px;padding:.4rem;margin:.4rem 0;box-shadow:0 1px 2px #0001;min-height:240px;overflow:hidden}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:.8rem} .grid>*{min-width:0} .bad{color:#b42318} .ok{color:#067647}
.alert{background:#fef3f2;border:1px solid #fecdca;padding:.6rem .8rem;border-radius:6px;margin:.6rem 0}
.note{background:#ecfdf3;border:1px solid #abefc6;padding:.6rem .8rem;border-radius:6px;margin:.6rem 0}
.empty{background:#fff;color:#52606d;padding:.6rem .8rem;border-radius:6px;box-shadow:0 1px 2px #0001;margin:0}
code{background:#f0f4f8;padding:0 .2rem;overflow-wrap:anywhere} form.login{background:#fff;padding:1rem;max-width:24rem;border-radius:6px}
input,select,textarea{width:100%;padding:.4rem;font:inherit} textarea{font-family:ui-monospace,monospace;font-size:.85rem}
button,.button{margin-top:.6rem;padding:.4rem 1rem;font:inherit;cursor:pointer}
:focus-visible{outline:2px solid #0b6bcb;outline-offset:1px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
fieldset.group{min-width:0;background:#fff;border:1px solid #e4e7eb;border-radius:6px;margin:.8rem 0;padding:.6rem .8rem} fieldset.group legend{font-weight:600;padding:0 .3rem}
.fields{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:.7rem 1rem} .field{min-width:0} .field small{overflow-wrap:anywhere} .field.wide{grid-column:1/-1}
.field label{display:block;font-weight:600;margin-bottom:.15rem} .field small{display:block;color:#52606d;font-size:.8rem;margin-top:.15rem}
.field.has-error input,.field.has-error select,.field.has-error textarea{border:2px solid #b42318}
table.rows td{text-align:left;white-space:normal} table.rows input,table.rows select{min-width:4rem}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center} .actions form{margin:0} .inline{display:inline}
pre{background:#fff;border:1px solid #e4e7eb;border-radius:6px;padding:.6rem;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.8rem}
@media (max-width:900px){.grid{grid-template-columns:1fr} main{padding:.8rem}}`;

/** The console's sections, in the header (admin pages). */
const NAV: [string, string][] = [
  ["/console", "overview"],
  ["/console/campaigns", "campaigns"],
  ["/console/sources", "sources"],
  ["/console/buyers", "buyers"],
  ["/console/contracts", "contracts"],
  ["/console/experiments", "experiments"],
  ["/console/returns", "returns"],
  ["/console/billing", "billing"],
  ["/console/audit", "audit"],
];

export interface Nav {
  admin: boolean;
  /** The overview's span (hour or day), when on the overview. */
  span?: string;
  /** The section the page belongs to (its header link is marked). */
  section?: string;
}

export function layout(title: string, body: Html, nav: Nav = { admin: true }): Html {
  const section = nav.section ?? (nav.span ? "/console" : "");
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · leadgate console</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/uplot.css"><style>${raw(STYLE)}</style></head>
<body><header><b>leadgate</b>${
    nav.admin
      ? html`<nav aria-label="console" style="display:contents">${NAV.map(
          ([href, label]) => html`<a href="${href}" class="${section === href ? "on" : ""}">${label}</a>`,
        )}</nav>${
          nav.span
            ? html`<a href="/console?span=hour" class="${nav.span === "hour" ? "on" : ""}">last hour</a><a href="/console?span=day" class="${nav.span === "day" ? "on" : ""}">last 24 h</a>`
            : ""
        }`
      : ""
  }<a href="/console/logout" style="margin-left:auto">log out</a></header>
<main>${body}</main>
<script src="/console/assets/uplot.js"></script><script src="/console/assets/console.js"></script></body></html>`;
}

const LOGIN = {
  admin: { label: "Admin token", title: "", action: "/console/login" },
  source: { label: "Your API key or reporting key", title: " for publishers", action: "/console/source/login" },
  buyer: { label: "One of your contracts' keys", title: " for buyers", action: "/console/buyer/login" },
} as const;

export function loginPage(kind: "admin" | "source" | "buyer", error?: string): Html {
  const l = LOGIN[kind];
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>leadgate console</title><link rel="icon" href="data:,"><style>${raw(STYLE)}</style></head>
<body><main><h2>leadgate console${l.title}</h2>${error ? html`<p class="bad" role="alert">${error}</p>` : ""}
<form class="login" method="post" action="${l.action}"><label for="token">${l.label}</label>
<input id="token" name="token" type="password" autocomplete="current-password" required><button type="submit">Log in</button></form>
${
  kind === "admin"
    ? html`<p><a href="/console/source/login">Publishers: log in with your API key or reporting key</a></p><p><a href="/console/buyer/login">Buyers: log in with your contract key</a></p>`
    : ""
}</main></body></html>`;
}

export const tile = (label: string, value: string) => html`<div class="tile"><b>${value}</b><span>${label}</span></div>`;

/** A table cell: a value, or a value with a class (`bad`, `ok`) or left-aligned wrapping text. */
export type Cell = string | number | Html | { v: string | number | Html; cls?: string; text?: boolean };

const td = (c: Cell) => {
  if (typeof c !== "object" || !("v" in c)) return html`<td>${c}</td>`;
  const style = c.text ? "white-space:normal;text-align:left" : "";
  return html`<td class="${c.cls ?? ""}" style="${style}">${c.v}</td>`;
};

/**
 * A table with a header row and one row per item, in a box that scrolls sideways when it is wider
 * than the page. With no items and an `empty` message, the message instead: a panel says why it is empty.
 */
export function table<T>(id: string, head: string[], items: readonly T[], row: (item: T) => Cell[], empty?: string): Html {
  if (items.length === 0 && empty) return html`<p class="empty" id="${id}">${empty}</p>`;
  return html`<div class="scroll"><table id="${id}"><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr>
${items.map((item) => html`<tr>${row(item).map(td)}</tr>`)}
</table></div>`;
}

/** A form's CSRF token, as a hidden field (every console form that changes something carries one). */
export const csrfField = (token: string) => html`<input type="hidden" name="csrf" value="${token}">`;
