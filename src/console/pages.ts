// The console's pages, rendered on the server from plain data with hono/html (every interpolated
// value is escaped). Charts are drawn by uPlot from the figures embedded as JSON; the page's only
// scripts are /console/assets/*, so a strict Content-Security-Policy applies.
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { BID_BUCKET_LABELS, type Figures } from "./figures";
import type { FullTrace } from "../db/trace";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;
const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

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
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · leadgate console</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/console/assets/uplot.css" />
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <b>leadgate</b>${
            nav.admin
              ? html`<a href="/console?span=hour" class="${nav.span === "hour" ? "on" : ""}">last hour</a
                  ><a href="/console?span=day" class="${nav.span === "day" ? "on" : ""}">last 24 h</a>`
              : ""
          }<a href="/console/logout" style="margin-left:auto">log out</a>
        </header>
        <main>${body}</main>
        <script src="/console/assets/uplot.js"></script>
        <script src="/console/assets/console.js"></script>
      </body>
    </html>`;
}

const tile = (label: string, value: string) => html`<div class="tile"><b>${value}</b><span>${label}</span></div>`;

function totalsTiles(f: Figures): Html {
  const t = f.totals;
  return html`<div class="tiles">
    ${tile("leads", String(t.leads))}${tile("sold", String(t.sold))}${tile("sell-through", `${t.sellThroughPct}%`)}
    ${tile("revenue", dollars(t.revenueCents))}${tile("payout", dollars(t.payoutCents))}${tile("margin", dollars(t.marginCents))}
    ${tile("revenue / lead", dollars(t.revenuePerLeadCents))}${tile("payout / lead", dollars(t.payoutPerLeadCents))}${tile("margin / lead", dollars(t.marginPerLeadCents))}
  </div>`;
}

function groupTable(title: string, rows: Figures["campaigns"]): Html {
  return html`<h2>${title}</h2>
    <table>
      <tr>
        <th>${title.slice(0, -1)}</th>
        <th>leads</th>
        <th>sold</th>
        <th>sell-through</th>
        <th>revenue</th>
        <th>payout</th>
        <th>margin / lead</th>
      </tr>
      ${rows.map(
        (r) =>
          html`<tr>
            <td>${r.name}</td>
            <td>${r.leads}</td>
            <td>${r.sold}</td>
            <td>${r.sellThroughPct}%</td>
            <td>${dollars(r.revenueCents)}</td>
            <td>${dollars(r.payoutCents)}</td>
            <td>${dollars(r.marginPerLeadCents)}</td>
          </tr>`,
      )}
    </table>`;
}

function recentTable(f: Figures, links: boolean): Html {
  return html`<h2>Latest leads</h2>
    <table id="recent">
      <tr>
        <th>lead</th>
        <th>received</th>
        <th>campaign</th>
        <th>source</th>
        <th>status</th>
        <th>price</th>
        <th>payout</th>
      </tr>
      ${f.recent.map(
        (l) =>
          html`<tr>
            <td>${links ? html`<a href="/console/leads/${l.id}">${l.id}</a>` : l.id}</td>
            <td>${time(l.at)}</td>
            <td>${l.campaign}</td>
            <td>${l.source}</td>
            <td>${l.status}</td>
            <td>${dollars(l.priceCents)}</td>
            <td>${dollars(l.payoutCents)}</td>
          </tr>`,
      )}
    </table>`;
}

const chartData = (f: Figures) =>
  // Embedded as JSON (not script): `<` is escaped so no value can close the element.
  raw(
    `<script type="application/json" id="figures">${JSON.stringify({ x: f.series.buckets.map((b) => b / 1000), ...f.series }).replace(/</g, "\\u003c")}</script>`,
  );

export interface CapRow {
  contract: string;
  buyer: string;
  day: string;
  left: number | null;
}

export function overviewPage(f: Figures, caps: CapRow[]): Html {
  return layout(
    "Overview",
    html`${
        f.problems.length
          ? html`<div class="alert" id="problems">
              <b>Rules that do not validate (disabled until fixed):</b>
              <ul>
                ${f.problems.map((p) => html`<li><code>${p.table} ${p.id} ${p.column}</code>: ${p.message}</li>`)}
              </ul>
            </div>`
          : ""
      }
      ${
        f.breakers.length
          ? html`<div class="alert" id="breakers">
              <b>Paused by the circuit breaker:</b>
              <ul>
                ${f.breakers.map((b) => html`<li><code>${b.contract}</code> (${b.buyer}) ${b.state}: ${b.reason ?? ""}</li>`)}
              </ul>
            </div>`
          : ""
      }
      ${totalsTiles(f)}
      <div class="grid">
        <div>
          <h2>Leads per ${f.range.span === "hour" ? "minute" : "hour"}, by status</h2>
          <div class="chart" id="chart-leads"></div>
        </div>
        <div>
          <h2>Pings, bids and timeouts</h2>
          <div class="chart" id="chart-pings"></div>
        </div>
      </div>
      ${chartData(f)}
      <h2>Buyers (contracts)</h2>
      <table id="contracts">
        <tr>
          <th>contract</th>
          <th>buyer</th>
          <th>pings</th>
          <th>bid rate</th>
          <th>avg bid</th>
          <th>bids ${BID_BUCKET_LABELS.join(" / ")}</th>
          <th>timeouts</th>
          <th>errors</th>
          <th>posts</th>
          <th>accepted</th>
          <th>reject rate</th>
          <th>ping-to-post</th>
          <th>latency p50 / p95</th>
          <th>revenue</th>
          <th>breaker</th>
        </tr>
        ${f.contracts.map(
          (c) =>
            html`<tr>
              <td>${c.id}</td>
              <td>${c.buyer}</td>
              <td>${c.pings}</td>
              <td>${c.bidRatePct}%</td>
              <td>${c.avgBidCents === null ? "–" : dollars(c.avgBidCents)}</td>
              <td>${c.bidsBy.join(" / ")}</td>
              <td>${c.timeouts}</td>
              <td>${c.errors}</td>
              <td>${c.posts}</td>
              <td>${c.accepted}</td>
              <td class="${c.rejectRatePct > 50 ? "bad" : ""}">${c.rejectRatePct}%</td>
              <td>${c.pingToPostPct}%</td>
              <td>${c.latencyP50 ?? "–"} / ${c.latencyP95 ?? "–"} ms</td>
              <td>${dollars(c.revenueCents)}</td>
              <td class="${c.breaker === "closed" ? "ok" : "bad"}">${c.breaker}</td>
            </tr>`,
        )}
      </table>
      <div class="grid">
        <div>
          <h2>Reject and error reasons</h2>
          <table id="reasons">
            <tr>
              <th>contract</th>
              <th>outcome</th>
              <th>reason</th>
              <th>count</th>
            </tr>
            ${f.reasons.map(
              (r) =>
                html`<tr>
                  <td>${r.contract}</td>
                  <td>${r.outcome}</td>
                  <td style="white-space:normal;text-align:left">${r.reason}</td>
                  <td>${r.n}</td>
                </tr>`,
            )}
          </table>
        </div>
        <div>
          <h2>Cap headroom (today)</h2>
          <table id="caps">
            <tr>
              <th>contract</th>
              <th>buyer</th>
              <th>used / cap</th>
              <th>left</th>
            </tr>
            ${caps.map(
              (c) =>
                html`<tr>
                  <td>${c.contract}</td>
                  <td>${c.buyer}</td>
                  <td>${c.day}</td>
                  <td>${c.left ?? "–"}</td>
                </tr>`,
            )}
          </table>
        </div>
      </div>
      <div class="grid">
        <div>
          <h2>Returns</h2>
          <div class="tiles" id="returns">
            ${tile("approved", String(f.returns.approved))}${tile("pending", String(f.returns.pending))}${tile("denied", String(f.returns.denied))}${tile("credited", dollars(f.returns.creditedCents))}
          </div>
        </div>
        <div>
          <h2>Experiments</h2>
          <table id="experiments">
            <tr>
              <th>experiment</th>
              <th>campaign</th>
              <th>variant: leads (sold)</th>
            </tr>
            ${f.experiments.map(
              (e) =>
                html`<tr>
                  <td>${e.name} <code>${e.id}</code></td>
                  <td>${e.campaign}</td>
                  <td>${e.variants.map((v) => `${v.name}: ${v.leads} (${v.sold})`).join(" · ")}</td>
                </tr>`,
            )}
          </table>
        </div>
      </div>
      ${groupTable("Campaigns", f.campaigns)}${groupTable("Sources", f.sources)} ${recentTable(f, true)}`,
    { admin: true, span: f.range.span },
  );
}

/** A publisher's own view: its leads, earnings and latest leads; nothing about buyers. */
export function sourcePage(name: string, f: Figures): Html {
  return layout(
    name,
    html`<p>Your leads, ${f.range.span === "hour" ? "the last hour" : "the last 24 hours"}.</p>
      ${totalsTiles(f)}
      <h2>Leads per ${f.range.span === "hour" ? "minute" : "hour"}, by status</h2>
      <div class="chart" id="chart-leads"></div>
      ${chartData(f)}${recentTable(f, false)}`,
    { admin: false },
  );
}

export function tracePage(t: FullTrace): Html {
  return layout(
    t.lead_id,
    html`<h2>Lead <code>${t.lead_id}</code>: ${t.status}</h2>
      <div class="tiles">
        ${tile("price", `$${t.price.toFixed(2)}`)}${tile("payout", `$${t.payout.toFixed(2)}`)}${tile("buyer", t.buyer ?? "–")}${tile("retries", String(t.retries))}${tile("received", t.received_at.slice(0, 19))}${tile("source", t.source)}
      </div>
      ${t.reason ? html`<p>Reason: ${t.reason}</p>` : ""}
      <h2>Events</h2>
      <table id="events">
        <tr>
          <th>at</th>
          <th>event</th>
          <th>detail</th>
        </tr>
        ${t.trace.events.map(
          (e) =>
            html`<tr>
              <td>${e.at.slice(11, 23)}</td>
              <td>${e.kind}</td>
              <td style="text-align:left"><code>${JSON.stringify(e.detail)}</code></td>
            </tr>`,
        )}
      </table>
      <h2>Pings</h2>
      <table id="pings">
        <tr>
          <th>buyer</th>
          <th>attempt</th>
          <th>outcome</th>
          <th>bid</th>
          <th>effective</th>
          <th>latency</th>
          <th>reason</th>
        </tr>
        ${t.trace.pings.map(
          (p) =>
            html`<tr>
              <td>${p.buyer ?? p.contract}</td>
              <td>${p.attempt}</td>
              <td>${p.outcome}</td>
              <td>${p.bid ?? "–"}</td>
              <td>${p.effective_bid ?? "–"}</td>
              <td>${p.latency_ms ?? "–"}</td>
              <td style="text-align:left">${p.reason ?? ""}</td>
            </tr>`,
        )}
      </table>
      <h2>Posts</h2>
      <table id="posts">
        <tr>
          <th>buyer</th>
          <th>attempt</th>
          <th>outcome</th>
          <th>price</th>
          <th>HTTP</th>
          <th>latency</th>
          <th>reason</th>
        </tr>
        ${t.trace.posts.map(
          (p) =>
            html`<tr>
              <td>${p.buyer ?? p.contract}</td>
              <td>${p.attempt}</td>
              <td>${p.outcome}</td>
              <td>${p.price}</td>
              <td>${p.http_status ?? "–"}</td>
              <td>${p.latency_ms ?? "–"}</td>
              <td style="text-align:left">${p.reason ?? ""}</td>
            </tr>`,
        )}
      </table>
      <p><a href="/console">← overview</a></p>`,
  );
}

export function loginPage(kind: "admin" | "source", error?: string): Html {
  const label = kind === "admin" ? "Admin token" : "Your source API key";
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>leadgate console</title>
        <link rel="icon" href="data:," />
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <main>
          <h2>leadgate console${kind === "source" ? " for publishers" : ""}</h2>
          ${error ? html`<p class="bad">${error}</p>` : ""}
          <form class="login" method="post" action="${kind === "admin" ? "/console/login" : "/console/source/login"}">
            <label for="token">${label}</label>
            <input id="token" name="token" type="password" autocomplete="current-password" required /><button type="submit">Log in</button>
          </form>
          ${kind === "admin" ? html`<p><a href="/console/source/login">Publishers: log in with your API key</a></p>` : ""}
        </main>
      </body>
    </html>`;
}

/** The console's own script: draws the charts from the embedded figures. */
export const CONSOLE_JS = `(function () {
  var el = document.getElementById("figures");
  if (!el || typeof uPlot === "undefined") return;
  var f = JSON.parse(el.textContent);
  var colors = { sold: "#067647", unsold: "#9aa5b1", pending: "#f79009", duplicate: "#6941c6", rejected: "#b42318", pings: "#0b6bcb", bids: "#067647", timeouts: "#b42318" };
  function draw(id, names) {
    var box = document.getElementById(id);
    if (!box) return;
    var series = [{}].concat(names.map(function (n) { return { label: n, stroke: colors[n], width: 2 }; }));
    var data = [f.x].concat(names.map(function (n) { return f[n] || f.byStatus[n]; }));
    new uPlot({ width: Math.max(300, box.clientWidth - 10), height: 220, series: series, scales: { x: { time: true } } }, data, box);
  }
  draw("chart-leads", ["sold", "unsold", "pending", "duplicate", "rejected"]);
  draw("chart-pings", ["pings", "bids", "timeouts"]);
})();
`;
