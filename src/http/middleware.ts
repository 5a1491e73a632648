// Per-request plumbing: the scope (config, service clients, rules), admin authentication and CORS.
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { sha256Hex, timingSafeEqualHex } from "../lib/crypto";
import { log } from "../lib/log";
import { scopeOf } from "../services";
import { originAllowedByAnySource } from "./auth";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** Every request: configuration and the service clients, built once. */
export const init: MiddlewareHandler<AppEnv> = async (c, next) => {
  const colo = (c.req.raw.cf as { colo?: unknown } | undefined)?.colo;
  const scope = scopeOf(c.env, typeof colo === "string" ? colo : undefined);
  c.set("config", scope.config);
  c.set("services", scope.services);
  c.set("loadRules", scope.rules);
  await next();
};

/** Routes that work on rules: loaded (or served from the isolate cache) before the handler. */
export const withRules: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("rules", await c.var.loadRules());
  await next();
};

/** Shortest admin token that enables the admin routes. */
export const MIN_ADMIN_TOKEN = 32;

/**
 * /admin/*: `Authorization: Bearer <ADMIN_TOKEN>`. Without the secret, or with one shorter than 32
 * characters (guessable), the routes do not exist.
 */
export const adminAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = c.env.ADMIN_TOKEN;
  if (!token || token.length < MIN_ADMIN_TOKEN) {
    if (token) log("admin_token_too_short", { min_length: MIN_ADMIN_TOKEN }, "warn");
    throw new ApiError(404, "not_found", "not found");
  }
  const given = c.req.header("authorization")?.replace(/^Bearer\s+/i, "") ?? "";
  if (!timingSafeEqualHex(await sha256Hex(given), await sha256Hex(token))) throw new ApiError(401, "unauthorized", "bad admin token");
  await next();
};

const leadCors = cors({
  // A browser may call from an origin that some active source allows; which source it posts for
  // (and whether that source allows the origin) is checked with its key. Errors raised before the
  // source is known carry these headers too, so page JavaScript can read them.
  origin: (origin, c) => (origin && originAllowedByAnySource(c.var.rules, origin) ? origin : null),
  allowMethods: ["POST", "OPTIONS"],
  allowHeaders: ["content-type", "x-publishable-key", "idempotency-key", "cf-turnstile-response"],
  exposeHeaders: ["server-timing", "retry-after"],
  maxAge: 600,
});

/** CORS for the browser-facing lead route; a preflight from an origin no source allows is refused. */
export const browserCors: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origin = c.req.header("origin");
  if (c.req.method === "OPTIONS" && !(origin && originAllowedByAnySource(c.var.rules, origin))) return c.body(null, 403);
  return leadCors(c, next);
};
