// A publisher's own console view: its leads, their statuses and its payouts, over the last hour or
// day. Built from its own figures (db/figures.ts sourceRows), never from the operator's: what buyers
// paid, the exchange's revenue and margin, and who bought are not read, so no page change can show them.
import { html } from "hono/html";
import type { SourceRows } from "../db/figures";
import type { Records } from "../db/records";
import type { Rules } from "../rules/model";
import { leadSeries, pct, per, rangeOf, type Figures, type Range, type Span } from "./figures";
import { dollars, layout, table, tile, time, type Html } from "./layout";
import { chartData, leadsChart } from "./overview";

export interface SourceFigures {
  range: Range;
  totals: { leads: number; sold: number; sellThroughPct: number; payoutCents: number; payoutPerLeadCents: number };
  /** Approved returns of its leads decided in the range, and the payout they took back. */
  returned: { n: number; clawbackCents: number };
  series: Pick<Figures["series"], "buckets" | "byStatus">;
  recent: { id: string; campaign: string; status: string; payoutCents: number; at: number }[];
}

/** The publisher's figures, from its rows. Pure. */
export function sourceFigures(range: Range, rows: SourceRows, rules: Rules): SourceFigures {
  const leads = rows.leads.reduce((a, l) => a + l.n, 0);
  const sold = rows.leads.filter((l) => l.status === "sold").reduce((a, l) => a + l.n, 0);
  const payoutCents = rows.leads.reduce((a, l) => a + l.payout, 0);
  return {
    range,
    totals: { leads, sold, sellThroughPct: pct(sold, leads), payoutCents, payoutPerLeadCents: per(payoutCents, leads) },
    returned: rows.returned,
    series: leadSeries(range, rows.leads),
    recent: rows.recent.map((l) => ({
      id: l.id,
      campaign: rules.campaignsById.get(l.campaign_id)?.slug ?? l.campaign_id,
      status: l.status,
      payoutCents: l.payout_cents,
      at: l.created_at,
    })),
  };
}

export async function loadSourceFigures(
  records: Records,
  rules: Rules,
  span: Span,
  sourceId: string,
  now = Date.now(),
): Promise<SourceFigures> {
  const range = rangeOf(span, now);
  return sourceFigures(range, await records.figures.sourceRows(range, sourceId), rules);
}

/** Links to the publisher's own exports (src/http/routes/exports.ts): the last day and the last 30. */
function downloads(to: number): Html {
  const since = (days: number) => new Date(to - days * 86_400_000).toISOString();
  const link = (kind: string, days: number, format: string) =>
    html`<a href="/console/source/exports/${kind}?from=${since(days)}&amp;format=${format}">${kind}, last ${days === 1 ? "24 h" : `${days} days`} (${format.toUpperCase()})</a>`;
  return html`<h2>Download</h2><p id="downloads">${link("leads", 1, "csv")} · ${link("leads", 30, "csv")} · ${link("leads", 30, "ndjson")} · ${link("returns", 30, "csv")}</p>`;
}

export function sourcePage(name: string, f: SourceFigures): Html {
  const t = f.totals;
  const tiles = html`<div class="tiles" id="totals">
${tile("leads", String(t.leads))}${tile("sold", String(t.sold))}${tile("sell-through", `${t.sellThroughPct}%`)}
${tile("payout", dollars(t.payoutCents))}${tile("payout / lead", dollars(t.payoutPerLeadCents))}
${tile("returned", String(f.returned.n))}${tile("clawed back", dollars(f.returned.clawbackCents))}
</div>`;
  const recent = table("recent", ["lead", "received", "campaign", "status", "payout"], f.recent, (l) => [
    l.id,
    time(l.at),
    l.campaign,
    l.status,
    dollars(l.payoutCents),
  ]);
  return layout(
    name,
    html`<p>Your leads, ${f.range.span === "hour" ? "the last hour" : "the last 24 hours"}: what you were paid, nothing about buyers.</p>
${tiles}
${leadsChart(f)}${chartData(f)}<h2>Latest leads</h2>${recent}
${downloads(f.range.to)}`,
    { admin: false },
  );
}
