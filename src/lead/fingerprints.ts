// Who the consumer is, without keeping who they are: keyed hashes of the normalized phone and email.
// The dedupe shards, the suppression list and the buyer-level dedupe all key on these.
//
// With FINGERPRINT_PEPPER set (a secret only the Worker holds), a fingerprint is
// HMAC-SHA256(pepper, SHA-256("<kind>:<value>")): a stolen suppression list or lead table can't be
// reversed by hashing every phone number. The inner SHA-256 is the unpeppered fingerprint, so stored
// hashes can be re-keyed without the phone numbers (`npm run fingerprints:rekey`).
import { hmacSha256Hex, sha256Hex } from "../lib/crypto";
import type { Campaign, Contract } from "../rules/model";
import { normalizePhone, type LeadData } from "./fields";

export interface Fingerprint {
  kind: "phone" | "email";
  hash: string;
}

/** The fingerprint of a stored (unpeppered) hash under a pepper. */
export const pepperedHash = (pepper: string, plainHash: string): Promise<string> => hmacSha256Hex(pepper, plainHash);

/** Mailbox providers that deliver `name+tag@` to `name@` (and Gmail, which also ignores dots). */
const PLUS_TAG_PROVIDERS: ReadonlySet<string> = new Set([
  "gmail.com",
  "googlemail.com",
  "outlook.com",
  "hotmail.com",
  "live.com",
  "msn.com",
  "icloud.com",
  "me.com",
  "mac.com",
  "fastmail.com",
  "proton.me",
  "protonmail.com",
  "pm.me",
]);

/**
 * The mailbox an address reaches, for fingerprints only (buyers get the address as typed): lower case,
 * without a `+tag` where the provider ignores it, and without Gmail's ignored dots, so one consumer
 * can't pass dedupe or the suppression list as `pat+1@gmail.com`, `p.at@gmail.com`…
 */
export function canonicalEmail(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf("@");
  if (at < 1) return lower;
  let [local, domain] = [lower.slice(0, at), lower.slice(at + 1)];
  if (domain === "googlemail.com") domain = "gmail.com";
  if (!PLUS_TAG_PROVIDERS.has(domain)) return `${local}@${domain}`;
  local = local.split("+")[0]!;
  if (domain === "gmail.com") local = local.replace(/\./g, "");
  return local ? `${local}@${domain}` : lower;
}

/** The fingerprint of one normalized phone (E.164) or email (its canonical mailbox). */
export async function fingerprintHash(kind: Fingerprint["kind"], value: string, pepper?: string): Promise<string> {
  const plain = await sha256Hex(`${kind}:${kind === "email" ? canonicalEmail(value) : value}`);
  return pepper ? pepperedHash(pepper, plain) : plain;
}

/** The consumer's phone and email fingerprints: the same hashes the suppression list uses. */
export async function fingerprintsOf(lead: LeadData, fields: { phone?: string; email?: string }, pepper?: string): Promise<Fingerprint[]> {
  const out: Fingerprint[] = [];
  const phone = fields.phone ? lead[fields.phone] : undefined;
  const email = fields.email ? lead[fields.email] : undefined;
  if (typeof phone === "string") out.push({ kind: "phone", hash: await fingerprintHash("phone", phone, pepper) });
  if (typeof email === "string") out.push({ kind: "email", hash: await fingerprintHash("email", email, pepper) });
  // A fixed global order, like lock ordering: two leads sharing a fingerprint meet at the first shared one.
  return out.sort((a, b) => (a.hash < b.hash ? -1 : 1));
}

/** The consumer's fingerprints under a campaign's fields (its first phone and first email field). */
export function fingerprintsForCampaign(campaign: Campaign, lead: LeadData, pepper?: string): Promise<Fingerprint[]> {
  const first = (type: string) => campaign.fields.find((f) => f.type === type)?.name;
  return fingerprintsOf(lead, { phone: first("phone"), email: first("email") }, pepper);
}

/** The buyer-level dedupe keys of the contracts that keep a dedupe window. */
export const buyerDedupeKeys = (contracts: Contract[]): string[] => [
  ...new Set(contracts.filter((c) => c.dedupeWindowS > 0).map((c) => c.dedupeKey)),
];

/**
 * The fingerprints of a consumer named by an admin (a phone in any common format, an email), or the
 * field that is not valid.
 */
export async function consumerFingerprints(
  who: { phone?: string; email?: string },
  pepper?: string,
): Promise<{ ok: true; fingerprints: Fingerprint[] } | { ok: false; field: "phone" }> {
  const out: Fingerprint[] = [];
  if (who.phone !== undefined) {
    const e164 = normalizePhone(who.phone);
    if (!e164) return { ok: false, field: "phone" };
    out.push({ kind: "phone", hash: await fingerprintHash("phone", e164, pepper) });
  }
  if (who.email !== undefined) out.push({ kind: "email", hash: await fingerprintHash("email", who.email, pepper) });
  return { ok: true, fingerprints: out };
}
