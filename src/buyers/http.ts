// One signed HTTP request to a buyer (or a source's postback URL): built once, signed once, sent
// once, bounded by a timeout and an external deadline signal, with the answer's size capped so a
// buyer streaming megabytes cannot hold the auction. Pings, posts and postbacks all go through here.
import type { Limiter } from "../lib/limiter";
import { readCapped } from "../lib/stream";
import type { WireRequest } from "./protocol";
import { signatureHeaders, type Signing } from "./signature";

export const MAX_ANSWER_BYTES = 64 * 1024;

/** A request ready to send (also what a PingRelay receives). */
export interface OutboundRequest {
  method: "POST" | "GET";
  url: string;
  /** Empty for a GET. */
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export type Exchange =
  | { ok: true; status: number; body: string; contentType: string; latencyMs: number }
  | { ok: false; kind: "timeout" | "error"; reason: string; status: number | null; latencyMs: number };

/** The wire request with its content type and signature headers (./signature.ts), for `url` (plus a GET's query). */
export async function signedRequest(
  url: string,
  wire: WireRequest,
  signing: Signing,
  timeoutMs: number,
  now = Date.now(),
): Promise<OutboundRequest> {
  const target = wire.query ? `${url}${url.includes("?") ? "&" : "?"}${wire.query}` : url;
  return {
    method: wire.method,
    url: target,
    body: wire.body,
    headers: {
      ...(wire.contentType ? { "content-type": wire.contentType } : {}),
      ...wire.headers,
      ...(await signatureHeaders(signing, wire.method, target, wire.body, now)),
    },
    timeoutMs,
  };
}

const decoder = new TextDecoder();
const decodeCapped = (bytes: Uint8Array | undefined) => bytes && decoder.decode(bytes);

/**
 * Sends one request, bounded by its own timeout and by `deadline` (epoch ms, shared by a fan-out).
 * One timer per fan-out, not one per request, when the request's timeout reaches the deadline anyway.
 */
export async function send(
  req: OutboundRequest,
  opts: { deadline?: { at: number; signal: AbortSignal }; limiter?: Limiter } = {},
): Promise<Exchange> {
  const started = Date.now();
  const shared = opts.deadline;
  const signal =
    shared && shared.at <= started + req.timeoutMs
      ? shared.signal
      : shared
        ? AbortSignal.any([AbortSignal.timeout(Math.max(1, req.timeoutMs)), shared.signal])
        : AbortSignal.timeout(Math.max(1, req.timeoutMs));
  const release = opts.limiter ? await opts.limiter.acquire() : () => {};
  let status: number | null = null;
  try {
    const res = await fetch(req.url, {
      method: req.method,
      body: req.method === "GET" ? undefined : req.body,
      headers: req.headers,
      signal,
      redirect: "manual",
    });
    release(); // headers are in: the connection no longer counts against the limit
    status = res.status;
    // A declared length within the cap is read natively; otherwise the stream is read up to the cap.
    // Bytes, then decoded: answers come in any content type (form-encoded, XML), and reading a
    // non-text type with .text() makes workerd warn on every answer.
    const declared = Number(res.headers.get("content-length") ?? NaN);
    const body =
      declared <= MAX_ANSWER_BYTES ? decoder.decode(await res.arrayBuffer()) : decodeCapped(await readCapped(res.body, MAX_ANSWER_BYTES));
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
