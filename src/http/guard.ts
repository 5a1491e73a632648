// The gateway refuses to handle consumer data when it is not configured to protect it: in production
// (LEADGATE_ENV, "production" unless a local run says otherwise) without FINGERPRINT_PEPPER every
// fingerprint would be a plain SHA-256 of a phone number, reversible by hashing every number. A Worker
// can't refuse to start, so it answers 503 `gateway_misconfigured` to everything but its health checks,
// the API document and the console, which say why.
import type { MiddlewareHandler } from "hono";
import type { Config } from "../env";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** Shortest pepper accepted: a key is only as strong as its length. */
export const MIN_PEPPER = 32;

/** What the configuration lacks for this environment; empty when it is sound. */
export function configProblems(config: Config): string[] {
  const problems: string[] = [];
  const pepper = config.FINGERPRINT_PEPPER;
  if (pepper !== undefined && pepper.length < MIN_PEPPER) problems.push(`FINGERPRINT_PEPPER is shorter than ${MIN_PEPPER} characters`);
  if (pepper === undefined && config.LEADGATE_ENV === "production")
    problems.push("FINGERPRINT_PEPPER is not set (wrangler secret put FINGERPRINT_PEPPER): fingerprints would be reversible");
  return problems;
}

const ALWAYS_OPEN = [/^\/health$/, /^\/admin\/health$/, /^\/openapi\.json$/, /^\/console(\/|$)/];

/** Every other route answers 503 while the configuration is unsound. */
export const requireSoundConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (ALWAYS_OPEN.some((p) => p.test(c.req.path))) return next();
  const problems = configProblems(c.var.config);
  if (problems.length > 0)
    throw new ApiError(503, "gateway_misconfigured", `the gateway is misconfigured (${problems.join("; ")}); see /admin/health`, [], {
      "retry-after": "60",
    });
  return next();
};
