// The harvesters' market (issue #24): the same three honest buyers sell one campaign alone and another
// beside two buyers that take leads without paying — the top bidder answers every post with a 500,
// the second lets every post hang. Measured: the campaign's sell-through against the clean one's, how
// many posts the two received before their breakers paused them, and whether any buyer was sent one
// consumer twice.
import type { Behaviour } from "../../demo/constants";
import { round1, runLoad } from "./load";

export const HONEST = [
  { name: "hv0", bid: 20 },
  { name: "hv1", bid: 18 },
  { name: "hv2", bid: 15 },
];
export const HARVESTERS: { name: string; bid: number; post: "error_500" | "hang" }[] = [
  { name: "h500", bid: 40, post: "error_500" },
  { name: "hhang", bid: 35, post: "hang" },
];
/** The breaker's min samples for the harvesters' contracts: the bound their posts are held to. */
export const HARVEST_MIN_SAMPLES = 10;

export function harvestBehaviours(): Record<string, Behaviour> {
  const out: Record<string, Behaviour> = {};
  for (const h of HONEST) out[h.name] = { bid: h.bid, bidSpread: 2, pingLatencyMs: 40, postLatencyMs: 40, rejectRate: 0.1 };
  for (const h of HARVESTERS) out[h.name] = { bid: h.bid, pingLatencyMs: 40, postLatencyMs: 40, post: h.post };
  return out;
}

/** The two campaigns: `harvest-clean` (honest buyers only) and `harvest-bad` (the same, plus the harvesters). */
export function harvestSeed(
  campaign: (id: string) => string,
  contract: (id: string, buyer: string, campaignId: string, mock: string, extra?: Record<string, number>) => string,
): string[] {
  const stmts = [campaign("harvest-clean"), campaign("harvest-bad")];
  for (const h of [...HONEST, ...HARVESTERS]) stmts.push(`INSERT INTO buyers (id, name) VALUES ('buy_${h.name}', '${h.name}');`);
  for (const h of HONEST) {
    stmts.push(contract(`ct_${h.name}_clean`, `buy_${h.name}`, "harvest-clean", h.name));
    stmts.push(contract(`ct_${h.name}_bad`, `buy_${h.name}`, "harvest-bad", h.name));
  }
  for (const h of HARVESTERS)
    stmts.push(contract(`ct_${h.name}`, `buy_${h.name}`, "harvest-bad", h.name, { breaker_min_samples: HARVEST_MIN_SAMPLES }));
  return stmts;
}

type Query = <T>(sql: string) => Promise<T[]>;

export interface HarvestResult {
  leads_per_campaign: number;
  sell_through_clean: number;
  sell_through_bad: number;
  /** sell_through_bad / sell_through_clean, in percent. */
  relative_pct: number;
  posts_received: Record<string, number>;
  bound: number;
  /** Buyer and consumer pairs sent the full lead more than once (0 is the promise). */
  repeat_posts: number;
  e2e_p50_ms: { clean: number; bad: number };
}

export async function runHarvestMarket(
  url: string,
  leads: number,
  headers: Record<string, string>,
  lead: (campaign: string) => Record<string, unknown>,
  query: Query,
): Promise<HarvestResult> {
  const concurrency = 4;
  const run = (campaign: string) => runLoad({ url, count: leads, concurrency, body: () => lead(campaign), headers });
  const clean = await run("harvest-clean");
  const bad = await run("harvest-bad");
  const sellThrough = (r: Awaited<ReturnType<typeof run>>) => {
    const ok = r.samples.filter((s) => s.status === 200);
    return round1((100 * ok.filter((s) => s.body.status === "sold").length) / Math.max(1, ok.length));
  };
  const p50 = (r: Awaited<ReturnType<typeof run>>) =>
    [...r.samples.map((s) => s.ms)].sort((a, b) => a - b)[Math.floor(r.samples.length / 2)] ?? 0;
  const received = await query<{ contract_id: string; n: number }>(
    `SELECT contract_id, COUNT(*) AS n FROM posts WHERE contract_id IN (${HARVESTERS.map((h) => `'ct_${h.name}'`).join(",")}) AND outcome IN ('accepted','rejected','error','timeout') GROUP BY contract_id`,
  );
  const repeats = await query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM (SELECT c.buyer_id, l.phone_hash FROM posts p JOIN leads l ON l.id = p.lead_id JOIN contracts c ON c.id = p.contract_id
       WHERE l.campaign_id IN ('harvest-clean','harvest-bad') AND p.outcome IN ('accepted','rejected','error','timeout')
       GROUP BY c.buyer_id, l.phone_hash HAVING COUNT(*) > 1)`,
  );
  const [st, sb] = [sellThrough(clean), sellThrough(bad)];
  return {
    leads_per_campaign: leads,
    sell_through_clean: st,
    sell_through_bad: sb,
    relative_pct: round1((100 * sb) / Math.max(0.1, st)),
    posts_received: Object.fromEntries(
      HARVESTERS.map((h) => [h.name, Number(received.find((r) => r.contract_id === `ct_${h.name}`)?.n ?? 0)]),
    ),
    bound: HARVEST_MIN_SAMPLES + concurrency,
    repeat_posts: Number(repeats[0]?.n ?? 0),
    e2e_p50_ms: { clean: Math.round(p50(clean)), bad: Math.round(p50(bad)) },
  };
}
