// Request signatures, HMAC-SHA256 under a contract's keys (a source's postback key for postbacks, a
// webhook subscription's secret for event deliveries).
// v3 (current): over "<direction>\n<timestamp>\n<METHOD>\n<path and query>\n<body>", where the
// direction is "from-leadgate" on every request leadgate sends (pings, posts, postbacks) and
// "to-leadgate" on a buyer's call back (returns, feedback, deletions): one key signs both ways, and
// the label keeps a signature made for one way from ever verifying the other. One signature per key
// the contract holds (two during a rotation), in X-Leadgate-Signature-V3 as "v3=<hex>, v3=<hex>".
// v2 (deprecated, still sent so existing verifiers keep working; never accepted from a buyer): v3
// without the direction line. v1 (deprecated, only for contracts with signature_v1 on): over
// "<timestamp>.<body>" with the current key. docs/BUYER_PROTOCOL.md has the verifier and the signer.
import { hmacSha256Hex, timingSafeEqualHex } from "../lib/crypto";

export const TIMESTAMP_HEADER = "X-Leadgate-Timestamp";
export const SIGNATURE_HEADER = "X-Leadgate-Signature";
export const SIGNATURE_V2_HEADER = "X-Leadgate-Signature-V2";
export const SIGNATURE_V3_HEADER = "X-Leadgate-Signature-V3";

/** Which way a request goes: signed into v3, so a request can't be replayed the other way. */
export type Direction = "from-leadgate" | "to-leadgate";

const target = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/** What v2 signs: the timestamp, the method, the path with its query, and the body. */
export const signedStringV2 = (ts: string, method: string, url: string, body: string): string =>
  `${ts}\n${method.toUpperCase()}\n${target(url)}\n${body}`;

/** What v3 signs: v2's string after the direction. v2's first line is a number, so the two never coincide. */
export const signedStringV3 = (direction: Direction, ts: string, method: string, url: string, body: string): string =>
  `${direction}\n${signedStringV2(ts, method, url, body)}`;

/** How a request leadgate sends is signed: the keys (current first), and whether v1 goes too. */
export interface Signing {
  secrets: string[];
  /** The contract's `signature_v1`: the deprecated v1 header as well (sources' postbacks never). */
  v1?: boolean;
  /** The deprecated v2 header (default on, for buyers' existing verifiers); event webhooks send v3 only. */
  v2?: boolean;
}

/** The signature headers of a request leadgate sends (direction "from-leadgate"); none without a key. */
export async function signatureHeaders(
  signing: Signing,
  method: string,
  url: string,
  body: string,
  nowMs: number,
): Promise<Record<string, string>> {
  const { secrets } = signing;
  const ts = String(Math.floor(nowMs / 1000));
  const [current] = secrets;
  if (!current) return {};
  const sign = (message: string) => Promise.all(secrets.map((s) => hmacSha256Hex(s, message)));
  const withV2 = signing.v2 !== false;
  const [v3, v2] = await Promise.all([
    sign(signedStringV3("from-leadgate", ts, method, url, body)),
    withV2 ? sign(signedStringV2(ts, method, url, body)) : [],
  ]);
  return {
    [TIMESTAMP_HEADER]: ts,
    [SIGNATURE_V3_HEADER]: v3.map((h) => `v3=${h}`).join(", "),
    ...(withV2 ? { [SIGNATURE_V2_HEADER]: v2.map((h) => `v2=${h}`).join(", ") } : {}),
    ...(signing.v1 ? { [SIGNATURE_HEADER]: `v1=${await hmacSha256Hex(current, `${ts}.${body}`)}` } : {}),
  };
}

/**
 * A buyer's call back to leadgate: a v3 signature with the direction "to-leadgate" under one of the
 * contract's keys, within `toleranceS` of now. v2 and v1 are refused here: leadgate itself sends them,
 * so accepting them would let a request leadgate signed come back as the buyer's.
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
    .map((s) => s.trim())
    .filter((s) => s.startsWith("v3="))
    .map((s) => s.slice(3))
    .filter((h) => /^[0-9a-f]{64}$/.test(h))
    .slice(0, 4);
  const message = signedStringV3("to-leadgate", req.timestamp, req.method, req.url, req.body);
  for (const secret of secrets) {
    const want = await hmacSha256Hex(secret, message);
    if (given.some((g) => timingSafeEqualHex(g, want))) return true;
  }
  return false;
}
