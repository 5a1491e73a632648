// How a buyer verifies a leadgate request, and signs its own calls back to leadgate
// (docs/BUYER_PROTOCOL.md), and how an event webhook's receiver verifies a delivery (docs/API.md,
// Webhooks: the same v3 signature under the subscription's secret). WebCrypto only: runs on Node 18+,
// Deno, Bun and Workers. The test suite verifies real pings, posts, postbacks and webhook deliveries,
// and signs returns, feedback, deletions and buyers' exports, with this file.

const enc = new TextEncoder();

const hmacKey = (secret: string, use: "sign" | "verify") =>
  crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [use]);

async function hmacMatches(secret: string, hex: string, message: string): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/.test(hex)) return false;
  const sig = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  return crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), sig, enc.encode(message)); // constant-time
}

/** Is `timestamp` (X-Leadgate-Timestamp, Unix seconds) within `toleranceSeconds` of now? The replay guard. */
function fresh(timestamp: string | null, toleranceSeconds: number): timestamp is string {
  if (!timestamp) return false;
  const ts = Number(timestamp);
  return Number.isInteger(ts) && Math.abs(Date.now() / 1000 - ts) <= toleranceSeconds;
}

/** Any `<version>=<hex>` of the header (one per key during a rotation) that signs `message` with `secret`. */
async function anyMatches(secret: string, header: string, version: string, message: string): Promise<boolean> {
  for (const part of header.split(",")) {
    const [v, hex] = part.trim().split("=");
    if (v === version && hex && (await hmacMatches(secret, hex, message))) return true;
  }
  return false;
}

/**
 * v3: the signature covers the direction ("from-leadgate": leadgate sent it), the timestamp, the
 * method, the path with its query and the raw body. So a captured request can't be replayed to
 * another endpoint, after `toleranceSeconds`, or back to leadgate as if you had sent it. During a
 * key rotation the header holds one v3 signature per key: accept the request if any matches yours.
 * Treat `ping_id` / `lead_id` as idempotency keys too: a replay inside the window is then harmless.
 */
export async function verifyLeadgateRequest(
  secret: string,
  req: {
    method: string; // "POST"
    pathAndQuery: string; // the request target, e.g. "/leadgate/ping?src=lg"
    rawBody: string;
    timestamp: string | null; // X-Leadgate-Timestamp
    signature: string | null; // X-Leadgate-Signature-V3, e.g. "v3=<hex>, v3=<hex>"
  },
  toleranceSeconds = 300,
): Promise<boolean> {
  if (!fresh(req.timestamp, toleranceSeconds) || !req.signature) return false;
  const message = `from-leadgate\n${req.timestamp}\n${req.method.toUpperCase()}\n${req.pathAndQuery}\n${req.rawBody}`;
  return anyMatches(secret, req.signature, "v3", message);
}

/**
 * Signs a call you make to leadgate (POST /v1/returns, /v1/feedback, /v1/buyers/deletions) with your
 * contract's key: the same string as v3 with the direction "to-leadgate". Send the headers it returns
 * with X-Leadgate-Contract, and the body exactly as signed.
 */
export async function signLeadgateCallback(
  secret: string,
  req: { method: string; pathAndQuery: string; rawBody: string },
  nowMs = Date.now(),
): Promise<{ "X-Leadgate-Timestamp": string; "X-Leadgate-Signature-V3": string }> {
  const ts = String(Math.floor(nowMs / 1000));
  const message = `to-leadgate\n${ts}\n${req.method.toUpperCase()}\n${req.pathAndQuery}\n${req.rawBody}`;
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), enc.encode(message)));
  const hex = [...sig].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { "X-Leadgate-Timestamp": ts, "X-Leadgate-Signature-V3": `v3=${hex}` };
}

/**
 * v2 (deprecated: no direction; still sent so existing verifiers keep working, never accepted by
 * leadgate): X-Leadgate-Signature-V2, v3's string without its first line.
 */
export async function verifyLeadgateRequestV2(
  secret: string,
  req: { method: string; pathAndQuery: string; rawBody: string; timestamp: string | null; signature: string | null },
  toleranceSeconds = 300,
): Promise<boolean> {
  if (!fresh(req.timestamp, toleranceSeconds) || !req.signature) return false;
  const message = `${req.timestamp}\n${req.method.toUpperCase()}\n${req.pathAndQuery}\n${req.rawBody}`;
  return anyMatches(secret, req.signature, "v2", message);
}

/**
 * v1 (deprecated: no method, path or direction; sent only when the contract has `signature_v1` on):
 * X-Leadgate-Signature, "v1=<hex HMAC-SHA256 of '<timestamp>.<raw body>'>", with the current key only.
 */
export async function verifyLeadgateSignature(
  secret: string,
  rawBody: string,
  timestampHeader: string | null, // X-Leadgate-Timestamp
  signatureHeader: string | null, // X-Leadgate-Signature
  toleranceSeconds = 300,
): Promise<boolean> {
  if (!fresh(timestampHeader, toleranceSeconds) || !signatureHeader?.startsWith("v1=")) return false;
  return hmacMatches(secret, signatureHeader.slice(3), `${timestampHeader}.${rawBody}`);
}
