// The exports bench (issue #29): 100,000 leads (half of them sold, with their sales) inserted straight
// into the bench database with one recursive INSERT each, then GET /admin/exports/leads streamed whole,
// as CSV and as NDJSON, with and without consumer fields, while the gateway's memory is sampled: the
// resident size of its workerd process (which also runs local D1) and the isolate's JS heap (through
// the inspector). Bounded memory means neither grows with the export's size.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { wranglerOrDie } from "../../scripts/wrangler";
import { inspector } from "./inspector";
import { PERSIST } from "./procs";

export const EXPORT_LEADS = 100_000;
const T0 = Date.UTC(2026, 0, 5);
const STEP_MS = 800; // 100,000 leads over 22 h: one day's export

export interface ExportRun {
  rows: number;
  mib: number;
  seconds: number;
  rows_per_s: number;
  first_byte_ms: number;
  rss_before_mib: number | null;
  rss_peak_mib: number | null;
  heap_before_mib: number | null;
  heap_peak_mib: number | null;
}

export interface ExportBenchResult {
  leads: number;
  seed_seconds: number;
  runs: Record<string, ExportRun>;
}

/** Inserts the leads (and a sale for every other one) with two statements. */
export function seedExportLeads(n = EXPORT_LEADS): number {
  const started = Date.now();
  const series = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})`;
  const sql = [
    `INSERT INTO leads (id, campaign_id, source_id, status, reason, data, meta, price_cents, payout_cents, margin_cents, attempts, created_at, updated_at, final_at)
     ${series}
     SELECT printf('ld_exp%07d', i), 'cmp_export', 'src_bench', CASE WHEN i % 2 = 0 THEN 'sold' ELSE 'unsold' END,
            CASE WHEN i % 2 = 0 THEN NULL ELSE 'no buyer' END,
            json_object('first_name', 'Pat', 'last_name', 'Doe', 'email', printf('pat.%d@example.com', i), 'phone', printf('+1415%07d', i),
                        'street', '1 Main St', 'zip', '94107', 'state', 'CA', 'homeowner', 1, 'vehicle_year', 2018),
            '{}', CASE WHEN i % 2 = 0 THEN 1800 ELSE 0 END, CASE WHEN i % 2 = 0 THEN 1260 ELSE 0 END, CASE WHEN i % 2 = 0 THEN 540 ELSE 0 END,
            0, ${T0} + i * ${STEP_MS}, ${T0} + i * ${STEP_MS}, ${T0} + i * ${STEP_MS} + 450
     FROM n;`,
    `INSERT INTO posts (id, lead_id, contract_id, attempt, outcome, price_cents, payout_cents, created_at)
     ${series}
     SELECT printf('po_exp%07d', i), printf('ld_exp%07d', i), 'ct_export', 0, 'accepted', 1800, 1260, ${T0} + i * ${STEP_MS} + 400
     FROM n WHERE i % 2 = 0;`,
  ];
  const file = path.join(PERSIST, "..", "bench-export-seed.sql");
  writeFileSync(file, sql.join("\n"));
  wranglerOrDie(["d1", "execute", "DB", "--local", "--persist-to", PERSIST, "--file", file]);
  return (Date.now() - started) / 1000;
}

/** The workerd processes under a wrangler child (Linux /proc); their resident size in MiB, or null elsewhere. */
function rssMiB(root: number): number | null {
  try {
    const parent = new Map<number, number>();
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    }
    const under = (pid: number): boolean => pid === root || (parent.has(pid) && pid > 1 && under(parent.get(pid)!));
    let kib = 0;
    for (const pid of parent.keys()) {
      if (!under(pid) || !readFileSync(`/proc/${pid}/comm`, "utf8").startsWith("workerd")) continue;
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    }
    return kib > 0 ? Math.round(kib / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

const mib = (bytes: number) => Math.round(bytes / 104_857.6) / 10;

/** One export streamed whole, counting rows and bytes, with memory sampled every 50 ms. */
async function run(base: string, adminToken: string, query: string, gateway: ChildProcess, inspectorPort: number): Promise<ExportRun> {
  const cdp = await inspector(inspectorPort).catch(() => null);
  const heap = async () => {
    const h = cdp ? ((await cdp.send("Runtime.getHeapUsage")) as { usedSize?: number } | undefined) : undefined;
    return h?.usedSize === undefined ? null : mib(h.usedSize);
  };
  const before = { rss: rssMiB(gateway.pid!), heap: await heap() };
  const peak = { rss: before.rss, heap: before.heap };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const [r, h] = [rssMiB(gateway.pid!), await heap()];
      if (r !== null) peak.rss = Math.max(peak.rss ?? 0, r);
      if (h !== null) peak.heap = Math.max(peak.heap ?? 0, h);
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  const started = performance.now();
  const res = await fetch(`${base}/admin/exports/leads?${query}`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  let firstByte = 0;
  let bytes = 0;
  let lines = 0;
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!firstByte) firstByte = performance.now() - started;
    bytes += value.byteLength;
    for (const b of value) if (b === 10) lines++;
  }
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await sampler;
  cdp?.close();
  const rows = query.includes("ndjson") ? lines : lines - 1;
  return {
    rows,
    mib: mib(bytes),
    seconds: Math.round(seconds * 10) / 10,
    rows_per_s: Math.round(rows / seconds),
    first_byte_ms: Math.round(firstByte),
    rss_before_mib: before.rss,
    rss_peak_mib: peak.rss,
    heap_before_mib: before.heap,
    heap_peak_mib: peak.heap,
  };
}

/** The three exports of the seeded day, one after another. */
export async function runExportBench(
  base: string,
  adminToken: string,
  gateway: ChildProcess,
  inspectorPort: number,
  seedSeconds: number,
): Promise<ExportBenchResult> {
  const range = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 86_400_000).toISOString()}`;
  const runs: Record<string, ExportRun> = {};
  for (const [name, q] of [
    ["csv", `${range}&format=csv`],
    ["ndjson", `${range}&format=ndjson`],
    ["csv_pii", `${range}&format=csv&include_pii=1`],
  ] as const)
    runs[name] = await run(base, adminToken, q, gateway, inspectorPort);
  return { leads: EXPORT_LEADS, seed_seconds: Math.round(seedSeconds * 10) / 10, runs };
}
