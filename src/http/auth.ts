// Who is calling, decided in one place. Four kinds of caller, one middleware factory (`requireAuth`)
// that puts the verified caller on the context as `principal`:
// - a source: a server with its API key, or a browser form with its publishable key from an allowed
//   Origin (checked by the lead routes themselves, before anything else the body names, the campaign
//   included, so campaign slugs can't be probed without a key);
// - the admin: `Authorization: Bearer <ADMIN_TOKEN>` on the API, or a signed console session;
// - a publisher in its console: a signed session made from its API key;
// - a buyer calling back (returns, feedback, deletions): a v3 signature under the contract's key.
// Without an admin token of at least 32 characters the admin API and the console do not exist (404).
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SIGNATURE_V3_HEADER, TIMESTAMP_HEADER, verifySignedRequest } from "../buyers/signature";
import { hmacSha256Hex, sha256Hex, timingSafeEqualHex } from "../lib/crypto";
import { log } from "../lib/log";
import type { Contract, Rules, Source } from "../rules/model";
import { readBodyText } from "./body";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

export interface Credentials {
  apiKey: string | null;
  publishableKey: string | null;
  origin: string | null;
}

/** How a source reached us: browsers hold only a public key, so they learn and may do less. */
export type Channel = "server" | "browser";

/** The caller `requireAuth` verified. */
export type Principal =
  | { kind: "admin"; via: "token" | "session" }
  | { kind: "source"; source: Source }
  | { kind: "buyer"; contract: Contract; /** The signed JSON body (null when not JSON). */ body: unknown };

export async function sourceByApiKey(rules: Rules, apiKey: string | null | undefined): Promise<Source> {
  if (!apiKey) throw new ApiError(401, "unauthorized", "send the source's X-Api-Key");
  const source = rules.sourcesByKeyHash.get(await sha256Hex(apiKey));
  if (!source) throw new ApiError(401, "unauthorized", "unknown API key (X-Api-Key)");
  return source;
}

export async function authenticate(rules: Rules, creds: Credentials): Promise<{ source: Source; channel: Channel }> {
  if (creds.apiKey) return { source: await sourceByApiKey(rules, creds.apiKey), channel: "server" };
  if (!creds.publishableKey) throw new ApiError(401, "unauthorized", "send X-Api-Key, or a publishable key from a browser form");
  const source = rules.sourcesByPublishableKey.get(creds.publishableKey);
  if (!source) throw new ApiError(401, "unauthorized", "unknown publishable key");
  if (!creds.origin || !source.allowedOrigins.includes(creds.origin))
    throw new ApiError(403, "origin_not_allowed", `origin ${creds.origin?.slice(0, 200) ?? "(none)"} may not post for this source`);
  return { source, channel: "browser" };
}

/** Origins any active source allows: what a CORS preflight (which carries no key) can be answered for. */
export function originAllowedByAnySource(rules: Rules, origin: string): boolean {
  for (const s of rules.sourcesById.values()) if (s.allowedOrigins.includes(origin)) return true;
  return false;
}

/** Shortest admin token that enables the admin API and the console. */
export const MIN_ADMIN_TOKEN = 32;

/** The admin token when it is set and long enough (it also signs sessions); null: no admin API, no console. */
export function adminTokenOf(c: Context<AppEnv>): string | null {
  const token = c.env.ADMIN_TOKEN;
  if (token && token.length < MIN_ADMIN_TOKEN) log("admin_token_too_short", { min_length: MIN_ADMIN_TOKEN }, "warn");
  return token && token.length >= MIN_ADMIN_TOKEN ? token : null;
}

const bearerOf = (c: Context) => c.req.header("authorization")?.replace(/^Bearer\s+/i, "");
const sameSecret = async (given: string, secret: string) => timingSafeEqualHex(await sha256Hex(given), await sha256Hex(secret));

// Sessions: `<subject>.<expiry ms>.<HMAC(admin token, kind.subject.expiry)>` in an HttpOnly,
// SameSite=Strict cookie scoped to /console. The cookie holds no secret and nothing stored in D1.
export type SessionKind = "admin" | "source";
export const SESSION_COOKIES: Record<SessionKind, string> = { admin: "lg_admin", source: "lg_source" };
const SESSION_S = 12 * 3600;

export async function startSession(c: Context<AppEnv>, token: string, kind: SessionKind, subject: string, now = Date.now()): Promise<void> {
  const until = now + SESSION_S * 1000;
  const value = `${subject}.${until}.${await hmacSha256Hex(token, `${kind}.${subject}.${until}`)}`;
  const secure = new URL(c.req.url).protocol === "https:";
  setCookie(c, SESSION_COOKIES[kind], value, { httpOnly: true, sameSite: "Strict", path: "/console", secure, maxAge: SESSION_S });
}

