// npm run bench [-- --quick] — end-to-end latency, gateway overhead, throughput against the bare
// fan-out Worker, auction versus waterfall in a simulated market, production's six-connection
// limit emulated for the direct and relay fan-outs, and storage distance (EMULATE_STORAGE_RTT_MS). Everything runs on loopback: the gateway and
// the bare Worker under `wrangler dev` (local D1, Durable Objects, Queues), mock buyers in their own
// process; last, an export of 100,000 leads streamed with the gateway's memory sampled. Results:
// bench/results/<timestamp>.json and docs/PERFORMANCE.md.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../scripts/wrangler";
import { runLoad, round1, summary, type Sample } from "./lib/load";
import { writePerformanceDoc } from "./lib/report";
import { queryBenchDatabase, resetBenchDatabase, startBare, startBuyers, startGateway, stop } from "./lib/procs";
import { CAPACITY_ADMIN, CAPFILL, runCapacity } from "./lib/capacity";
import { runCapFill, runSpike } from "./lib/spike";
import { checkInvariants } from "../src/db/invariants";
import { runHarvestMarket } from "./lib/harvest-market";
import { runReturnsMarket } from "./lib/returns-market";
import { runResaleMarket, runSaleModes } from "./lib/resale-market";
import { runExportBench, seedExportLeads } from "./lib/exports-bench";
import { WALLET_BUYERS, walletsSql } from "./lib/wallets";
import { LIST_CODES, PRICE_RULE_BUYERS } from "./lib/price-rules";
import { BENCH_KEY, BUYER_LATENCY_MS, MARKET, MARKET_FLOOR_CENTS, SIZES, benchBehaviours, benchLead, benchSeed } from "./lib/seed";

const quick = process.argv.includes("--quick");
// --only latency,throughput,market,harvest,returns,limit,distance,capacity,spike,wallets,pricerules,exports,resale runs just those sections (for iterating; reports only what ran).
const onlyArg = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const want = (section: string) => !onlyArg || onlyArg.split(",").includes(section);
const LEADS = quick ? 40 : 200;
const WARMUP = quick ? 5 : 20;
const CONCURRENCY = 8;
const MARKET_LEADS = quick ? 60 : 300;
// Fixed ports, overridable so two checkouts can bench side by side.
const BUYERS_PORT = Number(process.env.BENCH_BUYERS_PORT ?? 8891);
const GW_PORT = Number(process.env.BENCH_GATEWAY_PORT ?? 8897);
const BARE_PORT = Number(process.env.BENCH_BARE_PORT ?? 8898);
const buyersUrl = `http://127.0.0.1:${BUYERS_PORT}`;
const gw = `http://127.0.0.1:${GW_PORT}/v1/leads`;
const headers = { "x-api-key": BENCH_KEY };
const log = (s: string) => process.stdout.write(`${s}\n`);

async function warm(url: string, body: () => Record<string, unknown>) {
  await runLoad({ url, count: WARMUP, concurrency: 1, body, headers });
}

function latencyOf(samples: Sample[], withOverhead: boolean) {
  const ok = samples.filter((s) => s.status === 200);
  const e2e = summary(ok.map((s) => s.ms));
  const buyersFloor = summary(ok.map((s) => (s.timing.ping ?? 0) + (s.timing.post ?? 0)));
  return {
    e2e_ms: e2e,
    ...(withOverhead
      ? {
          buyers_ms: buyersFloor,
          overhead_ms: summary(ok.map((s) => s.ms - (s.timing.ping ?? 0) - (s.timing.post ?? 0))),
          server_gateway_ms: summary(ok.map((s) => s.timing.gateway ?? 0)),
          server_gate_ms: summary(ok.map((s) => s.timing.gate ?? 0)),
        }
      : {}),
    sold: ok.filter((s) => s.body.status === "sold" || typeof s.body.buyer === "number").length,
    errors: samples.length - ok.length,
  };
}

const results: Record<string, unknown> = {};
const started = new Date();

const buyers = await startBuyers(BUYERS_PORT);
for (const [name, b] of Object.entries(benchBehaviours()))
  await fetch(`${buyersUrl}/control/${name}`, { method: "PUT", body: JSON.stringify(b) });
log("mock buyers up; seeding the bench database");
resetBenchDatabase(benchSeed(buyersUrl));

