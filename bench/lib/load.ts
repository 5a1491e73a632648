// A closed-loop load generator: `concurrency` callers, each sending its next request when the last
// one answered, until `count` requests are done. Latency is measured on the client.
export interface Sample {
  ms: number;
  status: number;
  body: Record<string, unknown>;
  timing: Record<string, number>;
}

function parseServerTiming(h: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (h ?? "").split(",")) {
    const [name, ...params] = part.trim().split(";");
    const dur = params.find((p) => p.startsWith("dur="));
    if (name && dur !== undefined) out[name] = Number(dur.slice(4));
  }
  return out;
}

export async function runLoad(opts: {
  url: string;
  count: number;
  concurrency: number;
  body: () => Record<string, unknown>;
  headers?: Record<string, string>;
}): Promise<{ samples: Sample[]; seconds: number }> {
  const samples: Sample[] = [];
  let issued = 0;
  const started = performance.now();
  const worker = async () => {
    while (issued < opts.count) {
      issued++;
      const t0 = performance.now();
      const res = await fetch(opts.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...opts.headers },
        body: JSON.stringify(opts.body()),
      });
      const text = await res.text();
      const ms = performance.now() - t0;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { raw: text.slice(0, 200) };
      }
      samples.push({ ms, status: res.status, body, timing: parseServerTiming(res.headers.get("server-timing")) });
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { samples, seconds: (performance.now() - started) / 1000 };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export const round1 = (n: number) => Math.round(n * 10) / 10;

export function summary(values: number[]) {
  return {
    p50: round1(percentile(values, 50)),
    p95: round1(percentile(values, 95)),
    p99: round1(percentile(values, 99)),
    n: values.length,
  };
}
