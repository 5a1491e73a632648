// npm run bench:console [-- --pings N] — the console at volume: a local database with N pings
// (1,000,000 by default) spread over the last 24 hours, their leads and their rollups, then the
// console's overview loaded repeatedly for the last hour and the last 24 hours. Prints the timings and
// writes bench/results/console-latest.json (quoted in bench/notes.md, hence docs/PERFORMANCE.md).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { demoSeedStatements } from "../demo/seed";
import { ROOT, wranglerOrDie } from "../scripts/wrangler";
import { numberArg } from "./lib/args";
import { resetBenchDatabase, startGateway, stop } from "./lib/procs";
import { summary } from "./lib/load";

const PINGS = numberArg("pings", 1_000_000);
const LOADS = 20;
const PORT = 8796;
const TOKEN = "bench-console-admin-token-0123456789";
const PERSIST = path.join(ROOT, ".wrangler", "bench-console-state");
const CONTRACTS = ["ct_alpha", "ct_bravo", "ct_charlie", "ct_echo", "ct_golf"];

const now = Date.now();
const day = 86_400_000;
const contractOf = `CASE i % 5 ${CONTRACTS.map((c, k) => `WHEN ${k} THEN '${c}'`).join(" ")} END`;
// Five pings per lead, one lead per five pings, spread evenly over the last 24 hours.
const at = `${now} - (i * ${Math.floor(day / PINGS)})`;
const bulk = [
  `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${PINGS - 1})
   INSERT INTO pings (id, lead_id, contract_id, attempt, outcome, reason, latency_ms, bid_cents, created_at)
   SELECT 'pg_b' || i, 'ld_b' || (i / 5), ${contractOf}, 0, CASE WHEN i % 13 = 0 THEN 'timeout' ELSE 'bid' END, NULL, 40 + (i % 300), 500 + (i % 3000), ${at} FROM n;`,
  `INSERT INTO leads (id, campaign_id, source_id, status, data, meta, price_cents, payout_cents, margin_cents, created_at, updated_at)
   SELECT lead_id, 'cmp_auto', 'src_partner', CASE WHEN MIN(created_at) % 4 = 0 THEN 'unsold' ELSE 'sold' END, '{}', '{}', 1800, 1260, 540, MIN(created_at), MIN(created_at)
   FROM pings WHERE id LIKE 'pg_b%' GROUP BY lead_id;`,
  ...(["m", "h"] as const).map(
    (
      grain,
    ) => `INSERT INTO rollup_contracts (grain, bucket, contract_id, pings, bids, bid_cents, timeouts, lat_0, lat_1, lat_2, lat_3, bid_0, bid_1, bid_2)
   SELECT '${grain}', (CAST(created_at AS INTEGER) / ${grain === "m" ? 60_000 : 3_600_000}) * ${grain === "m" ? 60_000 : 3_600_000}, contract_id, COUNT(*),
          SUM(outcome = 'bid'), SUM(CASE WHEN outcome = 'bid' THEN bid_cents ELSE 0 END), SUM(outcome = 'timeout'),
          SUM(latency_ms <= 50), SUM(latency_ms > 50 AND latency_ms <= 100), SUM(latency_ms > 100 AND latency_ms <= 200), SUM(latency_ms > 200),
          SUM(bid_cents <= 500), SUM(bid_cents > 500 AND bid_cents <= 1000), SUM(bid_cents > 1000)
   FROM pings WHERE id LIKE 'pg_b%' GROUP BY 1, 2, 3;`,
  ),
];

console.log(`seeding ${PINGS.toLocaleString("en")} pings…`);
resetBenchDatabase(demoSeedStatements("http://127.0.0.1:9"), PERSIST);
const file = path.join(ROOT, ".wrangler", "bench-console-bulk.sql");
writeFileSync(file, bulk.join("\n"));
const seeding = Date.now();
wranglerOrDie(["d1", "execute", "DB", "--local", "--persist-to", PERSIST, "--file", file]);
console.log(`seeded in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);

const gateway = await startGateway(PORT, { ADMIN_TOKEN: TOKEN, RULES_TTL_MS: "60000" }, [], PERSIST);
const results: Record<string, ReturnType<typeof summary>> = {};
try {
  for (const span of ["hour", "day"] as const) {
    const times: number[] = [];
    for (let i = 0; i < LOADS + 2; i++) {
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${PORT}/console?span=${span}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const html = await res.text();
      if (res.status !== 200 || !html.includes("ct_alpha")) throw new Error(`console answered ${res.status}`);
      if (i >= 2) times.push(performance.now() - t); // the first loads warm the isolate and the rules
    }
    results[span] = summary(times);
    console.log(`GET /console?span=${span}: ${JSON.stringify(results[span])}`);
  }
} finally {
  await stop(gateway);
}
writeFileSync(
  path.join(ROOT, "bench", "results", "console-latest.json"),
  JSON.stringify({ at: new Date().toISOString(), pings: PINGS, loads: LOADS, ms: results }, null, 2) + "\n",
);
