// The operator's overview, from the figures (./figures.ts): tiles, the two charts (drawn by uPlot
// from figures embedded as JSON), and one table per concern. A publisher's view is ./source-view.ts.
import { html, raw } from "hono/html";
import type { FailingSubscription } from "../db/webhooks";
import { BID_BUCKET_LABELS, type Figures } from "./figures";
import { dollars, layout, table, tile, time, type Html } from "./layout";

export interface CapRow {
  contract: string;
  buyer: string;
  day: string;
  left: number | null;
}

function totalsTiles(f: Figures): Html {
  const t = f.totals;
  return html`<div class="tiles">
${tile("leads", String(t.leads))}${tile("sold", String(t.sold))}${tile("sell-through", `${t.sellThroughPct}%`)}
${tile("revenue", dollars(t.revenueCents))}${tile("payout", dollars(t.payoutCents))}${tile("margin", dollars(t.marginCents))}
${tile("revenue / lead", dollars(t.revenuePerLeadCents))}${tile("payout / lead", dollars(t.payoutPerLeadCents))}${tile("margin / lead", dollars(t.marginPerLeadCents))}
</div>`;
}

/** The figures the charts draw, embedded as JSON (not script): `<` is escaped so no value can close the element. */
export const chartData = (f: { series: { buckets: number[] } }) =>
  raw(
    `<script type="application/json" id="figures">${JSON.stringify({ x: f.series.buckets.map((b) => b / 1000), ...f.series }).replace(/</g, "\\u003c")}</script>`,
  );

export const leadsChart = (f: { range: { span: string } }) =>
  html`<h2>Leads per ${f.range.span === "hour" ? "minute" : "hour"}, by status</h2><div class="chart" id="chart-leads"></div>`;

function alerts(f: Figures): Html {
  return html`${
    f.problems.length
      ? html`<div class="alert" id="problems"><b>Rules that do not validate (disabled until fixed):</b><ul>${f.problems.map((p) => html`<li><code>${p.table} ${p.id} ${p.column}</code>: ${p.message}</li>`)}</ul></div>`
      : ""
  }
${
  f.breakers.length
    ? html`<div class="alert" id="breakers"><b>Paused by the circuit breaker:</b><ul>${f.breakers.map((b) => html`<li><code>${b.contract}</code> (${b.buyer}) ${b.state}: ${b.reason ?? ""}</li>`)}</ul></div>`
    : ""
}`;
}

const CONTRACT_HEAD = ["contract", "buyer", "pings", "bid rate", "avg bid", `bids ${BID_BUCKET_LABELS.join(" / ")}`, "timeouts", "errors"];

function contractsTable(f: Figures): Html {
  const head = [...CONTRACT_HEAD, "posts", "accepted", "reject rate", "ping-to-post", "latency p50 / p95", "revenue", "breaker"];
  return table(
    "contracts",
    head,
    f.contracts,
    (c) => [
      c.id,
      c.buyer,
      c.pings,
      `${c.bidRatePct}%`,
      c.avgBidCents === null ? "–" : dollars(c.avgBidCents),
      c.bidsBy.join(" / "),
      c.timeouts,
      c.errors,
      c.posts,
      c.accepted,
      { v: `${c.rejectRatePct}%`, cls: c.rejectRatePct > 50 ? "bad" : "" },
      `${c.pingToPostPct}%`,
      `${c.latencyP50 ?? "–"} / ${c.latencyP95 ?? "–"} ms`,
      dollars(c.revenueCents),
      { v: c.breaker, cls: c.breaker === "closed" ? "ok" : "bad" },
    ],
    `No buyer was pinged in this span. Contracts appear here once leads reach them (the ${f.range.span === "hour" ? "last 24 h" : "last hour"} may have some).`,
  );
}

function reasonsAndCaps(f: Figures, caps: CapRow[]): Html {
  const reasons = table(
    "reasons",
    ["contract", "outcome", "reason", "count"],
    f.reasons,
    (r) => [r.contract, r.outcome, { v: r.reason, text: true }, r.n],
    "No rejects, errors or timeouts in this span.",
  );
  const headroom = table(
    "caps",
    ["contract", "buyer", "used / cap", "left"],
    caps,
    (c) => [c.contract, c.buyer, c.day, c.left ?? "–"],
    "No active contract has a cap: set leads per day on a contract's page to see its headroom here.",
  );
  return html`<div class="grid"><div><h2>Reject and error reasons</h2>${reasons}</div>
<div><h2>Cap headroom (today)</h2>${headroom}</div></div>`;
}