// ---- A. the gateway as wrangler dev runs it (no connection limit), direct fan-out
if (want("latency") || want("throughput") || want("market") || want("harvest") || want("returns")) {
  // --test-scheduled: the returns market triggers the cron (quality scores) through /__scheduled.
  const g = await startGateway(
    GW_PORT,
    { RULES_TTL_MS: "60000", PING_TRANSPORT: "direct", ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}) },
    ["--test-scheduled"],
  );
  const latency: Record<string, unknown> = {};
  for (const n of want("latency") ? SIZES : []) {
    const body = () => benchLead(`lat-${n}`);
    await warm(gw, body);
    const { samples } = await runLoad({ url: gw, count: LEADS, concurrency: 1, body, headers });
    latency[n] = latencyOf(samples, true);
    log(`gateway  ${n} buyers: ${JSON.stringify(latency[n])}`);
  }
  if (want("latency")) results.gateway_latency = latency;

  if (want("throughput")) {
    const body = () => benchLead("lat-20");
    await runLoad({ url: gw, count: WARMUP * 2, concurrency: CONCURRENCY, body, headers });
    const t = await runLoad({ url: gw, count: Number(process.env.BENCH_TP_LEADS ?? LEADS * 2), concurrency: CONCURRENCY, body, headers });
    results.gateway_throughput = {
      buyers: 20,
      concurrency: CONCURRENCY,
      leads: t.samples.length,
      seconds: round1(t.seconds),
      leads_per_s: round1(t.samples.length / t.seconds),
      ...latencyOf(t.samples, false),
    };
    log(`gateway  throughput: ${JSON.stringify(results.gateway_throughput)}`);
  }

  const market: Record<string, unknown> = {};
  for (const mode of want("market") ? (["auction", "waterfall"] as const) : []) {
    const r = await runLoad({ url: gw, count: MARKET_LEADS, concurrency: 4, body: () => benchLead(`market-${mode}`), headers });
    const ok = r.samples.filter((s) => s.status === 200);
    const revenue = ok.reduce((a, s) => a + Number(s.body.price ?? 0), 0);
    market[mode] = {
      leads: ok.length,
      sell_through: round1((100 * ok.filter((s) => s.body.status === "sold").length) / ok.length),
      revenue_per_lead: Math.round((100 * revenue) / ok.length) / 100,
      e2e_ms: summary(ok.map((s) => s.ms)),
    };
    log(`market   ${mode}: ${JSON.stringify(market[mode])}`);
  }
  if (want("market")) results.market = market;

  if (want("harvest")) {
    results.harvest_market = await runHarvestMarket(gw, MARKET_LEADS, headers, benchLead, queryBenchDatabase);
    log(`harvest  ${JSON.stringify(results.harvest_market)}`);
  }

  if (want("returns")) {
    const base = `http://127.0.0.1:${GW_PORT}`;
    results.returns_market = await runReturnsMarket(
      base,
      MARKET_LEADS,
      headers,
      async (ids) => {
        const rows = await queryBenchDatabase<{ id: string; variant: string }>(
          `SELECT id, variant FROM leads WHERE experiment_id = 'exp_quality'`,
        );
        const wanted = new Set(ids);
        return new Map(rows.filter((r) => wanted.has(r.id)).map((r) => [r.id, r.variant]));
      },
      async () => {
        await fetch(`${base}/__scheduled?cron=*+*+*+*+*`);
        let scores: { contract_id: string; score_bps: number }[] = [];
        for (let i = 0; i < 30 && scores.length < 3; i++) {
          await new Promise((r) => setTimeout(r, 1000));
          scores = await queryBenchDatabase(`SELECT contract_id, score_bps FROM contract_quality WHERE contract_id LIKE 'ct_qr%'`);
        }
        // The gateway reads scores with its rules, cached for RULES_TTL_MS (60 s here).
        await new Promise((r) => setTimeout(r, 61_000));
        return Object.fromEntries(scores.map((q) => [q.contract_id, q.score_bps]));
      },
    );
    log(`returns  ${JSON.stringify(results.returns_market)}`);
  }
  await stop(g);
}

// ---- D2. issue #28: sale modes (exclusive, shared, by value) and resale off vs on, each in one run.
if (want("resale")) {
  const token = "bench-admin-token-0123456789abcdef0123";
  const g = await startGateway(GW_PORT, { RULES_TTL_MS: "60000", ADMIN_TOKEN: token }, ["--test-scheduled"]);
  const leads = quick ? 150 : 400;
  results.sale_modes = await runSaleModes(`http://127.0.0.1:${GW_PORT}`, leads, headers, benchLead, (sql) => queryBenchDatabase(sql));
  log(`sales    ${JSON.stringify(results.sale_modes)}`);
  results.resale_market = await runResaleMarket(`http://127.0.0.1:${GW_PORT}`, leads, headers, token, benchLead, (sql) =>
    queryBenchDatabase(sql),
  );
  log(`resale   ${JSON.stringify(results.resale_market)}`);
  await stop(g);
}

