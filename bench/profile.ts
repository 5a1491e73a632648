// npm run bench:profile [-- --buyers 20 --leads 400 --concurrency 8] — where the gateway's CPU goes
// under load. Runs the throughput scenario against an unminified gateway, records a CPU profile
// through its devtools inspector, writes it to bench/results/profile-latest.cpuprofile (open it in
// Chrome DevTools) and prints the functions and files with the most self time.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../scripts/wrangler";
import { inspector } from "./lib/inspector";
import { runLoad } from "./lib/load";
import { numberArg } from "./lib/args";
import { resetBenchDatabase, startBuyers, startGateway, stop } from "./lib/procs";
import { BENCH_KEY, benchBehaviours, benchLead, benchSeed } from "./lib/seed";

const BUYERS = numberArg("buyers", 20);
const LEADS = numberArg("leads", 400);
const CONCURRENCY = numberArg("concurrency", 8);
const BUYERS_PORT = 8893;
const GW_PORT = 8896;
const buyersUrl = `http://127.0.0.1:${BUYERS_PORT}`;
const url = `http://127.0.0.1:${GW_PORT}/v1/leads`;
const headers = { "x-api-key": BENCH_KEY };

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const buyers = await startBuyers(BUYERS_PORT);
for (const [name, b] of Object.entries(benchBehaviours()))
  await fetch(`${buyersUrl}/control/${name}`, { method: "PUT", body: JSON.stringify(b) });
resetBenchDatabase(benchSeed(buyersUrl));
const gw = await startGateway(GW_PORT, { RULES_TTL_MS: "60000", PING_TRANSPORT: "direct" }, ["--minify=false"]);
const body = () => benchLead(`lat-${BUYERS}`);
await runLoad({ url, count: 40, concurrency: CONCURRENCY, body, headers });

const cdp = await inspector(GW_PORT + 1000);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
await cdp.send("Profiler.start");
const run = await runLoad({ url, count: LEADS, concurrency: CONCURRENCY, body, headers });
const { profile } = (await cdp.send("Profiler.stop")) as { profile: Profile };
cdp.close();
await stop(gw);
await stop(buyers);

writeFileSync(path.join(ROOT, "bench", "results", "profile-latest.cpuprofile"), JSON.stringify(profile));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const n of profile.nodes) {
  const us = self.get(n.id) ?? 0;
  const file = n.callFrame.url.replace(/^.*\/(node_modules\/)?/, (m) => (m.includes("node_modules") ? "node_modules/" : "")) || "(native)";
  const fn = `${n.callFrame.functionName || "(anonymous)"} ${file}:${n.callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  byFile.set(file, (byFile.get(file) ?? 0) + us);
}
const top = (m: Map<string, number>, k: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000 / LEADS).toFixed(2).padStart(6)} ms/lead  ${name}`);
process.stdout.write(
  [
    `${LEADS} leads, ${BUYERS} buyers, ${CONCURRENCY} at a time: ${(run.samples.length / run.seconds).toFixed(1)} leads/s; ` +
      `profiled ${(total / 1000).toFixed(0)} ms of JS thread time, ${(total / 1000 / LEADS).toFixed(2)} ms per lead`,
    "",
    "by file:",
    ...top(byFile, 15),
    "",
    "by function (self time):",
    ...top(byFunction, 30),
    "",
  ].join("\n"),
);
