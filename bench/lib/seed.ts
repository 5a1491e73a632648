// Benchmark rules, with production-like settings (30-day campaign and buyer dedupe, and a daily cap
// on every buyer, so every lead pays for its dedupe and cap bookkeeping): latency campaigns with 5/20/50/100 buyers, and a simulated market sold once by
// auction and once by waterfall, to the same buyers (separate contracts, so separate caps).
import { createHash } from "node:crypto";
import { DEMO_FIELDS } from "../../demo/seed";
import type { Behaviour } from "../../demo/constants";
import { capacityBehaviours, capacitySeed } from "./capacity";
import { harvestBehaviours, harvestSeed } from "./harvest-market";
import { priceRuleBehaviours, priceRuleSeed } from "./price-rules";
import { resaleBehaviours, resaleSeed } from "./resale-market";

export const BENCH_KEY = "bench-key";
export const BENCH_SECRET = "bench-shared-secret-0123456789";
export const SIZES = [5, 20, 50, 100] as const;
export const BUYER_LATENCY_MS = 50;

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Simulated market: private value per lead (dollars), reject probability, daily cap. */
export const MARKET = [
  { value: 31, reject: 0.5, cap: 40 },
  { value: 27, reject: 0.45, cap: 60 },
  { value: 24, reject: 0.4, cap: null },
  { value: 22, reject: 0.35, cap: null },
  { value: 20, reject: 0.3, cap: 80 },
  { value: 17, reject: 0.3, cap: null },
  { value: 15, reject: 0.25, cap: null },
  { value: 12, reject: 0.2, cap: null },
  { value: 9, reject: 0.2, cap: null },
  { value: 7, reject: 0.15, cap: null },
];
export const MARKET_FLOOR_CENTS = 1000;

/**
 * The returns market (issue #15): buyers whose bids and return rates differ. Sold by one campaign
 * running an experiment: half its leads ranked by raw bid, half by bid x quality score.
 */
export const RETURNS_MARKET = [
  { bid: 30, returnRate: 0.6 },
  { bid: 24, returnRate: 0.05 },
  { bid: 20, returnRate: 0.05 },
];

export function benchBehaviours(): Record<string, Behaviour> {
  const out: Record<string, Behaviour> = {};
  for (const n of SIZES)
    for (let i = 0; i < n; i++)
      out[`n${n}b${i}`] = { bid: 5 + ((i * 37) % 20), bidSpread: 3, pingLatencyMs: BUYER_LATENCY_MS, postLatencyMs: BUYER_LATENCY_MS };
  MARKET.forEach((m, i) => {
    out[`mk${i}`] = { bid: m.value, bidSpread: m.value * 0.25, pingLatencyMs: 40 + i * 8, postLatencyMs: 60, rejectRate: m.reject };
  });
  RETURNS_MARKET.forEach((m, i) => {
    out[`qr${i}`] = { bid: m.bid, pingLatencyMs: 40, postLatencyMs: 40 };
  });
  return { ...out, ...harvestBehaviours(), ...capacityBehaviours(), ...priceRuleBehaviours(BUYER_LATENCY_MS), ...resaleBehaviours() };
}