export function endSessions(c: Context<AppEnv>): void {
  for (const name of Object.values(SESSION_COOKIES)) deleteCookie(c, name, { path: "/console" });
}

/** The session's subject, if the cookie is one we signed and it has not expired. */
async function sessionSubject(c: Context<AppEnv>, token: string, kind: SessionKind, now = Date.now()): Promise<string | undefined> {
  const m = /^([A-Za-z0-9_-]{1,64})\.(\d{13})\.([0-9a-f]{64})$/.exec(getCookie(c, SESSION_COOKIES[kind]) ?? "");
  if (!m || Number(m[2]) < now) return undefined;
  return timingSafeEqualHex(m[3]!, await hmacSha256Hex(token, `${kind}.${m[1]}.${m[2]}`)) ? m[1] : undefined;
}

/** The subject a login secret proves: the admin token proves "admin", a source's API key its id. */
export async function loginSubject(c: Context<AppEnv>, kind: SessionKind, token: string, secret: string): Promise<string | null> {
  if (kind === "admin") return (await sameSecret(secret, token)) ? "admin" : null;
  return c.var.rules.sourcesByKeyHash.get(await sha256Hex(secret))?.id ?? null;
}

export const CONTRACT_HEADER = "X-Leadgate-Contract";
/** How a buyer-signed route is described in OpenAPI. */
export const SIGNED_BY_BUYER =
  "Headers: X-Leadgate-Contract (the contract), X-Leadgate-Timestamp and X-Leadgate-Signature-V3 (v3 over the direction to-leadgate, timestamp, method, path and body, with the contract's key).";
const MAX_SIGNED_BODY = 4096;

/** A buyer's call back to us: the contract whose key signed it, and its JSON body; undefined when unsigned. */
async function signedByBuyer(c: Context<AppEnv>): Promise<Extract<Principal, { kind: "buyer" }> | undefined> {
  const contract = c.var.rules.contractsById.get(c.req.header(CONTRACT_HEADER) ?? "");
  // The signature covers the raw body, so it is read here, as sent, and parsed after.
  const text = await readBodyText(c.req.raw, MAX_SIGNED_BODY);
  if (!contract) return undefined;
  const request = {
    method: c.req.method,
    url: c.req.url,
    body: text,
    timestamp: c.req.header(TIMESTAMP_HEADER) ?? null,
    signature: c.req.header(SIGNATURE_V3_HEADER) ?? null,
  };
  if (!(await verifySignedRequest(contract.postSecrets, request, Date.now()))) return undefined;
  let body: unknown = null;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // judged by the route's schema
  }
  return { kind: "buyer", contract, body };
}

export type Guard = "admin" | "console_admin" | "console_source" | "buyer";

/**
 * The one auth middleware: verifies the caller a route needs and puts it on the context as
 * `principal`. The admin API takes only the Bearer token (no cookies, so no cross-site requests); the
 * console takes its session (or the token, for scripts) and sends anyone else to its login page.
 */
export function requireAuth(guard: Guard): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (guard === "buyer") {
      const buyer = await signedByBuyer(c);
      if (!buyer)
        throw new ApiError(
          401,
          "unauthorized",
          `sign the request with the contract's key (${CONTRACT_HEADER}, ${TIMESTAMP_HEADER}, ${SIGNATURE_V3_HEADER})`,
        );
      c.set("principal", buyer);
      return next();
    }
    const token = adminTokenOf(c);
    if (!token) throw new ApiError(404, "not_found", "not found");
    const bearer = bearerOf(c);
    if (guard === "admin") {
      if (!(await sameSecret(bearer ?? "", token))) throw new ApiError(401, "unauthorized", "bad admin token");
      c.set("principal", { kind: "admin", via: "token" });
      return next();
    }
    if (guard === "console_admin") {
      const ok = bearer ? await sameSecret(bearer, token) : (await sessionSubject(c, token, "admin")) === "admin";
      if (!ok) return c.redirect("/console/login", 303);
      c.set("principal", { kind: "admin", via: bearer ? "token" : "session" });
      return next();
    }
    const id = await sessionSubject(c, token, "source");
    const source = id ? c.var.rules.sourcesById.get(id) : undefined;
    if (!source) return c.redirect("/console/source/login", 303);
    c.set("principal", { kind: "source", source });
    return next();
  };
}

/** The verified caller of a route behind `requireAuth(guard)`. */
export function principalOf<K extends Principal["kind"]>(c: Context<AppEnv>, kind: K): Extract<Principal, { kind: K }> {
  const p = c.var.principal;
  if (p?.kind !== kind) throw new Error(`route expects a ${kind} principal`);
  return p as Extract<Principal, { kind: K }>;
}
