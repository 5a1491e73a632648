// Cloudflare Turnstile, server side: a browser's `cf-turnstile-response` token is worth nothing until
// siteverify says so. Fails closed: no secret, no answer in time, or an answer that is not a clear
// success is a refusal (the seller is told which). The endpoint is configuration: Cloudflare's in
// production, a local stub in tests and `npm start` that honours Cloudflare's dummy secret keys.
import * as z from "zod";

/** The longest a token can be (Cloudflare's documented limit). */
export const MAX_TOKEN_LENGTH = 2048;
const VERIFY_TIMEOUT_MS = 3000;

/** Cloudflare's dummy secret keys (always pass, always fail, token spent) answer for example.com. */
const DUMMY_SECRET = /^[123]x0{31}AA$/;

const AnswerSchema = z.object({
  success: z.boolean(),
  "error-codes": z.array(z.string().max(64)).max(16).default([]),
  hostname: z.string().max(253).optional(),
});

export type BotCheck =
  | { ok: true }
  | {
      ok: false;
      /** missing / invalid: the browser's fault (403); unavailable: siteverify's (503). */
      reason: "missing" | "invalid" | "unavailable";
      detail: string;
    };

export class Turnstile {
  constructor(
    private readonly url: string,
    private readonly defaultSecret: string | null,
  ) {}

  async verify(token: string | null, opts: { secret: string | null; ip: string | null; hostnames: string[] }): Promise<BotCheck> {
    if (!token) return { ok: false, reason: "missing", detail: "send the Turnstile token (cf-turnstile-response)" };
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "invalid", detail: "the Turnstile token is too long" };
    const secret = opts.secret ?? this.defaultSecret;
    if (!secret) return { ok: false, reason: "unavailable", detail: "Turnstile is on for this source but no secret key is configured" };
    const form = new URLSearchParams({ secret, response: token });
    if (opts.ip) form.set("remoteip", opts.ip);
    let answer: z.infer<typeof AnswerSchema>;
    try {
      const res = await fetch(this.url, { method: "POST", body: form, signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS) });
      if (!res.ok) return { ok: false, reason: "unavailable", detail: `siteverify answered HTTP ${res.status}` };
      const parsed = AnswerSchema.safeParse(JSON.parse((await res.text()).slice(0, 8192)));
      if (!parsed.success) return { ok: false, reason: "unavailable", detail: "siteverify's answer is not readable" };
      answer = parsed.data;
    } catch (err) {
      return { ok: false, reason: "unavailable", detail: `siteverify did not answer: ${(err as Error).name}` };
    }
    if (!answer.success) {
      const codes = answer["error-codes"];
      return {
        ok: false,
        reason: "invalid",
        detail: codes.includes("timeout-or-duplicate")
          ? "the Turnstile token was already used or expired"
          : `the Turnstile token was refused (${codes.join(", ") || "no reason"})`,
      };
    }
    // A real token names the page it was solved on: it must be one of the source's own origins.
    if (answer.hostname && opts.hostnames.length > 0 && !DUMMY_SECRET.test(secret) && !opts.hostnames.includes(answer.hostname))
      return { ok: false, reason: "invalid", detail: "the Turnstile token was solved on another site" };
    return { ok: true };
  }
}
