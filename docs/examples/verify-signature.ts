// How a buyer verifies a leadgate request (docs/BUYER_PROTOCOL.md). WebCrypto only: runs on
// Node 18+, Deno, Bun and Workers. The test suite verifies real pings, posts and postbacks with
// this file.

const enc = new TextEncoder();

async function hmacMatches(secret: string, hex: string, message: string): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/.test(hex)) return false;
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const sig = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  return crypto.subtle.verify("HMAC", key, sig, enc.encode(message)); // constant-time
}

/**
 * v2: the signature covers the timestamp, the method, the path with its query and the raw body, so
 * a captured request can't be replayed to another endpoint or after `toleranceSeconds`. During a
 * key rotation the header holds one v2 signature per key: accept the request if any matches yours.
 * Treat `ping_id` / `lead_id` as idempotency keys too: a replay inside the window is then harmless.
 */
export async function verifyLeadgateRequest(
  secret: string,
  req: {
    method: string; // "POST"
    pathAndQuery: string; // the request target, e.g. "/leadgate/ping?src=lg"
    rawBody: string;
    timestamp: string | null; // X-Leadgate-Timestamp
    signature: string | null; // X-Leadgate-Signature-V2, e.g. "v2=<hex>, v2=<hex>"
  },
  toleranceSeconds = 300,
): Promise<boolean> {
  if (!req.timestamp || !req.signature) return false;
  const ts = Number(req.timestamp);
  if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > toleranceSeconds) return false; // replay guard
  const message = `${req.timestamp}\n${req.method.toUpperCase()}\n${req.pathAndQuery}\n${req.rawBody}`;
  for (const part of req.signature.split(",")) {
    const [version, hex] = part.trim().split("=");
    if (version === "v2" && hex && (await hmacMatches(secret, hex, message))) return true;
  }
  return false;
}

/**
 * v1 (deprecated: it does not cover the method and path; it will be removed): X-Leadgate-Signature,
 * "v1=<hex HMAC-SHA256 of '<timestamp>.<raw body>'>", with the contract's current key only.
 */
export async function verifyLeadgateSignature(
  secret: string,
  rawBody: string,
  timestampHeader: string | null, // X-Leadgate-Timestamp
  signatureHeader: string | null, // X-Leadgate-Signature
  toleranceSeconds = 300,
): Promise<boolean> {
  if (!timestampHeader || !signatureHeader?.startsWith("v1=")) return false;
  const ts = Number(timestampHeader);
  if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > toleranceSeconds) return false;
  return hmacMatches(secret, signatureHeader.slice(3), `${timestampHeader}.${rawBody}`);
}
