// One call to an outside service of the pre-sale checks (TrustedForm, Jornaya, a campaign's hooks):
// within its time budget, never following a redirect (a 3xx would carry our credentials or the
// consumer's data to wherever it points), its answer read up to the cap buyer answers have.
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
