// The runtime's own floor: a Worker that only fans out fetch to the same mock buyers, picks the
// highest bid and posts to that buyer. No validation, storage, caps, dedupe or records. The
// benchmark reports the gateway as a ratio to this.
interface Env {
  BUYERS_URL: string;
  EMULATE_CONNECTION_LIMIT?: string;
}

class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.max > 0 && this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const url = new URL(req.url);
    const prefix = url.searchParams.get("prefix") ?? "n5b";
    const n = Number(url.searchParams.get("n") ?? 5);
    const lead = await req.text();
    const limiter = new Limiter(Number(env.EMULATE_CONNECTION_LIMIT || 0));
    const signal = AbortSignal.timeout(1000);
    const bids = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        limiter.run(async () => {
          try {
            const res = await fetch(`${env.BUYERS_URL}/b/${prefix}${i}/ping`, {
              method: "POST",
              body: lead,
              headers: { "content-type": "application/json" },
              signal,
            });
            const j = (await res.json()) as { bid?: number };
            return { i, bid: typeof j.bid === "number" ? j.bid : 0 };
          } catch {
            return { i, bid: 0 };
          }
        }),
      ),
    );
    const best = bids.reduce((a, b) => (b.bid > a.bid ? b : a));
    const post = await fetch(`${env.BUYERS_URL}/b/${prefix}${best.i}/post`, {
      method: "POST",
      body: lead,
      headers: { "content-type": "application/json" },
    });
    return new Response(JSON.stringify({ buyer: best.i, price: best.bid, post: post.status }), {
      headers: { "content-type": "application/json" },
    });
  },
};
