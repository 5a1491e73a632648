// How a buyer verifies a leadgate request (docs/BUYER_PROTOCOL.md). WebCrypto only: runs on
// Node 18+, Deno, Bun and Workers. The test suite verifies real pings and posts with this file.
export async function verifyLeadgateSignature(
  secret: string,
  rawBody: string,
  timestampHeader: string | null, // X-Leadgate-Timestamp
  signatureHeader: string | null, // X-Leadgate-Signature
  toleranceSeconds = 300,
): Promise<boolean> {
  if (!timestampHeader || !signatureHeader?.startsWith("v1=")) return false;
  const ts = Number(timestampHeader);
  if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > toleranceSeconds) return false; // replay guard
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const hex = signatureHeader.slice(3);
  if (!/^[0-9a-f]{64}$/.test(hex)) return false;
  const sig = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  return crypto.subtle.verify("HMAC", key, sig, enc.encode(`${timestampHeader}.${rawBody}`));
}