// ---- E. price rules with a 10,000-code ZIP list on each of 50 contracts, against the same 50 buyers without rules
if (want("pricerules")) {
  const g = await startGateway(GW_PORT, { RULES_TTL_MS: "60000", PING_TRANSPORT: "direct" });
  // Both campaigns warmed first (the isolate, the rules and their sets), then measured in turn.
  for (const campaign of ["lat-50", "pricerules"]) await warm(gw, () => benchLead(campaign));
  const point = async (campaign: string) =>
    latencyOf((await runLoad({ url: gw, count: LEADS, concurrency: 1, body: () => benchLead(campaign), headers })).samples, true);
  const without = await point("lat-50");
  results.price_rules = { buyers: PRICE_RULE_BUYERS, list_codes: LIST_CODES, with_rules: await point("pricerules"), without };
  log(`rules    ${JSON.stringify(results.price_rules)}`);
  await stop(g);
}

// ---- B. the bare fan-out Worker: the runtime's floor
if (want("latency") || want("throughput")) {
  const b = await startBare(BARE_PORT, { BUYERS_URL: buyersUrl });
  const latency: Record<string, unknown> = {};
  for (const n of want("latency") ? SIZES : []) {
    const url = `http://127.0.0.1:${BARE_PORT}/?n=${n}&prefix=n${n}b`;
    await warm(url, () => benchLead("x"));
    const { samples } = await runLoad({ url, count: LEADS, concurrency: 1, body: () => benchLead("x"), headers });
    latency[n] = latencyOf(samples, false);
    log(`bare     ${n} buyers: ${JSON.stringify(latency[n])}`);
  }
  if (want("latency")) results.bare_latency = latency;
  if (want("throughput")) {
    const url = `http://127.0.0.1:${BARE_PORT}/?n=20&prefix=n20b`;
    await runLoad({ url, count: WARMUP * 2, concurrency: CONCURRENCY, body: () => benchLead("x"), headers });
    const t = await runLoad({ url, count: LEADS * 2, concurrency: CONCURRENCY, body: () => benchLead("x"), headers });
    results.bare_throughput = {
      buyers: 20,
      concurrency: CONCURRENCY,
      leads: t.samples.length,
      seconds: round1(t.seconds),
      leads_per_s: round1(t.samples.length / t.seconds),
      ...latencyOf(t.samples, false),
    };
    log(`bare     throughput: ${JSON.stringify(results.bare_throughput)}`);
  }
  await stop(b);
}