export function benchSeed(buyersUrl: string): string[] {
  const stmts: string[] = [
    // The per-key rate limit stays on (its check is part of the cost measured), far above the load.
    `INSERT INTO sources (id, name, api_key_hash, allowed_campaigns, payout_type, payout_value, key_per_minute) VALUES ('src_bench', 'Bench', '${createHash("sha256").update(BENCH_KEY).digest("hex")}', '["*"]', 'share', 7000, 10000000);`,
  ];
  const campaign = (id: string, mode: string, floor: number, pingTimeout: number) =>
    `INSERT INTO campaigns (id, slug, name, fields, mode, ping_timeout_ms, floor_cents, dedupe_window_s, post_deadline_ms, retry_max_attempts, max_fanout)
     VALUES ('${id}', '${id}', '${id}', ${q(JSON.stringify(DEMO_FIELDS))}, '${mode}', ${pingTimeout}, ${floor}, 2592000, 3000, 0, 100);`;
  const contract = (id: string, buyer: string, campaignId: string, mock: string, extra: Record<string, string | number> = {}) => {
    const cols = {
      id,
      buyer_id: buyer,
      campaign_id: campaignId,
      name: id,
      ping_url: `${buyersUrl}/b/${mock}/ping`,
      post_url: `${buyersUrl}/b/${mock}/post`,
      secret: BENCH_SECRET,
      timeout_ms: 1000,
      timezone: "UTC",
      ...extra,
    };
    return `INSERT INTO contracts (${Object.keys(cols).join(", ")}) VALUES (${Object.values(cols)
      .map((v) => (typeof v === "number" ? v : q(v)))
      .join(", ")});`;
  };
  for (const n of SIZES) {
    stmts.push(campaign(`lat-${n}`, "auction", 0, 1000));
    for (let i = 0; i < n; i++) {
      stmts.push(`INSERT INTO buyers (id, name) VALUES ('buy_n${n}b${i}', 'n${n}b${i}');`);
      stmts.push(contract(`ct_n${n}b${i}`, `buy_n${n}b${i}`, `lat-${n}`, `n${n}b${i}`, { cap_day: 1_000_000 }));
    }
  }
  stmts.push(
    campaign("market-auction", "auction", MARKET_FLOOR_CENTS, 1000),
    campaign("market-waterfall", "waterfall", MARKET_FLOOR_CENTS, 1000),
  );
  MARKET.forEach((m, i) => {
    stmts.push(`INSERT INTO buyers (id, name) VALUES ('buy_mk${i}', 'mk${i}');`);
    // The waterfall orders its tiers by expected price, as ping trees usually are.
    const extra = { priority: MARKET.length - i, ...(m.cap ? { cap_day: m.cap } : {}) };
    stmts.push(contract(`ct_mka${i}`, `buy_mk${i}`, "market-auction", `mk${i}`, extra));
    stmts.push(contract(`ct_mkw${i}`, `buy_mk${i}`, "market-waterfall", `mk${i}`, extra));
  });
  stmts.push(...harvestSeed((id) => campaign(id, "auction", MARKET_FLOOR_CENTS, 1000), contract));
  stmts.push(...capacitySeed((id) => campaign(id, "auction", MARKET_FLOOR_CENTS, 1000), contract));
  stmts.push(...priceRuleSeed((id) => campaign(id, "auction", 0, 1000), contract));
  stmts.push(...resaleSeed((id) => campaign(id, "auction", MARKET_FLOOR_CENTS, 1000), contract));
  stmts.push(campaign("market-returns", "auction", MARKET_FLOOR_CENTS, 1000));
  RETURNS_MARKET.forEach((_, i) => {
    stmts.push(`INSERT INTO buyers (id, name) VALUES ('buy_qr${i}', 'qr${i}');`);
    // Returns are allowed without a cap here: the buyer's return rate is the market's, not the contract's.
    stmts.push(contract(`ct_qr${i}`, `buy_qr${i}`, "market-returns", `qr${i}`, { return_cap_bps: 10_000, cap_day: 1_000_000 }));
  });
  stmts.push(
    `INSERT INTO experiments (id, campaign_id, name, variants, started_at) VALUES ('exp_quality', 'market-returns', 'raw bid vs quality weighting', ${q(
      JSON.stringify([
        { name: "raw", share: 1, settings: { quality_weighting: false } },
        { name: "quality", share: 1, settings: { quality_weighting: true } },
      ]),
    )}, 0);`,
  );
  return stmts;
}

let seq = Math.floor(Math.random() * 1_000_000);
/** A valid lead for a consumer not seen before in this run. */
export function benchLead(campaign: string): Record<string, unknown> {
  const n = seq++;
  const areas = ["415", "212", "312", "713", "305", "206", "617", "303"];
  const area = areas[Math.floor(n / 7_000_000) % areas.length];
  const m = n % 7_000_000;
  return {
    campaign,
    first_name: "Bench",
    last_name: "Lead",
    email: `bench.${n}@example.com`,
    phone: `(${area}) ${200 + Math.floor(m / 10_000)}-${String(m % 10_000).padStart(4, "0")}`,
    zip: "94107",
    state: "CA",
    dob: "1985-03-02",
    homeowner: n % 2 === 0,
    vehicle_year: 2015 + (n % 10),
    credit: ["excellent", "good", "fair", "poor"][n % 4],
  };
}