function returnsAndExperiments(f: Figures): Html {
  const r = f.returns;
  const experiments = table(
    "experiments",
    ["experiment", "campaign", "variant: leads (sold)"],
    f.experiments,
    (e) => [html`${e.name} <code>${e.id}</code>`, e.campaign, e.variants.map((v) => `${v.name}: ${v.leads} (${v.sold})`).join(" · ")],
    "No experiment is running. Start one from the experiments page to compare routing settings.",
  );
  return html`<div class="grid"><div><h2>Returns</h2><div class="tiles" id="returns">${tile("approved", String(r.approved))}${tile("pending", String(r.pending))}${tile("denied", String(r.denied))}${tile("credited", dollars(r.creditedCents))}</div>
${r.pending ? html`<p><a href="/console/returns">${r.pending} waiting for a decision: review them</a></p>` : ""}</div>
<div><h2>Experiments</h2>${experiments}</div></div>`;
}

/** Resale revenue apart from first sales (its revenue is in the lead figures too, by the lead's day). */
function resalesSection(f: Figures): Html {
  const r = f.resales;
  const cents = (d: number) => dollars(Math.round(d * 100));
  const head = (first: string) => [first, "offers", "sold", "unsold", "skipped", "revenue", "payout", "margin"];
  type Line = Record<"offers" | "sold" | "unsold" | "skipped" | "revenue" | "payout" | "margin", number>;
  const line = (x: Line) => [x.offers, x.sold, x.unsold, x.skipped, cents(x.revenue), cents(x.payout), cents(x.margin)];
  const byReason = table("resale-reasons", head("reason"), r.by_reason, (x) => [x.reason, ...line(x)]);
  const byTier = table("resale-tiers", head("age tier"), r.by_tier, (x) => [x.tier_days ? `${x.tier_days} days` : "returned", ...line(x)]);
  return html`<h2>Resales</h2><div class="tiles" id="resales">${tile("resale revenue", cents(r.totals.revenue))}${tile("returned again", cents(r.totals.returned))}${tile("net", cents(r.totals.net_revenue))}${tile("sold / offers", `${r.totals.sold} / ${r.totals.offers}`)}</div>
<div class="grid"><div><h3>By reason</h3>${byReason}</div><div><h3>By age tier</h3>${byTier}</div></div>`;
}

function groupTable(title: string, rows: Figures["campaigns"]): Html {
  const head = [title.slice(0, -1), "leads", "sold", "sell-through", "revenue", "payout", "margin / lead"];
  const body = table(
    title.toLowerCase(),
    head,
    rows,
    (r) => [
      r.name,
      r.leads,
      r.sold,
      `${r.sellThroughPct}%`,
      dollars(r.revenueCents),
      dollars(r.payoutCents),
      dollars(r.marginPerLeadCents),
    ],
    `No leads in this span, so no ${title.toLowerCase()} to show.`,
  );
  return html`<h2>${title}</h2>${body}`;
}

function recentTable(f: Figures): Html {
  const head = ["lead", "received", "campaign", "source", "status", "price", "payout"];
  const body = table(
    "recent",
    head,
    f.recent,
    (l) => [
      html`<a href="/console/leads/${l.id}">${l.id}</a>`,
      time(l.at),
      l.campaign,
      l.source,
      l.status,
      dollars(l.priceCents),
      dollars(l.payoutCents),
    ],
    "No leads in this span yet: submit the demo form (http://localhost:8080 with npm start) or post one with curl (README).",
  );
  return html`<h2>Latest leads</h2>${body}`;
}

/** Webhook subscriptions whose receivers are failing: the admin API has their delivery logs. */
function failingWebhooks(hooks: FailingSubscription[]): Html {
  if (hooks.length === 0) return html``;
  const rows = table(
    "webhooks",
    ["subscription", "receiver", "failed in a row", "last error", "last failure", "pending", "gave up (24 h)"],
    hooks,
    (h) => [
      html`<code>${h.id}</code>${h.status === "paused" ? " (paused)" : ""}`,
      { v: hostOf(h.url), text: true },
      { v: h.failures, cls: h.failures > 0 ? "bad" : "" },
      { v: h.last_error ?? "–", text: true },
      h.last_failure_at === null ? "–" : time(h.last_failure_at),
      h.pending,
      { v: h.failed_24h, cls: h.failed_24h > 0 ? "bad" : "" },
    ],
  );
  return html`<div class="alert"><b>Webhook subscriptions that are failing</b> (GET /admin/webhooks/{id}/deliveries has each one's log)</div>${rows}`;
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 60);
  }
};

export function overviewPage(f: Figures, caps: CapRow[], hooks: FailingSubscription[] = []): Html {
  return layout(
    "Overview",
    html`${alerts(f)}
${failingWebhooks(hooks)}
${totalsTiles(f)}
<div class="grid"><div>${leadsChart(f)}</div>
<div><h2>Pings, bids and timeouts</h2><div class="chart" id="chart-pings"></div></div></div>
${chartData(f)}
<h2>Buyers (contracts)</h2>
${contractsTable(f)}
${reasonsAndCaps(f, caps)}
${returnsAndExperiments(f)}
${resalesSection(f)}
${groupTable("Campaigns", f.campaigns)}${groupTable("Sources", f.sources)}
${recentTable(f)}`,
    { admin: true, span: f.range.span },
  );
}
