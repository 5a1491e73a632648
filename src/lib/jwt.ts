// RS256 JSON Web Tokens checked against a JSON Web Key Set with WebCrypto: the signature under the
// key the token names (`kid`), the issuer, the audience and the validity window (with a minute of
// clock skew). What Cloudflare Access's JWT needs, and nothing else (no other algorithm is taken:
// a token naming "none" or HS256 is refused before any key is looked at).
export interface Jwk {
  kid?: string;
  kty: string;
  alg?: string;
  n?: string;
  e?: string;
}

export type JwtClaims = Record<string, unknown> & { iss?: unknown; aud?: unknown; exp?: unknown; nbf?: unknown; email?: unknown };

export type JwtCheck = { ok: true; claims: JwtClaims } | { ok: false; reason: string; kid?: string };

const SKEW_S = 60;

const b64urlBytes = (s: string): Uint8Array => {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
};

function part(s: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(new TextDecoder().decode(b64urlBytes(s))) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The key id a token names (to pick its key, or to know a key set must be fetched again). */
export function jwtKeyId(token: string): string | undefined {
  const kid = part(token.split(".")[0] ?? "")?.kid;
  return typeof kid === "string" ? kid : undefined;
}

export async function verifyJwt(
  token: string,
  keys: readonly Jwk[],
  expect: { issuer: string; audience: string; nowMs: number },
): Promise<JwtCheck> {
  const [h, p, s, ...rest] = token.split(".");
  if (!h || !p || !s || rest.length) return { ok: false, reason: "not a JWT" };
  const header = part(h);
  const claims = part(p) as JwtClaims | null;
  if (!header || !claims) return { ok: false, reason: "not a JWT" };
  if (header.alg !== "RS256") return { ok: false, reason: `algorithm ${String(header.alg).slice(0, 16)} is not taken` };
  const kid = typeof header.kid === "string" ? header.kid : undefined;
  const jwk = keys.find((k) => k.kid === kid && k.kty === "RSA");
  if (!jwk) return { ok: false, reason: "unknown key", kid };
  let signed: boolean;
  try {
    const key = await crypto.subtle.importKey(
      "jwk",
      { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RS256", ext: true },
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["verify"],
    );
    signed = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, b64urlBytes(s), new TextEncoder().encode(`${h}.${p}`));
  } catch {
    return { ok: false, reason: "unusable key" };
  }
  if (!signed) return { ok: false, reason: "bad signature" };
  if (claims.iss !== expect.issuer) return { ok: false, reason: "wrong issuer" };
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(expect.audience)) return { ok: false, reason: "wrong audience" };
  const now = expect.nowMs / 1000;
  if (typeof claims.exp !== "number" || claims.exp + SKEW_S < now) return { ok: false, reason: "expired" };
  if (typeof claims.nbf === "number" && claims.nbf - SKEW_S > now) return { ok: false, reason: "not valid yet" };
  return { ok: true, claims };
}