// ---- C. production's six-connections-waiting-for-headers limit, emulated
if (want("limit")) {
  const prod: Record<string, unknown> = {};
  for (const transport of ["direct", "relay"] as const) {
    const g = await startGateway(GW_PORT, { RULES_TTL_MS: "60000", PING_TRANSPORT: transport, EMULATE_CONNECTION_LIMIT: "6" });
    for (const n of [20, 50, 100]) {
      const body = () => benchLead(`lat-${n}`);
      await warm(gw, body);
      const { samples } = await runLoad({ url: gw, count: Math.min(LEADS, 100), concurrency: 1, body, headers });
      prod[`${transport}_${n}`] = latencyOf(samples, true);
      log(`limit-6  ${transport} ${n} buyers: ${JSON.stringify(prod[`${transport}_${n}`])}`);
    }
    await stop(g);
  }
  const b = await startBare(BARE_PORT, { BUYERS_URL: buyersUrl, EMULATE_CONNECTION_LIMIT: "6" });
  for (const n of [20, 50, 100]) {
    const url = `http://127.0.0.1:${BARE_PORT}/?n=${n}&prefix=n${n}b`;
    await warm(url, () => benchLead("x"));
    const { samples } = await runLoad({ url, count: Math.min(LEADS, 100), concurrency: 1, body: () => benchLead("x"), headers });
    prod[`bare_${n}`] = latencyOf(samples, false);
    log(`limit-6  bare ${n} buyers: ${JSON.stringify(prod[`bare_${n}`])}`);
  }
  await stop(b);
  results.production_limit = prod;
}
// ---- D. storage distance: D1 and Durable Objects far from the edge (EMULATE_STORAGE_RTT_MS), with
// production's connection limit and the relay fan-out. The same leads at RTT 0 and 80 ms, side by side.
if (want("distance")) {
  const distance: Record<string, unknown> = {};
  for (const rtt of [0, 80]) {
    const g = await startGateway(GW_PORT, {
      RULES_TTL_MS: "60000",
      PING_TRANSPORT: "relay",
      EMULATE_CONNECTION_LIMIT: "6",
      EMULATE_STORAGE_RTT_MS: String(rtt),
    });
    for (const n of [20, 50]) {
      const body = () => benchLead(`lat-${n}`);
      await warm(gw, body);
      const { samples } = await runLoad({ url: gw, count: Math.min(LEADS, 100), concurrency: 1, body, headers });
      const ok = samples.filter((x) => x.status === 200);
      // Calls made, and how many round trips' worth the lead waited on after its pings (Server-Timing `gate`).
      const waits =
        rtt > 0
          ? {
              storage_calls: summary(ok.map((x) => x.timing.storage ?? 0)),
              storage_waits: summary(ok.map((x) => (x.timing.gate ?? 0) / rtt)),
            }
          : {};
      distance[`rtt${rtt}_${n}`] = { ...latencyOf(samples, true), ...waits };
      log(`distance rtt ${rtt} ms, ${n} buyers: ${JSON.stringify(distance[`rtt${rtt}_${n}`])}`);
    }
    await stop(g);
  }
  results.storage_distance = distance;
}
// ---- E. the capacity model: storage calls per lead by kind, tallied at the bindings (METER_STORAGE).
if (want("capacity")) {
  const g = await startGateway(GW_PORT, { RULES_TTL_MS: "60000", METER_STORAGE: "1", ADMIN_TOKEN: CAPACITY_ADMIN });
  const pendingLeft = async (campaign: string) =>
    Number(
      (
        await queryBenchDatabase<{ n: number }>(
          `SELECT COUNT(*) AS n FROM leads WHERE campaign_id = '${campaign}' AND status IN ('received','auctioning','pending')`,
        )
      )[0]?.n ?? 0,
    );
  results.capacity = await runCapacity(`http://127.0.0.1:${GW_PORT}`, quick ? 50 : 200, headers, benchLead, pendingLeft);
  log(`capacity ${JSON.stringify(results.capacity)}`);
  await stop(g);
}
// ---- F. a spike, and caps in a burst: storage 80 ms away, production's connection limit, relays.
if (want("spike")) {
  const maxInflight = 32;
  // --test-scheduled: the drain below runs the cron, whose sweeper finishes what a stopped gateway left
  // (an earlier section's last lead, its record deferred when the process was stopped), as production's does.
  const g = await startGateway(
    GW_PORT,
    {
      RULES_TTL_MS: "60000",
      PING_TRANSPORT: "relay",
      EMULATE_CONNECTION_LIMIT: "6",
      EMULATE_STORAGE_RTT_MS: "80",
      MAX_INFLIGHT_LEADS: String(maxInflight),
    },
    ["--test-scheduled"],
  );
  results.capfill = await runCapFill({
    url: gw,
    headers,
    lead: () => benchLead("capfill"),
    leads: 300,
    concurrency: 16,
    caps: CAPFILL,
    sold: async () => {
      const rows = await queryBenchDatabase<{ contract_id: string; n: number }>(
        "SELECT contract_id, COUNT(*) AS n FROM posts WHERE contract_id IN ('ct_cf0','ct_cf1') AND outcome = 'accepted' GROUP BY contract_id",
      );
      const of = (id: string) => Number(rows.find((r) => r.contract_id === id)?.n ?? 0);
      return { day: of("ct_cf0"), hour: of("ct_cf1") };
    },
  });
  log(`capfill  ${JSON.stringify(results.capfill)}`);
  results.spike = await runSpike({
    url: gw,
    headers,
    lead: () => benchLead("market-auction"),
    seconds: quick ? 8 : 20,
    steady: 8,
    spike: 64,
    maxInflight,
    pingsPerLead: MARKET.length,
    drain: async () => {
      for (let i = 0; i < 120; i++) {
        if (i % 30 === 0) await fetch(`${gw}/__scheduled?cron=*+*+*+*+*`).catch(() => undefined);
        const [row] = await queryBenchDatabase<{ n: number }>(
          "SELECT COUNT(*) AS n FROM leads WHERE status IN ('received','auctioning','pending')",
        );
        if (!row || Number(row.n) === 0) return 0;
        await new Promise((r) => setTimeout(r, 1000));
      }
      return Number(
        (await queryBenchDatabase<{ n: number }>("SELECT COUNT(*) AS n FROM leads WHERE status IN ('received','auctioning','pending')"))[0]
          ?.n ?? 0,
      );
    },
    invariants: async () => (await checkInvariants((sql) => queryBenchDatabase(sql))).map((r) => ({ name: r.name, ok: r.ok })),
  });
  log(`spike    ${JSON.stringify(results.spike)}`);
  await stop(g);
}
// ---- G. wallets (issue #25): the storage-distance setup at RTT 0 and 80 ms, 20 buyers, with every
// buyer's wallet off (billing none) and on (prepaid), in the same run. Money is leased to the isolate
// while the pings are out, so wallets on should cost the seller no round trip.
if (want("wallets")) {
  const wallets: Record<string, unknown> = {};
  for (const rtt of [0, 80])
    for (const on of [false, true]) {
      await queryBenchDatabase(walletsSql(on));
      const g = await startGateway(GW_PORT, {
        RULES_TTL_MS: "60000",
        PING_TRANSPORT: "relay",
        EMULATE_CONNECTION_LIMIT: "6",
        EMULATE_STORAGE_RTT_MS: String(rtt),
      });
      const body = () => benchLead(`lat-${WALLET_BUYERS}`);
      await warm(gw, body);
      const { samples } = await runLoad({ url: gw, count: Math.min(LEADS, 100), concurrency: 1, body, headers });
      const ok = samples.filter((x) => x.status === 200);
      const key = `rtt${rtt}_${on ? "on" : "off"}`;
      wallets[key] = {
        ...latencyOf(samples, true),
        ...(rtt > 0 ? { storage_waits: summary(ok.map((x) => (x.timing.gate ?? 0) / rtt)) } : {}),
      };
      log(`wallets ${on ? "on " : "off"} rtt ${rtt} ms, ${WALLET_BUYERS} buyers: ${JSON.stringify(wallets[key])}`);
      await stop(g);
    }
  await queryBenchDatabase(walletsSql(false));
  results.wallets = wallets;
}
// ---- H. exports (issue #29): 100,000 leads streamed from D1 in pages, the gateway's memory sampled.
// Last, since it adds the leads to the bench database.
if (want("exports")) {
  log("exports  seeding 100,000 leads");
  const seeded = seedExportLeads();
  const token = "bench-admin-token-0123456789abcdef0123";
  const g = await startGateway(GW_PORT, { RULES_TTL_MS: "60000", ADMIN_TOKEN: token });
  results.exports = await runExportBench(`http://127.0.0.1:${GW_PORT}`, token, g, GW_PORT + 1000, seeded);
  log(`exports  ${JSON.stringify(results.exports)}`);
  await stop(g);
}
await stop(buyers);

