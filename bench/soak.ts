// npm run soak [-- --leads 10000 --concurrency 16 --max-seconds 900]
// Drives leads at a steady concurrency through the gateway (wrangler dev, local bindings) against
// misbehaving loopback buyers — a hung buyer, slow posts, rejects, caps, a fallback tier, repeat
// consumers — waits for the retry queue to finish, then checks the invariants over the database.
// Prints a pass/fail summary and exits 1 if any invariant fails. Bounded in count and in time.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { DEMO_API_KEY, type Behaviour } from "../demo/constants";
import { ROOT } from "../scripts/wrangler";
import { demoSeedStatements } from "../demo/seed";
import { formatInvariants, checkInvariants } from "../src/db/invariants";
import { runLoad, round1, summary } from "./lib/load";
import { queryBenchDatabase, resetBenchDatabase, startBuyers, startGateway, stop } from "./lib/procs";
import { writePerformanceDoc } from "./lib/report";
import { MARKET, MARKET_FLOOR_CENTS, benchLead } from "./lib/seed";
import { numberArg } from "./lib/args";

const LEADS = numberArg("leads", 10_000);
const CONCURRENCY = numberArg("concurrency", 16);
const MAX_SECONDS = numberArg("max-seconds", 900);
// --rtt 80: storage far from the edge (EMULATE_STORAGE_RTT_MS), to check the invariants with it.
const RTT_MS = numberArg("rtt", 0);
const BUYERS_PORT = 8892;
const GW_PORT = 8899;
const buyersUrl = `http://127.0.0.1:${BUYERS_PORT}`;
const log = (s: string) => process.stdout.write(`${s}\n`);

const behaviours: Record<string, Behaviour> = {
  alpha: { bid: 18, bidSpread: 4, pingLatencyMs: 30, postLatencyMs: 40, rejectRate: 0.1 },
  bravo: { bid: 22, bidSpread: 6, pingLatencyMs: 60, postLatencyMs: 200, rejectRate: 0.5 },
  charlie: { ping: "hang" },
  delta: { postLatencyMs: 50, rejectRate: 0.2 },
  echo: { bid: 12, format: "form", pingLatencyMs: 40, postLatencyMs: 40, rejectRate: 0.3 },
  foxtrot: { postLatencyMs: 20 },
};

const seed = [
  ...demoSeedStatements(buyersUrl),
  // Repeat consumers reach the auction (no campaign dedupe), so buyer-level dedupe is exercised.
  "UPDATE campaigns SET dedupe_window_s = 0, ping_timeout_ms = 400, post_deadline_ms = 1500, retry_max_attempts = 2, retry_base_delay_s = 1, sale_window_s = 600;",
  "UPDATE buyers SET dedupe_window_s = 2592000;",
  "UPDATE contracts SET timezone = 'UTC', timeout_ms = 300;",
  // A load test is not abuse: the operator lifts the limits of the source it drives (per key, per IP,
  // seller pings, the daily quota), as one would before a planned test. Rate limits are tested in trust.test.ts.
  "UPDATE sources SET key_per_minute = NULL, ip_per_minute = NULL, pings_per_minute = NULL, daily_lead_quota = NULL;",
  `UPDATE contracts SET cap_day = ${Math.max(10, Math.floor(LEADS * 0.15))} WHERE id = 'ct_alpha';`,
  `UPDATE contracts SET cap_day = ${Math.max(5, Math.floor(LEADS * 0.05))}, budget_day_cents = ${Math.max(5, Math.floor(LEADS * 0.04)) * 900} WHERE id = 'ct_delta';`,
  // Wallets (issue #25) at the soak's concurrency: a prepaid buyer with a tiny balance (a few percent of
  // the leads at its bid) and a credit buyer with a small limit; wallet_floor checks neither is passed.
  "UPDATE buyers SET billing = 'prepaid' WHERE id = 'buy_bravo';",
  `UPDATE buyers SET billing = 'credit', credit_limit_cents = ${Math.max(2, Math.floor(LEADS * 0.02)) * 1200} WHERE id = 'buy_echo';`,
  `INSERT INTO ledger_entries (entry_key, account, amount_cents, kind, at) VALUES ('deposit:buy_bravo:soak', 'buyer:buy_bravo', ${Math.max(2, Math.floor(LEADS * 0.03)) * 2200}, 'deposit', 0), ('deposit:buy_bravo:soak', 'cash', ${-Math.max(2, Math.floor(LEADS * 0.03)) * 2200}, 'deposit', 0);`,
];

const buyers = await startBuyers(BUYERS_PORT);
for (const [name, b] of Object.entries(behaviours)) await fetch(`${buyersUrl}/control/${name}`, { method: "PUT", body: JSON.stringify(b) });
resetBenchDatabase(seed);
// --test-scheduled: the drain below runs the cron every 30 s, as production runs it every minute (its
// sweeper finishes a lead whose round died, which no other path does).
const gateway = await startGateway(GW_PORT, { RULES_TTL_MS: "60000", EMULATE_STORAGE_RTT_MS: String(RTT_MS) }, ["--test-scheduled"]);
log(`soak: ${LEADS} leads, ${CONCURRENCY} at a time, at most ${MAX_SECONDS} s`);

