// A local stand-in for Cloudflare Turnstile's siteverify (tests, `npm start`, the benchmark). It
// honours Cloudflare's documented dummy secret keys and refuses anything else, as production would
// refuse a dummy token:
//   1x0000000000000000000000000000000AA  always passes
//   2x0000000000000000000000000000000AA  always fails
//   3x0000000000000000000000000000000AA  "token already spent" (timeout-or-duplicate)

export const TURNSTILE_PASS = "1x0000000000000000000000000000000AA";
export const TURNSTILE_FAIL = "2x0000000000000000000000000000000AA";
export const TURNSTILE_SPENT = "3x0000000000000000000000000000000AA";
/** The dummy sitekey that always passes, and the token its widget produces. */
export const TURNSTILE_TEST_SITEKEY = "1x00000000000000000000AA";
export const TURNSTILE_DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

export interface SiteverifyAnswer {
  success: boolean;
  "error-codes": string[];
  hostname?: string;
  challenge_ts?: string;
}

/** siteverify's answer to a form-encoded (or JSON) request body. */
export function siteverify(body: string, contentType: string): SiteverifyAnswer {
  let secret = "";
  let response = "";
  if (contentType.includes("json")) {
    const j = JSON.parse(body || "{}") as { secret?: string; response?: string };
    secret = j.secret ?? "";
    response = j.response ?? "";
  } else {
    const f = new URLSearchParams(body);
    secret = f.get("secret") ?? "";
    response = f.get("response") ?? "";
  }
  if (!secret) return { success: false, "error-codes": ["missing-input-secret"] };
  if (!response) return { success: false, "error-codes": ["missing-input-response"] };
  const ok = { success: true, "error-codes": [], hostname: "example.com", challenge_ts: new Date().toISOString() };
  switch (secret) {
    case TURNSTILE_PASS:
      return ok;
    case TURNSTILE_FAIL:
      return { success: false, "error-codes": ["invalid-input-response"] };
    case TURNSTILE_SPENT:
      return { success: false, "error-codes": ["timeout-or-duplicate"] };
    default:
      return { success: false, "error-codes": ["invalid-input-secret"] };
  }
}
