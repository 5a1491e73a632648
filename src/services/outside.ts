// One call to an outside service of the pre-sale checks (TrustedForm, Jornaya, a campaign's hooks):
// within its time budget, never following a redirect (a 3xx would carry our credentials or the
// consumer's data to wherever it points), its answer read up to the cap buyer answers have. And the
// rule for vendors that receive a credential: their own https origin, or a stub on loopback.
import { MAX_ANSWER_BYTES } from "../buyers/http";
import { readCapped } from "../lib/stream";

export type OutsideAnswer =
  { ok: true; status: number; text: string } | { ok: false; outcome: "timeout" | "error"; detail: string; status: number | null };

const decoder = new TextDecoder();

/** One request within `timeoutMs` (headers and body both): the answer's text, or how it failed. */
export async function callOutside(url: string, init: RequestInit, timeoutMs: number): Promise<OutsideAnswer> {
  let status: number | null = null;
  try {
    const res = await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    status = res.status;
    if (status >= 300 && status < 400) {
      await res.body?.cancel().catch(() => {});
      return { ok: false, outcome: "error", detail: `redirected (HTTP ${status}): not followed`, status };
    }
    const bytes = await readCapped(res.body, MAX_ANSWER_BYTES);
    if (!bytes) return { ok: false, outcome: "error", detail: `answer over ${MAX_ANSWER_BYTES} bytes (HTTP ${status})`, status };
    return { ok: true, status, text: decoder.decode(bytes) };
  } catch (err) {
    const name = (err as Error).name;
    return name === "TimeoutError" || name === "AbortError"
      ? { ok: false, outcome: "timeout", detail: `no answer within ${timeoutMs} ms`, status }
      : { ok: false, outcome: "error", detail: name, status };
  }
}

/** The JSON value of a text, or undefined: vendors' answers are judged by their zod schemas after. */
export function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Hosts a credential may be sent to over plain http: a local stub, never the network. */
const LOOPBACK = new Set(["127.0.0.1", "localhost"]);

/**
 * `path` under the configured API URL when that URL may receive the vendor's credential: the
 * vendor's own origin over https (default port), or http to 127.0.0.1 / localhost. Anything else
 * (another host, userinfo, https to a look-alike, http to the vendor) is refused with a reason.
 */
export function vendorUrl(configured: string, official: string, path: string): { ok: true; url: string } | { ok: false; detail: string } {
  let base: URL;
  try {
    base = new URL(configured);
  } catch {
    return { ok: false, detail: `${configured.slice(0, 80)} is not a URL` };
  }
  const vendor = new URL(official);
  const isVendor = base.protocol === "https:" && base.host === vendor.host;
  const isStub = base.protocol === "http:" && LOOPBACK.has(base.hostname);
  if ((!isVendor && !isStub) || base.username || base.password || base.search || base.hash)
    return {
      ok: false,
      detail: `refused to send the credential to ${base.protocol}//${base.host}: only ${vendor.origin} or a loopback stub`,
    };
  return { ok: true, url: `${base.origin}${base.pathname.replace(/\/$/, "")}/${path}` };
}