// ---- report
const workerd = (JSON.parse(readFileSync(path.join(ROOT, "node_modules", "workerd", "package.json"), "utf8")) as { version: string })
  .version;
const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memory_gib: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()}`,
  node: process.version,
  workerd,
};
if (onlyArg && !process.argv.includes("--update")) {
  log("partial run (--only): results printed above, docs/PERFORMANCE.md left as it is (add --update to merge them in)");
  process.exit(0);
}
if (onlyArg) {
  // --update: these sections' results replace theirs in the latest full run, which says so, and the doc is rebuilt.
  const latestFile = path.join(ROOT, "bench", "results", "latest.json");
  const latest = JSON.parse(readFileSync(latestFile, "utf8")) as Record<string, unknown> & { rerun?: Record<string, string> };
  const merged = {
    ...latest,
    ...results,
    rerun: { ...latest.rerun, ...Object.fromEntries(onlyArg.split(",").map((s) => [s, started.toISOString()])) },
  };
  writeFileSync(latestFile, JSON.stringify(merged, null, 2));
  writePerformanceDoc(ROOT, MARKET, MARKET_FLOOR_CENTS);
  log(`merged ${onlyArg} into bench/results/latest.json and rewrote docs/PERFORMANCE.md`);
  process.exit(0);
}
const report = { started: started.toISOString(), quick, leads_per_point: LEADS, buyer_latency_ms: BUYER_LATENCY_MS, machine, ...results };
mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true });
const file = path.join(ROOT, "bench", "results", `${started.toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify(report, null, 2));
writeFileSync(path.join(ROOT, "bench", "results", "latest.json"), JSON.stringify(report, null, 2));
writePerformanceDoc(ROOT, MARKET, MARKET_FLOOR_CENTS);
log(`\nwrote ${path.relative(ROOT, file)} and docs/PERFORMANCE.md`);
process.exit(0);