// 10% of the leads repeat an earlier consumer.
const consumers: Record<string, unknown>[] = [];
let sent = 0;
const nextLead = () => {
  sent++;
  if (consumers.length > 10 && sent % 10 === 0) return { ...consumers[Math.floor(Math.random() * consumers.length)]! };
  const l = benchLead("auto-insurance");
  if (consumers.length < 5000) consumers.push(l);
  return l;
};

const deadline = Date.now() + MAX_SECONDS * 1000;
const samples: Awaited<ReturnType<typeof runLoad>>["samples"] = [];
let seconds = 0;
// In slices, so the run stops by itself at the time bound.
while (samples.length < LEADS && Date.now() < deadline) {
  const slice = Math.min(500, LEADS - samples.length);
  const r = await runLoad({
    url: `http://127.0.0.1:${GW_PORT}/v1/leads`,
    count: slice,
    concurrency: CONCURRENCY,
    body: nextLead,
    headers: { "x-api-key": DEMO_API_KEY },
  });
  samples.push(...r.samples);
  seconds += r.seconds;
  log(`  ${samples.length} leads, ${round1(samples.length / seconds)} leads/s`);
}

// Let the retry queue finish the pending leads: as long as it makes progress (three minutes without any
// lead finishing ends the wait: longer than the sweeper's two), at most 20 minutes; whatever is left
// fails final_state.
const drainUntil = Date.now() + 20 * 60_000;
let fewest = Infinity;
let progressAt = Date.now();
let lastCron = 0;
for (;;) {
  const [row] = await queryBenchDatabase<{ n: number }>(
    "SELECT COUNT(*) AS n FROM leads WHERE status IN ('received','auctioning','pending')",
  );
  const n = Number(row?.n ?? 0);
  if (n < fewest) [fewest, progressAt] = [n, Date.now()];
  if (n === 0 || Date.now() > drainUntil || Date.now() - progressAt > 180_000) break;
  if (Date.now() - lastCron >= 30_000) {
    lastCron = Date.now();
    await fetch(`http://127.0.0.1:${GW_PORT}/__scheduled?cron=*+*+*+*+*`).catch(() => undefined);
  }
  log(`  waiting for ${n} pending lead(s)`);
  await new Promise((r) => setTimeout(r, 3000));
}
// Stop writers before reading the records, so the checks see a quiet database.
await stop(gateway);
await stop(buyers);
const statuses = await queryBenchDatabase<{ status: string; n: number }>(
  "SELECT status, COUNT(*) AS n FROM leads GROUP BY status ORDER BY n DESC",
);
const answered = samples.filter((s) => s.status === 200).length;
const byStatus = new Map<number, number>();
for (const s of samples) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
const statusLine = [...byStatus]
  .sort(([a], [b]) => a - b)
  .map(([code, n]) => `${code}: ${n}`)
  .join(", ");
const results = await checkInvariants(async (sql) => queryBenchDatabase(sql));

const lines = [
  `taken ${new Date().toISOString()}: ${LEADS} leads requested, concurrency ${CONCURRENCY}, storage RTT ${RTT_MS} ms (npm run soak -- --leads ${LEADS} --rtt ${RTT_MS})`,
  `leads sent ${samples.length}, answers by status: ${statusLine}`,
  `throughput ${round1(samples.length / seconds)} leads/s at concurrency ${CONCURRENCY}; e2e ms ${JSON.stringify(summary(samples.map((s) => s.ms)))}`,
  `final states: ${statuses.map((s) => `${s.status} ${s.n}`).join(", ")}`,
  formatInvariants(results),
];
const reasons = results.filter((r) => !r.ok).map((r) => `invariant ${r.name} failed`);
if (answered !== samples.length)
  reasons.push(`${samples.length - answered} of ${samples.length} leads were not answered 200 (${statusLine})`);
if (samples.length < LEADS) reasons.push(`only ${samples.length} of ${LEADS} leads were sent within ${MAX_SECONDS} s`);
const failed = reasons.length;
lines.push(failed === 0 ? "SOAK PASS" : `SOAK FAIL: ${reasons.join("; ")}`);
log(`\n== soak summary ==\n${lines.join("\n")}`);
// Full-size soaks are recorded next to the benchmark numbers.
if (LEADS >= 10_000) {
  writeFileSync(path.join(ROOT, "bench", "results", "soak-latest.txt"), `${lines.join("\n")}\n`);
  writePerformanceDoc(ROOT, MARKET, MARKET_FLOOR_CENTS);
}
process.exit(failed === 0 ? 0 : 1);
