// Who is calling, decided in one place. Five kinds of caller, one middleware factory (`requireAuth`)
// that puts the verified caller on the context as `principal`:
// - a source: a server with its API key, or a browser form with its publishable key from an allowed
//   Origin (checked by the lead routes themselves, before anything else the body names, the campaign
//   included, so campaign slugs can't be probed without a key);
// - the admin: a token on the API (`Authorization: Bearer`: ADMIN_TOKEN, or a person's own from
//   ADMIN_TOKENS), Cloudflare Access's JWT, or a signed console session (./admin-auth.ts);
// - a publisher in its console: a signed session made from its API key or its reporting key, bound
//   to that key and to the source's session epoch in D1;
// - a buyer calling back (returns, feedback, deletions): a v3 signature (direction "to-leadgate")
//   under the contract's key;
// - a buyer in its console: a signed session made from one of its contracts' keys, bound to that key
//   and to the buyer's session epoch.
// Without an admin token of at least 32 characters the admin API and the console do not exist (404).
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SIGNATURE_V3_HEADER, TIMESTAMP_HEADER, verifySignedRequest } from "../buyers/signature";
import { hmacSha256Hex, sha256Hex, timingSafeEqualHex } from "../lib/crypto";
import type { Contract, Rules, Source } from "../rules/model";
import { accessAdmin, adminNameOf, adminTokenOf, adminTokens, sameOrigin } from "./admin-auth";
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
  | { kind: "admin"; via: "token" | "session" | "access"; /** Who, for the audit trail: a token's name or Access's email. */ actor: string }
  | { kind: "source"; source: Source }
  /** A buyer in its own console (a session made with one of its contracts' keys). */
  | { kind: "buyer_console"; buyerId: string }
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

export { adminTokenOf, MIN_ADMIN_TOKEN } from "./admin-auth";

const bearerOf = (c: Context) => c.req.header("authorization")?.replace(/^Bearer\s+/i, "");

// Sessions: `<subject>.<key tag>.<epoch>.<expiry ms>.<HMAC(admin token, kind.subject.tag.epoch.expiry)>`
// in an HttpOnly, SameSite=Strict cookie scoped to /console; it holds no secret. The key tag (a short
// hash of the hash of the key the login used) binds a publisher's session to that key: once the key
// is no longer one of the source's, the session is refused. The epoch is the subject's in D1
// (db/sessions.ts): logging out and changing a source's keys bump it, so older sessions are refused
// on the server's side. Console pages read it once each (they are not the lead path).
export type SessionKind = "admin" | "source" | "buyer";
export const SESSION_COOKIES: Record<SessionKind, string> = { admin: "lg_admin", source: "lg_source", buyer: "lg_buyer" };
const SESSION_S = 12 * 3600;

/** What a login proved: who, and the SHA-256 of the secret it used (the session is bound to it). */
export interface Login {
  subject: string;
  keyHash: string;
}

interface Session {
  subject: string;
  tag: string;
  epoch: number;
}

const keyTag = async (keyHash: string) => (await sha256Hex(`console-session:${keyHash}`)).slice(0, 16);
/** Whose epoch a session answers to: the admin token's ("admin"), a named admin's, a source's, a buyer's. */
const epochSubject = (kind: SessionKind, subject: string) =>
  kind === "admin" ? (subject === "admin" ? "admin" : `admin:${subject}`) : `${kind}:${subject}`;
const sessionMac = (token: string, kind: SessionKind, s: Session, until: number) =>
  hmacSha256Hex(token, `${kind}.${s.subject}.${s.tag}.${s.epoch}.${until}`);

export async function startSession(c: Context<AppEnv>, token: string, kind: SessionKind, login: Login, now = Date.now()): Promise<void> {
  const until = now + SESSION_S * 1000;
  const epoch = await c.var.services.records.sessions.epoch(epochSubject(kind, login.subject));
  const s: Session = { subject: login.subject, tag: await keyTag(login.keyHash), epoch };
  const value = `${s.subject}.${s.tag}.${s.epoch}.${until}.${await sessionMac(token, kind, s, until)}`;
  const secure = new URL(c.req.url).protocol === "https:";
  setCookie(c, SESSION_COOKIES[kind], value, { httpOnly: true, sameSite: "Strict", path: "/console", secure, maxAge: SESSION_S });
}

/** The session in the cookie, if we signed it and it has not expired (its epoch and key not checked yet). */
async function signedSession(c: Context<AppEnv>, token: string, kind: SessionKind, now = Date.now()): Promise<Session | undefined> {
  const m = /^([A-Za-z0-9_-]{1,64})\.([0-9a-f]{16})\.(\d{1,15})\.(\d{13})\.([0-9a-f]{64})$/.exec(getCookie(c, SESSION_COOKIES[kind]) ?? "");
  if (!m || Number(m[4]) < now) return undefined;
  const s: Session = { subject: m[1]!, tag: m[2]!, epoch: Number(m[3]) };
  return timingSafeEqualHex(m[5]!, await sessionMac(token, kind, s, Number(m[4]))) ? s : undefined;
}

/** A signed session that is still live: made in its subject's current epoch, from a key that is still valid. */
async function liveSession(c: Context<AppEnv>, token: string, kind: SessionKind): Promise<Session | undefined> {
  const s = await signedSession(c, token, kind);
  if (!s || s.epoch !== (await c.var.services.records.sessions.epoch(epochSubject(kind, s.subject)))) return undefined;
  const adminKey = kind === "admin" ? adminTokens(c).get(s.subject) : undefined;
  const keys =
    kind === "admin"
      ? adminKey
        ? [await sha256Hex(adminKey)]
        : []
      : kind === "source"
        ? loginKeysOf(c.var.rules, s.subject)
        : await buyerKeyHashes(c, s.subject);
  for (const k of keys) if (timingSafeEqualHex(s.tag, await keyTag(k))) return s;
  return undefined;
}

