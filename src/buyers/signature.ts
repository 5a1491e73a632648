// Every request to a buyer is signed: HMAC-SHA256 over "<timestamp>.<body>" with the contract's
// secret. Buyers verify it with the snippet in docs/BUYER_PROTOCOL.md.
import { hmacSha256Hex } from "../lib/crypto";

export const TIMESTAMP_HEADER = "X-Leadgate-Timestamp";
export const SIGNATURE_HEADER = "X-Leadgate-Signature";

export async function signatureHeaders(secret: string, body: string, nowMs: number): Promise<Record<string, string>> {
  const ts = String(Math.floor(nowMs / 1000));
  return { [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: `v1=${await hmacSha256Hex(secret, `${ts}.${body}`)}` };
}
