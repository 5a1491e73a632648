// One lead's full trace for an operator: its outcome, every event, ping and post.
import { html } from "hono/html";
import type { FullTrace } from "../db/trace";
import { layout, table, tile, type Html } from "./layout";

export function tracePage(t: FullTrace): Html {
  const { events, pings, posts } = t.trace;
  const eventRows = table("events", ["at", "event", "detail"], events, (e) => [
    e.at.slice(11, 23),
    e.kind,
    { v: html`<code>${JSON.stringify(e.detail)}</code>`, text: true },
  ]);
  const pingRows = table("pings", ["buyer", "attempt", "outcome", "bid", "effective", "latency", "reason"], pings, (p) => [
    p.buyer ?? p.contract,
    p.attempt,
    p.outcome,
    p.bid ?? "–",
    p.effective_bid ?? "–",
    p.latency_ms ?? "–",
    { v: p.reason ?? "", text: true },
  ]);
  const postRows = table("posts", ["buyer", "attempt", "outcome", "price", "HTTP", "latency", "reason"], posts, (p) => [
    p.buyer ?? p.contract,
    p.attempt,
    p.outcome,
    p.price,
    p.http_status ?? "–",
    p.latency_ms ?? "–",
    { v: p.reason ?? "", text: true },
  ]);
  return layout(
    t.lead_id,
    html`<h2>Lead <code>${t.lead_id}</code>: ${t.status}</h2>
<div class="tiles">${tile("price", `$${t.price.toFixed(2)}`)}${tile("payout", `$${t.payout.toFixed(2)}`)}${tile("buyer", t.buyer ?? "–")}${tile("retries", String(t.retries))}${tile("received", t.received_at.slice(0, 19))}${tile("source", t.source)}</div>
${t.reason ? html`<p>Reason: ${t.reason}</p>` : ""}
<h2>Events</h2>${eventRows}
<h2>Pings</h2>${pingRows}
<h2>Posts</h2>${postRows}<p><a href="/console">← overview</a></p>`,
  );
}