/** The source a login key's hash names: an API key first, then a reporting key. */
const sourceOfKeyHash = (rules: Rules, hash: string) => rules.sourcesByKeyHash.get(hash) ?? rules.sourcesByReportKeyHash.get(hash);

/** The hashes of the keys that log in as this source now: its API keys and its reporting key, each naming it. */
function loginKeysOf(rules: Rules, sourceId: string): string[] {
  const s = rules.sourcesById.get(sourceId);
  const hashes = s ? [s.apiKeyHash, s.apiKeyHashNext, s.reportKeyHash] : [];
  return hashes.filter((h): h is string => h !== null && sourceOfKeyHash(rules, h)?.id === sourceId);
}

/** Every contract key's hash with its buyer (paused contracts too: a buyer that paused them all still logs in). */
async function contractKeyHashes(c: Context<AppEnv>, buyerId: string | null): Promise<{ buyerId: string; hash: string }[]> {
  const rows = await c.var.services.records.buyerView.contractKeys(buyerId);
  return Promise.all(rows.flatMap((r) => r.keys.map(async (k) => ({ buyerId: r.buyerId, hash: await sha256Hex(k) }))));
}

const buyerKeyHashes = async (c: Context<AppEnv>, buyerId: string) => (await contractKeyHashes(c, buyerId)).map((k) => k.hash);

/** Logging out: the sessions presented (ours, signed) end everywhere (their subjects' epochs move on), and the cookies go. */
export async function endSessions(c: Context<AppEnv>, token: string | null, now = Date.now()): Promise<void> {
  const subjects: string[] = [];
  for (const kind of ["admin", "source", "buyer"] as const) {
    const s = token ? await signedSession(c, token, kind, now) : undefined;
    if (s) subjects.push(epochSubject(kind, s.subject));
    deleteCookie(c, SESSION_COOKIES[kind], { path: "/console" });
  }
  await c.var.services.records.sessions.bump(subjects, now);
}

/** What a login secret proves: an admin token, its name ("admin" for ADMIN_TOKEN); a source's API key or reporting key, its id. */
export async function loginSubject(c: Context<AppEnv>, kind: SessionKind, secret: string): Promise<Login | null> {
  const keyHash = await sha256Hex(secret);
  if (kind === "admin") {
    const name = await adminNameOf(c, secret);
    return name ? { subject: name, keyHash } : null;
  }
  if (kind === "buyer") {
    // A key shared by several buyers' contracts names no one buyer: refused.
    const buyers = new Set((await contractKeyHashes(c, null)).filter((k) => timingSafeEqualHex(k.hash, keyHash)).map((k) => k.buyerId));
    return buyers.size === 1 ? { subject: [...buyers][0]!, keyHash } : null;
  }
  const source = sourceOfKeyHash(c.var.rules, keyHash);
  return source ? { subject: source.id, keyHash } : null;
}

/** The source a reporting call names: its API key (X-Api-Key) or its reporting key (X-Report-Key). */
export async function sourceForReports(rules: Rules, apiKey: string | undefined, reportKey: string | undefined): Promise<Source> {
  if (apiKey) return sourceByApiKey(rules, apiKey);
  if (!reportKey) throw new ApiError(401, "unauthorized", "send the source's X-Api-Key or its X-Report-Key");
  const source = rules.sourcesByReportKeyHash.get(await sha256Hex(reportKey));
  if (!source) throw new ApiError(401, "unauthorized", "unknown reporting key (X-Report-Key)");
  return source;
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

export type Guard = "admin" | "console_admin" | "console_source" | "console_buyer" | "buyer";

type AdminPrincipal = Extract<Principal, { kind: "admin" }>;

/**
 * The admin calling, if any: Cloudflare Access's JWT first (it names a person), then a Bearer token
 * (the API takes nothing else, so no cookie makes a cross-site request an admin one), then — on the
 * console — the session. An admin write named by Access alone must come from our own origin.
 */
async function adminCaller(c: Context<AppEnv>, token: string, guard: "admin" | "console_admin"): Promise<AdminPrincipal | null> {
  const email = await accessAdmin(c);
  if (email) {
    if (c.req.method !== "GET" && !sameOrigin(c)) throw new ApiError(403, "unauthorized", "a cross-site admin request is refused");
    return { kind: "admin", via: "access", actor: email };
  }
  const bearer = bearerOf(c);
  if (bearer || guard === "admin") {
    const name = bearer ? await adminNameOf(c, bearer) : null;
    return name ? { kind: "admin", via: "token", actor: name } : null;
  }
  const session = await liveSession(c, token, "admin");
  return session ? { kind: "admin", via: "session", actor: session.subject } : null;
}

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
    if (guard === "admin" || guard === "console_admin") {
      const admin = await adminCaller(c, token, guard);
      if (!admin) {
        if (guard === "admin") throw new ApiError(401, "unauthorized", "bad admin token");
        return c.redirect("/console/login", 303);
      }
      c.set("principal", admin);
      return next();
    }
    if (guard === "console_buyer") {
      const s = await liveSession(c, token, "buyer");
      if (!s) return c.redirect("/console/buyer/login", 303);
      c.set("principal", { kind: "buyer_console", buyerId: s.subject });
      return next();
    }
    const session = await liveSession(c, token, "source");
    const source = session ? c.var.rules.sourcesById.get(session.subject) : undefined;
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
