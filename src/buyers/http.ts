// One HTTP exchange with a buyer: bounded by a timeout and an external deadline signal, with the
// answer's size capped so a buyer streaming megabytes cannot hold the auction.
import type { Limiter } from "../lib/limiter";
import { readCapped } from "../lib/stream";

export const MAX_ANSWER_BYTES = 64 * 1024;

export type Exchange =
  | { ok: true; status: number; body: string; contentType: string; latencyMs: number }
  | { ok: false; kind: "timeout" | "error"; reason: string; status: number | null; latencyMs: number };

export async function exchange(
  url: string,
  init: { body: string; headers: Record<string, string>; timeoutMs: number; signal?: AbortSignal; limiter?: Limiter },
): Promise<Exchange> {
  const started = Date.now();
  const timeout = AbortSignal.timeout(Math.max(1, init.timeoutMs));
  const signal = init.signal ? AbortSignal.any([timeout, init.signal]) : timeout;
  const release = init.limiter ? await init.limiter.acquire() : () => {};
  let status: number | null = null;
  try {
    const res = await fetch(url, { method: "POST", body: init.body, headers: init.headers, signal, redirect: "manual" });
    release(); // headers are in: the connection no longer counts against the limit
    status = res.status;
    const bytes = await readCapped(res.body, MAX_ANSWER_BYTES);
    const body = bytes && new TextDecoder().decode(bytes);
    const latencyMs = Date.now() - started;
    if (body === undefined) return { ok: false, kind: "error", reason: `answer larger than ${MAX_ANSWER_BYTES} bytes`, status, latencyMs };
    return { ok: true, status, body, contentType: res.headers.get("content-type") ?? "", latencyMs };
  } catch (err) {
    release();
    const latencyMs = Date.now() - started;
    if (signal.aborted) return { ok: false, kind: "timeout", reason: `no answer within ${latencyMs} ms`, status, latencyMs };
    return { ok: false, kind: "error", reason: `connection failed: ${(err as Error).message}`.slice(0, 200), status, latencyMs };
  }
}
