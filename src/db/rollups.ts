// Rollups: per contract, per minute and per hour, the figures the console shows (pings, bids and
// their distribution, latency histogram, posts, rejects, revenue), maintained as each round's records
// are written, so a page reads a few hundred rows however many pings are stored. Written in the same
// D1 batch as the round, at most once per round (a redelivered write finds its marker and adds
// nothing). The aggregation is a pure function of the round's rows.
import type { Db } from "./client";
import type { PingRow, PostRow } from "./schema";

/** Upper bounds of the latency histogram (ms); the last bucket is everything above. */
export const LATENCY_BOUNDS = [50, 100, 200, 400, 800, 1600] as const;
/** Upper bounds of the bid histogram (cents); the last bucket is everything above. */
export const BID_BOUNDS = [500, 1000, 2000, 4000] as const;

export interface ContractRollup {
  contractId: string;
  pings: number;
  bids: number;
  bidCents: number;
  timeouts: number;
  errors: number;
  posts: number;
  accepted: number;
  rejected: number;
  postFailed: number;
  revenueCents: number;
  /** Counts per LATENCY_BOUNDS bucket (+1 overflow), over pings that were answered or timed out. */
  latency: number[];
  /** Counts per BID_BOUNDS bucket (+1 overflow). */
  bidsBy: number[];
}

const bucketOf = (v: number, bounds: readonly number[]) => {
  const i = bounds.findIndex((b) => v <= b);
  return i === -1 ? bounds.length : i;
};

const empty = (contractId: string): ContractRollup => ({
  contractId,
  pings: 0,
  bids: 0,
  bidCents: 0,
  timeouts: 0,
  errors: 0,
  posts: 0,
  accepted: 0,
  rejected: 0,
  postFailed: 0,
  revenueCents: 0,
  latency: Array<number>(LATENCY_BOUNDS.length + 1).fill(0),
  bidsBy: Array<number>(BID_BOUNDS.length + 1).fill(0),
});

/** A round's pings and posts, summed per contract. Pure. */
export function rollupRound(pings: PingRow[], posts: PostRow[]): ContractRollup[] {
  const by = new Map<string, ContractRollup>();
  const of = (id: string) => by.get(id) ?? by.set(id, empty(id)).get(id)!;
  for (const p of pings) {
    if (p.outcome === "skipped") continue;
    const r = of(p.contractId);
    r.pings++;
    if (p.bidCents != null && (p.outcome === "bid" || p.outcome === "below_floor" || p.outcome === "discarded")) {
      r.bids++;
      r.bidCents += p.bidCents;
      r.bidsBy[bucketOf(p.bidCents, BID_BOUNDS)]!++;
    }
    if (p.outcome === "timeout" || p.outcome === "late") r.timeouts++;
    if (p.outcome === "error" || p.outcome === "invalid") r.errors++;
    if (p.latencyMs != null) r.latency[bucketOf(p.latencyMs, LATENCY_BOUNDS)]!++;
  }
  for (const p of posts) {
    const r = of(p.contractId);
    r.posts++;
    if (p.outcome === "accepted") {
      r.accepted++;
      r.revenueCents += p.priceCents;
    } else if (p.outcome === "rejected") r.rejected++;
    else if (p.outcome === "error" || p.outcome === "timeout") r.postFailed++;
  }
  return [...by.values()];
}

/** Reject and failure reasons of a round's posts (and failed pings), counted per contract. Pure. */
export function reasonsOfRound(pings: PingRow[], posts: PostRow[]): [string, string, string, number][] {
  const counts = new Map<string, [string, string, string, number]>();
  const add = (contractId: string, outcome: string, reason: string | null | undefined) => {
    const r = (reason ?? "(none)").slice(0, 120);
    const k = `${contractId}\u0000${outcome}\u0000${r}`;
    const row = counts.get(k) ?? counts.set(k, [contractId, outcome, r, 0]).get(k)!;
    row[3]++;
  };
  for (const p of posts) if (p.outcome !== "accepted") add(p.contractId, p.outcome, p.reason);
  for (const p of pings)
    if (p.outcome === "error" || p.outcome === "invalid" || p.outcome === "timeout") add(p.contractId, p.outcome, p.reason);
  return [...counts.values()];
}

/** The approximate percentile (0..1) of a histogram, as its bucket's upper bound (null: no data). */
export function histogramPercentile(counts: number[], bounds: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= q * total) return i < bounds.length ? bounds[i]! : bounds[bounds.length - 1]! * 2;
  }
  return null;
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** The additive counters of a contract's rollup row (figures sum them over buckets). */
export const COUNTERS = [
  "pings",
  "bids",
  "bid_cents",
  "timeouts",
  "errors",
  "posts",
  "accepted",
  "rejected",
  "post_failed",
  "revenue_cents",
] as const;
const HIST = [
  ...LATENCY_BOUNDS.map((_, i) => `lat_${i}`),
  `lat_${LATENCY_BOUNDS.length}`,
  ...BID_BOUNDS.map((_, i) => `bid_${i}`),
  `bid_${BID_BOUNDS.length}`,
];
const COLUMNS = [...COUNTERS, ...HIST];

