// Cloudflare Access in front of the admin API and the console: the JWT Access adds to every request
// it lets through (Cf-Access-Jwt-Assertion) is checked against the team's signing keys
// (<team domain>/cdn-cgi/access/certs, cached per isolate for an hour; fetched again for a key id it
// does not know, at most every 30 s, so made-up key ids can't make it fetch on every request), the
// team domain as issuer and the application's AUD tag. A valid token names the admin: its email.
import { jwtKeyId, verifyJwt, type Jwk } from "../lib/jwt";
import { errorText, log } from "../lib/log";

export const ACCESS_HEADER = "cf-access-jwt-assertion";

const KEYS_TTL_MS = 3_600_000;
const REFETCH_MIN_MS = 30_000;
const LOOPBACK = new Set(["127.0.0.1", "localhost"]);

interface KeySet {
  keys: Jwk[];
  fetchedAt: number;
}
const cache = new Map<string, KeySet>();

/** The team domain as Access writes it in `iss` (https://<team>.cloudflareaccess.com), or null when it is not one we may fetch from. */
export function teamIssuer(domain: string): string | null {
  try {
    const url = new URL(domain.includes("://") ? domain : `https://${domain}`);
    // https only, but a loopback stub over http for tests and local runs.
    if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) return null;
    return url.origin;
  } catch {
    return null;
  }
}

async function fetchKeys(issuer: string, now: number): Promise<KeySet> {
  const res = await fetch(`${issuer}/cdn-cgi/access/certs`, { redirect: "manual", signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`certs answered ${res.status}`);
  const body = (await res.json()) as { keys?: unknown };
  const keys = Array.isArray(body.keys) ? (body.keys.filter((k) => k && typeof k === "object") as Jwk[]) : [];
  const set = { keys, fetchedAt: now };
  cache.set(issuer, set);
  return set;
}

export type AccessIdentity = { ok: true; email: string } | { ok: false; reason: string };

/** The person an Access JWT names, if it is valid for this team and application. */
export async function accessIdentity(token: string, team: { domain: string; audience: string }, now = Date.now()): Promise<AccessIdentity> {
  const issuer = teamIssuer(team.domain);
  if (!issuer) return { ok: false, reason: "ACCESS_TEAM_DOMAIN is not an https URL" };
  try {
    let set = cache.get(issuer);
    if (!set || now - set.fetchedAt > KEYS_TTL_MS) set = await fetchKeys(issuer, now);
    const kid = jwtKeyId(token);
    if (kid && !set.keys.some((k) => k.kid === kid) && now - set.fetchedAt > REFETCH_MIN_MS) set = await fetchKeys(issuer, now);
    const check = await verifyJwt(token, set.keys, { issuer, audience: team.audience, nowMs: now });
    if (!check.ok) return check;
    const who = check.claims.email ?? check.claims.common_name;
    if (typeof who !== "string" || !who) return { ok: false, reason: "the token names no one" };
    return { ok: true, email: who.slice(0, 200) };
  } catch (err) {
    log("access_keys_unavailable", { error: errorText(err) }, "error");
    return { ok: false, reason: "Access's signing keys could not be fetched" };
  }
}

/** Tests: forget the cached key sets. */
export function forgetAccessKeys(): void {
  cache.clear();
}
