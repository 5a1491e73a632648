// Who the admin is, for the admin API, the console and the audit trail: the admin token (it also
// signs console sessions; named "admin"), named admin tokens (ADMIN_TOKENS, one per person), or
// Cloudflare Access's JWT (its email). And the console's forms' CSRF token, bound to the session (or
// the Access identity) it was issued to.
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import * as z from "zod";
import { hmacSha256Hex, sha256Hex, timingSafeEqualHex } from "../lib/crypto";
import { log } from "../lib/log";
import { ACCESS_HEADER, accessIdentity } from "../services/access";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** Shortest admin token that enables the admin API and the console. */
export const MIN_ADMIN_TOKEN = 32;

/** The admin token when it is set and long enough (it also signs sessions); null: no admin API, no console. */
export function adminTokenOf(c: Context<AppEnv>): string | null {
  const token = c.env.ADMIN_TOKEN;
  if (token && token.length < MIN_ADMIN_TOKEN) log("admin_token_too_short", { min_length: MIN_ADMIN_TOKEN }, "warn");
  return token && token.length >= MIN_ADMIN_TOKEN ? token : null;
}

export const ADMIN_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const NamedTokens = z.record(z.string().regex(ADMIN_NAME), z.string().min(MIN_ADMIN_TOKEN));

const parsedTokens = new Map<string, Map<string, string>>();
/** Every admin token by the name the trail records: ADMIN_TOKEN as "admin", then ADMIN_TOKENS'. */
export function adminTokens(c: Context<AppEnv>): Map<string, string> {
  const main = adminTokenOf(c);
  const raw = c.env.ADMIN_TOKENS ?? "";
  const key = `${main ?? ""}\u0000${raw}`;
  let out = parsedTokens.get(key);
  if (out) return out;
  out = new Map();
  if (main) out.set("admin", main);
  if (raw.trim()) {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // reported below
    }
    const named = NamedTokens.safeParse(parsed);
    if (named.success) for (const [name, token] of Object.entries(named.data)) if (!out.has(name)) out.set(name, token);
    if (!named.success)
      log("admin_tokens_ignored", { reason: "ADMIN_TOKENS is not a JSON object of name -> token (32+ characters)" }, "warn");
  }
  parsedTokens.clear();
  parsedTokens.set(key, out);
  return out;
}

const sameSecret = async (given: string, secret: string) => timingSafeEqualHex(await sha256Hex(given), await sha256Hex(secret));

/** The name of the admin token `secret` is, if it is one. */
export async function adminNameOf(c: Context<AppEnv>, secret: string): Promise<string | null> {
  let found: string | null = null;
  // Every token is compared (in constant time each), so the time taken says nothing about which matched.
  for (const [name, token] of adminTokens(c)) if ((await sameSecret(secret, token)) && found === null) found = name;
  return found;
}

/**
 * The admin Access names, when Access is configured and the request carries its JWT: its email. An
 * invalid token is a 401 (Access never forwards one); no token, or Access not configured: null.
 */
export async function accessAdmin(c: Context<AppEnv>): Promise<string | null> {
  const domain = c.env.ACCESS_TEAM_DOMAIN;
  const audience = c.env.ACCESS_AUD;
  const jwt = c.req.header(ACCESS_HEADER);
  if (!domain || !audience || !jwt) return null;
  const who = await accessIdentity(jwt, { domain, audience });
  if (!who.ok) {
    log("access_jwt_refused", { reason: who.reason }, "warn");
    throw new ApiError(401, "unauthorized", `Cloudflare Access token refused: ${who.reason}`);
  }
  return who.email;
}

/** Browsers send Origin on a POST; one from another site is refused (the forms' second lock, after SameSite). */
export function sameOrigin(c: Context<AppEnv>): boolean {
  const origin = c.req.header("origin");
  return origin === undefined || origin === new URL(c.req.url).origin;
}

/**
 * The console forms' CSRF token: an HMAC under the admin token of what authenticated the page (the
 * session cookie as sent, or the Access email), so a token is good only for the session it was
 * rendered in. Bearer callers (scripts) need none.
 */
export async function csrfToken(c: Context<AppEnv>, via: string, actor: string): Promise<string> {
  const signer = adminTokenOf(c) ?? "";
  const bound = via === "session" ? (getCookie(c, "lg_admin") ?? "") : `${via}:${actor}`;
  return (await hmacSha256Hex(signer, `console-csrf:${bound}`)).slice(0, 32);
}
