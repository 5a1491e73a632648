// The console's frame and building blocks, rendered on the server with hono/html (every interpolated
// value is escaped): the page layout, the login page, tiles and tables. The only scripts a page loads
// are /console/assets/*, so a strict Content-Security-Policy applies.
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;
export const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
header{background:#102a43;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.5rem;align-items:center}
header a{color:#bcccdc;text-decoration:none} header a.on{color:#fff;font-weight:600}
main{padding:1rem 1.2rem;max-width:1400px} h2{font-size:1rem;margin:1.4rem 0 .5rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.6rem}
.tile{background:#fff;border-radius:6px;padding:.6rem .8rem;box-shadow:0 1px 2px #0001}
.tile b{display:block;font-size:1.35rem} .tile span{color:#627d98;font-size:.8rem}
table{border-collapse:collapse;background:#fff;width:100%;box-shadow:0 1px 2px #0001}
th,td{padding:.3rem .5rem;border-bottom:1px solid #e4e7eb;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left} th{background:#f0f4f8;font-weight:600}
.chart{background:#fff;border-radius:6px;padding:.4rem;margin:.4rem 0;box-shadow:0 1px 2px #0001;min-height:240px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:.8rem} .bad{color:#b42318} .ok{color:#067647}
.alert{background:#fef3f2;border:1px solid #fecdca;padding:.6rem .8rem;border-radius:6px;margin:.6rem 0}
code{background:#f0f4f8;padding:0 .2rem} form.login{background:#fff;padding:1rem;max-width:24rem;border-radius:6px}
input{width:100%;padding:.4rem;font:inherit;box-sizing:border-box} button{margin-top:.6rem;padding:.4rem 1rem;font:inherit}
@media (max-width:900px){.grid{grid-template-columns:1fr}}`;

export function layout(title: string, body: Html, nav: { admin: boolean; span?: string } = { admin: true }): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · leadgate console</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/uplot.css"><style>${raw(STYLE)}</style></head>
<body><header><b>leadgate</b>${
    nav.admin
      ? html`<a href="/console?span=hour" class="${nav.span === "hour" ? "on" : ""}">last hour</a><a href="/console?span=day" class="${nav.span === "day" ? "on" : ""}">last 24 h</a><a href="/console/billing" class="${nav.span === "billing" ? "on" : ""}">billing</a>`
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
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>leadgate console</title><link rel="icon" href="data:,"><style>${raw(STYLE)}</style></head>
<body><main><h2>leadgate console${l.title}</h2>${error ? html`<p class="bad">${error}</p>` : ""}
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

/** A table with a header row and one row per item. */
export function table<T>(id: string, head: string[], items: readonly T[], row: (item: T) => Cell[]): Html {
  return html`<table id="${id}"><tr>${head.map((h) => html`<th>${h}</th>`)}</tr>
${items.map((item) => html`<tr>${row(item).map(td)}</tr>`)}
</table>`;
}
