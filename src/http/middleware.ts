// Per-request plumbing: the scope (config, service clients, rules) and CORS. Who is calling is ./auth.ts.
import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { scopeOf } from "../services";
import { originAllowedByAnySource } from "./auth";
import type { AppEnv } from "./context";

/** Work that outlives the answer (events emitted after it): the request's waitUntil, when it has one. */
const keepAlive = (c: Context) => (p: Promise<unknown>) => {
  try {
    c.executionCtx.waitUntil(p);
  } catch {
    p.catch(() => {}); // no execution context (app.request in Node): it just runs
  }
};

/** Every request: configuration and the service clients, built once. */
export const init: MiddlewareHandler<AppEnv> = async (c, next) => {
  const colo = (c.req.raw.cf as { colo?: unknown } | undefined)?.colo;
  const scope = scopeOf(c.env, typeof colo === "string" ? colo : undefined, keepAlive(c));
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

const leadCors = cors({
  // A browser may call from an origin that some active source allows; which source it posts for
  // (and whether that source allows the origin) is checked with its key. Errors raised before the
  // source is known carry these headers too, so page JavaScript can read them.
  origin: (origin, c) => (origin && originAllowedByAnySource(c.var.rules, origin) ? origin : null),
  allowMethods: ["POST", "OPTIONS"],
  allowHeaders: ["content-type", "x-publishable-key", "idempotency-key", "cf-turnstile-response"],
  // Not Server-Timing: browsers get none (its `post` entry tells a sale from no sale).
  exposeHeaders: ["retry-after"],
  maxAge: 600,
});

/** CORS for the browser-facing lead route; a preflight from an origin no source allows is refused. */
export const browserCors: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origin = c.req.header("origin");
  if (c.req.method === "OPTIONS" && !(origin && originAllowedByAnySource(c.var.rules, origin))) return c.body(null, 403);
  return leadCors(c, next);
};
