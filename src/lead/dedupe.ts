// Adapter between leads and the DedupeShard objects: fingerprints, shard choice, and the claims
// made at ingestion (campaign level) and before each post (buyer level).
import type { Env } from "../env";
import { sha256Hex } from "../lib/crypto";
import type { Campaign, Contract } from "../rules/compile";
import type { LeadData } from "./fields";

export interface Fingerprint {
  kind: "phone" | "email";
  hash: string;
}

/** Hashes of the consumer's normalized phone and email: the same hashes the suppression list uses. */
export async function fingerprintsOf(lead: LeadData, phoneField?: string, emailField?: string): Promise<Fingerprint[]> {
  const out: Fingerprint[] = [];
  const phone = phoneField ? lead[phoneField] : undefined;
  const email = emailField ? lead[emailField] : undefined;
  if (typeof phone === "string") out.push({ kind: "phone", hash: await sha256Hex(`phone:${phone}`) });
  if (typeof email === "string") out.push({ kind: "email", hash: await sha256Hex(`email:${email}`) });
  // A fixed global order, like lock ordering: two leads sharing a fingerprint meet at the first shared one.
  return out.sort((a, b) => (a.hash < b.hash ? -1 : 1));
}

/** The consumer's fingerprints under a campaign's fields (its first phone and first email field). */
export function fingerprintsForCampaign(campaign: Campaign, lead: LeadData): Promise<Fingerprint[]> {
  const first = (type: string) => campaign.fields.find((f) => f.type === type)?.name;
  return fingerprintsOf(lead, first("phone"), first("email"));
}

/** The buyer-level dedupe keys of the contracts that keep a dedupe window. */
export const buyerDedupeKeys = (contracts: Contract[]): string[] => [...new Set(contracts.filter((c) => c.dedupeWindowS > 0).map((c) => c.dedupeKey))];

export function shardOf(env: Env, shards: number, fp: string) {
  const n = parseInt(fp.slice(0, 8), 16) % shards;
  return env.DEDUPE.get(env.DEDUPE.idFromName(`dedupe:${n}`));
}

export interface IngestDedupe {
  duplicateOf: string | null;
  /** Buyer dedupe keys that already bought this consumer. */
  alreadyBought: Set<string>;
}

/**
 * Claims the consumer for this lead in its campaign and learns which buyers already bought it.
 * Claims go in fingerprint order and stop at the first conflict, so of two identical leads arriving
 * at once exactly one wins. Round trips: one per fingerprint (at most two), not one per buyer.
 */
export async function claimForCampaign(
  env: Env,
  shards: number,
  fps: Fingerprint[],
  campaignId: string,
  leadId: string,
  windowS: number,
  buyerKeys: string[],
): Promise<IngestDedupe> {
  const alreadyBought = new Set<string>();
  const claimed: Fingerprint[] = [];
  if (windowS <= 0 && buyerKeys.length === 0) return { duplicateOf: null, alreadyBought };
  for (const fp of fps) {
    const claim = windowS > 0 ? { key: `campaign:${campaignId}`, fingerprint: fp.hash, ref: leadId, windowS } : null;
    const res = await shardOf(env, shards, fp.hash).claimAndCheck(claim, fp.hash, buyerKeys);
    for (const k of res.held) alreadyBought.add(k);
    if (res.claim && !res.claim.ok) {
      // Give back what this lead claimed before the conflict, so it does not block the original.
      await Promise.all(claimed.map((c) => shardOf(env, shards, c.hash).release(`campaign:${campaignId}`, c.hash, leadId)));
      return { duplicateOf: res.claim.ref, alreadyBought };
    }
    claimed.push(fp);
  }
  return { duplicateOf: null, alreadyBought };
}

export async function releaseCampaignClaim(env: Env, shards: number, fps: Fingerprint[], campaignId: string, leadId: string): Promise<void> {
  await Promise.all(fps.map((fp) => shardOf(env, shards, fp.hash).release(`campaign:${campaignId}`, fp.hash, leadId)));
}

/**
 * Buyer-level claim before a post: false when the buyer already bought this consumer. The
 * fingerprints are claimed in parallel: two leads racing for one buyer with crossed fingerprints may
 * both lose (each goes to its next bidder), but never both win.
 */
export async function claimForBuyer(env: Env, shards: number, fps: Fingerprint[], key: string, leadId: string, windowS: number): Promise<boolean> {
  if (windowS <= 0) return true;
  const results = await Promise.all(fps.map((fp) => shardOf(env, shards, fp.hash).claim({ key, fingerprint: fp.hash, ref: leadId, windowS })));
  if (results.every((r) => r.ok)) return true;
  await releaseForBuyer(env, shards, fps.filter((_, i) => results[i]!.ok), key, leadId, windowS);
  return false;
}

export async function releaseForBuyer(env: Env, shards: number, fps: Fingerprint[], key: string, leadId: string, windowS: number): Promise<void> {
  if (windowS <= 0) return;
  await Promise.all(fps.map((fp) => shardOf(env, shards, fp.hash).release(key, fp.hash, leadId)));
}
