// What the console shows, as plain data: lead figures from the leads table (one indexed range per
// page), buyer figures from the per-minute / per-hour rollups (never from the pings themselves),
// cap headroom, breakers and broken rules from the rules, and the latest leads.
import type { FigureRows, LeadBucket } from "../db/figures";
import type { Records } from "../db/records";
import { BID_BOUNDS, COUNTERS, HOUR, histogramPercentile, LATENCY_BOUNDS, MINUTE, type RollupRow } from "../db/rollups";
import type { Rules } from "../rules/model";

export type Span = "hour" | "day";

export interface Range {
  span: Span;
  grain: "m" | "h";
  step: number;
  from: number;
  to: number;
}

export function rangeOf(span: Span, now = Date.now()): Range {
  const step = span === "hour" ? MINUTE : HOUR;
  const to = now - (now % step) + step;
  return { span, grain: span === "hour" ? "m" : "h", step, from: to - (span === "hour" ? 60 : 24) * step, to };
}

const STATUSES = ["sold", "unsold", "pending", "duplicate", "rejected", "erased"] as const;

export interface Totals {
  leads: number;
  sold: number;
  sellThroughPct: number;
  revenueCents: number;
  payoutCents: number;
  marginCents: number;
  revenuePerLeadCents: number;
  payoutPerLeadCents: number;
  marginPerLeadCents: number;
}

export interface GroupRow extends Totals {
  id: string;
  name: string;
}

export interface ContractFigures {
  id: string;
  buyer: string;
  pings: number;
  bids: number;
  bidRatePct: number;
  avgBidCents: number | null;
  bidsBy: number[];
  timeouts: number;
  errors: number;
  posts: number;
  accepted: number;
  rejected: number;
  rejectRatePct: number;
  pingToPostPct: number;
  revenueCents: number;
  latencyP50: number | null;
  latencyP95: number | null;
  breaker: string;
}

export interface Figures {
  range: Range;
  totals: Totals;
  /** Bucket starts, and per status the leads per bucket (for the chart). */
  series: { buckets: number[]; byStatus: Record<(typeof STATUSES)[number], number[]>; pings: number[]; bids: number[]; timeouts: number[] };
  campaigns: GroupRow[];
  sources: GroupRow[];
  contracts: ContractFigures[];
  reasons: { contract: string; outcome: string; reason: string; n: number }[];
  recent: { id: string; campaign: string; source: string; status: string; priceCents: number; payoutCents: number; at: number }[];
  breakers: { contract: string; buyer: string; state: string; reason: string | null }[];
  problems: Rules["problems"];
  /** Returns filed in the range, by status, and what the approved ones credited. */
  returns: { approved: number; pending: number; denied: number; creditedCents: number };
  /** Running experiments: leads per variant in the range. */
  experiments: { id: string; name: string; campaign: string; variants: { name: string; leads: number; sold: number }[] }[];
  /** Resale offers that ended in the range, apart from first sales: by reason and by aged tier (dollars). */
  resales: Awaited<ReturnType<Records["reports"]["resaleReport"]>>;
}

export const pct = (n: number, of: number) => (of ? Math.round((1000 * n) / of) / 10 : 0);
export const per = (cents: number, n: number) => (n ? Math.floor(cents / n) : 0);

function totalsOf(rows: { status: string; n: number; price: number; payout: number; margin: number }[]): Totals {
  const leads = rows.reduce((a, r) => a + r.n, 0);
  const sold = rows.filter((r) => r.status === "sold").reduce((a, r) => a + r.n, 0);
  const sum = (k: "price" | "payout" | "margin") => rows.reduce((a, r) => a + r[k], 0);
  const [revenueCents, payoutCents, marginCents] = [sum("price"), sum("payout"), sum("margin")];
  return {
    leads,
    sold,
    sellThroughPct: pct(sold, leads),
    revenueCents,
    payoutCents,
    marginCents,
    revenuePerLeadCents: per(revenueCents, leads),
    payoutPerLeadCents: per(payoutCents, leads),
    marginPerLeadCents: per(marginCents, leads),
  };
}

/** Rollup rows of a range summed per contract, with the figures derived from them. Pure. */
export function contractFigures(rows: RollupRow[], rules: Rules): ContractFigures[] {
  const by = new Map<string, RollupRow>();
  for (const r of rows) {
    const acc = by.get(r.contract_id);
    if (!acc) {
      by.set(r.contract_id, { ...r, latency: [...r.latency], bidsBy: [...r.bidsBy] });
      continue;
    }
    for (const k of COUNTERS) acc[k] += r[k];
    r.latency.forEach((v, i) => (acc.latency[i]! += v));
    r.bidsBy.forEach((v, i) => (acc.bidsBy[i]! += v));
  }
  return [...by.values()]
    .map((r) => {
      const c = rules.contractsById.get(r.contract_id);
      return {
        id: r.contract_id,
        buyer: c?.buyerName ?? "(inactive)",
        pings: r.pings,
        bids: r.bids,
        bidRatePct: pct(r.bids, r.pings),
        avgBidCents: r.bids ? Math.round(r.bid_cents / r.bids) : null,
        bidsBy: r.bidsBy,
        timeouts: r.timeouts,
        errors: r.errors,
        posts: r.posts,
        accepted: r.accepted,
        rejected: r.rejected,
        rejectRatePct: pct(r.rejected, r.accepted + r.rejected),
        pingToPostPct: pct(r.accepted, r.pings),
        revenueCents: r.revenue_cents,
        latencyP50: histogramPercentile(r.latency, LATENCY_BOUNDS, 0.5),
        latencyP95: histogramPercentile(r.latency, LATENCY_BOUNDS, 0.95),
        breaker: c?.health?.state ?? "closed",
      };
    })
    .sort((a, b) => b.revenueCents - a.revenueCents || b.pings - a.pings || (a.id < b.id ? -1 : 1));
}