const asRow = (r: ContractRollup) => [
  r.contractId,
  r.pings,
  r.bids,
  r.bidCents,
  r.timeouts,
  r.errors,
  r.posts,
  r.accepted,
  r.rejected,
  r.postFailed,
  r.revenueCents,
  ...r.latency,
  ...r.bidsBy,
];

const UPSERT = `INSERT INTO rollup_contracts (grain, bucket, contract_id, ${COLUMNS.join(", ")})
  SELECT ?1, ?2, json_extract(j.value, '$[0]'), ${COLUMNS.map((_, i) => `json_extract(j.value, '$[${i + 1}]')`).join(", ")}
  FROM json_each(?3) AS j
  WHERE (SELECT token FROM rollup_marks WHERE lead_id = ?4 AND attempt = ?5) = ?6
  ON CONFLICT (grain, bucket, contract_id) DO UPDATE SET ${COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`;

const UPSERT_REASONS = `INSERT INTO rollup_reasons (grain, bucket, contract_id, outcome, reason, n)
  SELECT ?1, ?2, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]')
  FROM json_each(?3) AS j
  WHERE (SELECT token FROM rollup_marks WHERE lead_id = ?4 AND attempt = ?5) = ?6
  ON CONFLICT (grain, bucket, contract_id, outcome, reason) DO UPDATE SET n = n + excluded.n`;

/**
 * The statements that add a round to the rollups: a marker for (lead, attempt) and one upsert per
 * grain, guarded by the marker's token so a replayed round adds nothing.
 */
export function rollupStatements(
  db: Db,
  leadId: string,
  attempt: number,
  pings: PingRow[],
  posts: PostRow[],
  now: number,
): D1PreparedStatement[] {
  const rows = rollupRound(pings, posts);
  if (rows.length === 0) return [];
  const token = crypto.randomUUID();
  const json = JSON.stringify(rows.map(asRow));
  const reasons = JSON.stringify(reasonsOfRound(pings, posts));
  return [
    db.$client
      .prepare(`INSERT OR IGNORE INTO rollup_marks (lead_id, attempt, token, at) VALUES (?, ?, ?, ?)`)
      .bind(leadId, attempt, token, now),
    ...(["m", "h"] as const).flatMap((grain) => {
      const bucket = now - (now % (grain === "m" ? MINUTE : HOUR));
      return [
        db.$client.prepare(UPSERT).bind(grain, bucket, json, leadId, attempt, token),
        db.$client.prepare(UPSERT_REASONS).bind(grain, bucket, reasons, leadId, attempt, token),
      ];
    }),
  ];
}

export interface RollupRow extends Record<(typeof COUNTERS)[number], number> {
  bucket: number;
  contract_id: string;
  latency: number[];
  bidsBy: number[];
}

/** Rollup rows of one grain in [from, to), per bucket and contract. */
export async function readRollups(db: Db, grain: "m" | "h", from: number, to: number): Promise<RollupRow[]> {
  const res = await db.$client
    .prepare(
      `SELECT bucket, contract_id, ${COLUMNS.join(", ")} FROM rollup_contracts WHERE grain = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
    )
    .bind(grain, from, to)
    .all<Record<string, number | string>>();
  return res.results.map((r) => {
    const n = (k: string) => Number(r[k] ?? 0);
    const out = { bucket: n("bucket"), contract_id: String(r.contract_id) } as RollupRow;
    for (const c of COUNTERS) out[c] = n(c);
    out.latency = LATENCY_BOUNDS.map((_, i) => n(`lat_${i}`)).concat(n(`lat_${LATENCY_BOUNDS.length}`));
    out.bidsBy = BID_BOUNDS.map((_, i) => n(`bid_${i}`)).concat(n(`bid_${BID_BOUNDS.length}`));
    return out;
  });
}

/** Reasons in [from, to), summed per contract, outcome and reason, most frequent first. */
export async function readReasons(db: Db, grain: "m" | "h", from: number, to: number, limit = 50) {
  const res = await db.$client
    .prepare(
      `SELECT contract_id, outcome, reason, SUM(n) AS n FROM rollup_reasons WHERE grain = ? AND bucket >= ? AND bucket < ?
       GROUP BY contract_id, outcome, reason ORDER BY n DESC LIMIT ?`,
    )
    .bind(grain, from, to, limit)
    .all<{ contract_id: string; outcome: string; reason: string; n: number }>();
  return res.results;
}
