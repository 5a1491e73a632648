// Every request to a buyer (and every postback to a source) is signed with HMAC-SHA256.
// v2 (current): over "<timestamp>\n<METHOD>\n<path and query>\n<body>", one signature per key the
// contract holds (two during a rotation), in X-Leadgate-Signature-V2 as "v2=<hex>, v2=<hex>".
// v1 (deprecated, kept so existing verifiers keep working): over "<timestamp>.<body>" with the
// current key, in X-Leadgate-Signature. docs/BUYER_PROTOCOL.md has the verifier.
import { hmacSha256Hex, timingSafeEqualHex } from "../lib/crypto";

export const TIMESTAMP_HEADER = "X-Leadgate-Timestamp";
export const SIGNATURE_HEADER = "X-Leadgate-Signature";
export const SIGNATURE_V2_HEADER = "X-Leadgate-Signature-V2";

/** What v2 signs: the timestamp, the method, the path with its query, and the body. */
export const signedStringV2 = (ts: string, method: string, url: string, body: string): string => {
  const u = new URL(url);
  return `${ts}\n${method.toUpperCase()}\n${u.pathname}${u.search}\n${body}`;
};

export async function signatureHeaders(
  secrets: string[],
  method: string,
  url: string,
  body: string,
  nowMs: number,
): Promise<Record<string, string>> {
  const ts = String(Math.floor(nowMs / 1000));
  const [current] = secrets;
  if (!current) return {};
  const v2 = await Promise.all(secrets.map((s) => hmacSha256Hex(s, signedStringV2(ts, method, url, body))));
  return {
    [TIMESTAMP_HEADER]: ts,
    [SIGNATURE_HEADER]: `v1=${await hmacSha256Hex(current, `${ts}.${body}`)}`,
    [SIGNATURE_V2_HEADER]: v2.map((h) => `v2=${h}`).join(", "),
  };
}

/**
 * A request a buyer signs with its contract's key (v2, any of the keys the contract holds), within
 * `toleranceS` of now: the reverse of what leadgate sends, for calls buyers make to leadgate.
 */
export async function verifySignedRequest(
  secrets: string[],
  req: { method: string; url: string; body: string; timestamp: string | null; signature: string | null },
  nowMs: number,
  toleranceS = 300,
): Promise<boolean> {
  if (!req.timestamp || !/^\d{1,12}$/.test(req.timestamp) || !req.signature) return false;
  if (Math.abs(nowMs / 1000 - Number(req.timestamp)) > toleranceS) return false;
  const given = req.signature
    .split(",")
    .map((s) => s.trim().replace(/^v2=/, ""))
    .filter((h) => /^[0-9a-f]{64}$/.test(h))
    .slice(0, 4);
  const message = signedStringV2(req.timestamp, req.method, req.url, req.body);
  for (const secret of secrets) {
    const want = await hmacSha256Hex(secret, message);
    if (given.some((g) => timingSafeEqualHex(g, want))) return true;
  }
  return false;
}
