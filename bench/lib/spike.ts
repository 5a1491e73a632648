// The spike test (issue #30): the gateway, with storage 80 ms away and production's six-connection
// limit emulated (relay fan-out), takes a steady load, then a spike of several times that concurrency,
// then the steady load again. Measured: answers by status in each phase, how fast the excess is
// answered (503 `overloaded` with Retry-After, never a timeout), leads and pings per second sustained,
// and, once the retry queue has drained, the invariants over every lead (final states, caps, nothing
// sold twice). Also the caps of a burst: a contract capped at 20 a day and one at 7 an hour, 16 leads at
// a time with storage 80 ms away, filled to what share of their caps.
import { round1, summary, type Sample } from "./load";

export interface Phase {
  seconds: number;
  concurrency: number;
  answers: Record<string, number>;
  ok_ms: { p50: number; p95: number; p99: number; n: number };
  shed_ms: { p50: number; p95: number; p99: number; n: number };
  leads_per_s: number;
  pings_per_s: number;
}

export interface SpikeResult {
  max_inflight: number;
  phases: Record<"steady" | "spike" | "after", Phase>;
  invariants: { name: string; ok: boolean }[];
  unfinished: number;
}

export interface CapFill {
  leads: number;
  concurrency: number;
  day_cap: { cap: number; sold: number };
  hour_cap: { cap: number; sold: number };
}

async function send(url: string, headers: Record<string, string>, body: Record<string, unknown>): Promise<Sample> {
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text.slice(0, 200) };
  }
  return { ms: performance.now() - t0, status: res.status, body: parsed, timing: {} };
}

/** Closed-loop load for a while: `concurrency` callers, each sending again as soon as it is answered. */
async function runFor(
  url: string,
  headers: Record<string, string>,
  body: () => Record<string, unknown>,
  seconds: number,
  concurrency: number,
) {
  const until = performance.now() + seconds * 1000;
  const samples: Sample[] = [];
  const worker = async () => {
    while (performance.now() < until) samples.push(await send(url, headers, body()));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return samples;
}

function phase(samples: Sample[], seconds: number, concurrency: number, pingsPerLead: number): Phase {
  const answers: Record<string, number> = {};
  for (const s of samples) answers[s.status] = (answers[s.status] ?? 0) + 1;
  const ok = samples.filter((s) => s.status === 200);
  const leadsPerS = round1(ok.length / seconds);
  return {
    seconds,
    concurrency,
    answers,
    ok_ms: summary(ok.map((s) => s.ms)),
    shed_ms: summary(samples.filter((s) => s.status === 503 || s.status === 429).map((s) => s.ms)),
    leads_per_s: leadsPerS,
    pings_per_s: round1(leadsPerS * pingsPerLead),
  };
}

export async function runSpike(opts: {
  url: string;
  headers: Record<string, string>;
  lead: () => Record<string, unknown>;
  seconds: number;
  steady: number;
  spike: number;
  maxInflight: number;
  pingsPerLead: number;
  drain: () => Promise<number>;
  invariants: () => Promise<{ name: string; ok: boolean }[]>;
}): Promise<SpikeResult> {
  const run = async (concurrency: number) =>
    phase(await runFor(opts.url, opts.headers, opts.lead, opts.seconds, concurrency), opts.seconds, concurrency, opts.pingsPerLead);
  const steady = await run(opts.steady);
  const spike = await run(opts.spike);
  const after = await run(opts.steady);
  const unfinished = await opts.drain();
  return { max_inflight: opts.maxInflight, phases: { steady, spike, after }, invariants: await opts.invariants(), unfinished };
}

export async function runCapFill(opts: {
  url: string;
  headers: Record<string, string>;
  lead: () => Record<string, unknown>;
  leads: number;
  concurrency: number;
  sold: () => Promise<{ day: number; hour: number }>;
  caps: { day: number; hour: number };
}): Promise<CapFill> {
  let issued = 0;
  const worker = async () => {
    while (issued < opts.leads) {
      issued++;
      await send(opts.url, opts.headers, opts.lead());
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  await new Promise((r) => setTimeout(r, 3000)); // deferred commits
  const sold = await opts.sold();
  return {
    leads: opts.leads,
    concurrency: opts.concurrency,
    day_cap: { cap: opts.caps.day, sold: sold.day },
    hour_cap: { cap: opts.caps.hour, sold: sold.hour },
  };
}