export const BID_BUCKET_LABELS = [
  ...BID_BOUNDS.map((b, i) => `${i === 0 ? "≤" : `${BID_BOUNDS[i - 1]! / 100}–`}$${b / 100}`),
  `>$${BID_BOUNDS[BID_BOUNDS.length - 1]! / 100}`,
];

/** Leads not final yet show as pending. */
const IN_FLIGHT = ["received", "auctioning"];

/** Per bucket of the range: leads by status (in-flight ones as pending). */
export function leadSeries(
  range: Range,
  leads: Pick<LeadBucket, "bucket" | "status" | "n">[],
): Pick<Figures["series"], "buckets" | "byStatus"> {
  const buckets = Array.from({ length: Math.round((range.to - range.from) / range.step) }, (_, i) => range.from + i * range.step);
  const index = new Map(buckets.map((b, i) => [b, i]));
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, buckets.map(() => 0)])) as Figures["series"]["byStatus"];
  for (const l of leads) {
    const i = index.get(l.bucket);
    const row = byStatus[(IN_FLIGHT.includes(l.status) ? "pending" : l.status) as (typeof STATUSES)[number]];
    if (i !== undefined && row) row[i]! += l.n;
  }
  return { buckets, byStatus };
}

/** Per bucket of the range: leads by status, and the buyers' pings, bids and timeouts. */
function seriesOf(range: Range, leads: LeadBucket[], rollups: RollupRow[]): Figures["series"] {
  const { buckets, byStatus } = leadSeries(range, leads);
  const index = new Map(buckets.map((b, i) => [b, i]));
  const zeros = () => buckets.map(() => 0);
  const [pings, bids, timeouts] = [zeros(), zeros(), zeros()];
  for (const r of rollups) {
    const i = index.get(r.bucket);
    if (i === undefined) continue;
    pings[i]! += r.pings;
    bids[i]! += r.bids;
    timeouts[i]! += r.timeouts;
  }
  return { buckets, byStatus, pings, bids, timeouts };
}

function groupsOf(leads: LeadBucket[], key: "campaign_id" | "source_id", name: (id: string) => string): GroupRow[] {
  const ids = [...new Set(leads.map((l) => l[key]))].sort();
  return ids.map((id) => ({ id, name: name(id), ...totalsOf(leads.filter((l) => l[key] === id)) })).sort((a, b) => b.leads - a.leads);
}

function returnsOf(rows: FigureRows["returns"]): Figures["returns"] {
  return {
    approved: Number(rows.find((r) => r.status === "approved")?.n ?? 0),
    pending: Number(rows.find((r) => r.status === "pending")?.n ?? 0),
    denied: Number(rows.find((r) => r.status === "denied")?.n ?? 0),
    creditedCents: Number(rows.find((r) => r.status === "approved")?.cents ?? 0),
  };
}

function experimentsOf(rules: Rules, variantRows: FigureRows["variants"]): Figures["experiments"] {
  return [...rules.experimentsByCampaign.values()].map((e) => ({
    id: e.id,
    name: e.name,
    campaign: rules.campaignsById.get(e.campaignId)?.slug ?? e.campaignId,
    variants: e.variants.map((v) => {
      const row = variantRows.find((r) => r.experiment_id === e.id && r.variant === v.name);
      return { name: v.name, leads: Number(row?.n ?? 0), sold: Number(row?.sold ?? 0) };
    }),
  }));
}

/** Everything the operator's overview page shows (a publisher's own view is ./source-view.ts). */
export async function loadFigures(records: Records, rules: Rules, span: Span, opts: { now?: number } = {}): Promise<Figures> {
  const range = rangeOf(span, opts.now);
  const [rows, resales] = await Promise.all([records.figures.figureRows(range), records.reports.resaleReport(range)]);
  const leads = rows.leads.map((l) => ({ ...l, status: IN_FLIGHT.includes(l.status) ? "pending" : l.status }));
  return {
    range,
    totals: totalsOf(leads),
    series: seriesOf(range, leads, rows.rollups),
    campaigns: groupsOf(leads, "campaign_id", (id) => rules.campaignsById.get(id)?.name ?? id),
    sources: groupsOf(leads, "source_id", (id) => rules.sourcesById.get(id)?.name ?? id),
    contracts: contractFigures(rows.rollups, rules),
    reasons: rows.reasons.map((r) => ({ contract: r.contract_id, outcome: r.outcome, reason: r.reason, n: Number(r.n) })),
    recent: rows.recent.map((r) => ({
      id: r.id,
      campaign: rules.campaignsById.get(r.campaign_id)?.slug ?? r.campaign_id,
      source: r.source_id,
      status: r.status,
      priceCents: r.price_cents,
      payoutCents: r.payout_cents,
      at: r.created_at,
    })),
    breakers: [...rules.contractsById.values()]
      .filter((c) => c.health && c.health.state !== "closed")
      .map((c) => ({ contract: c.id, buyer: c.buyerName, state: c.health!.state, reason: c.health!.reason })),
    problems: rules.problems,
    returns: returnsOf(rows.returns),
    experiments: experimentsOf(rules, rows.variants),
    resales,
  };
}
