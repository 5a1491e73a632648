// Client of the DedupeShard objects: shard choice, and the claims made at intake (campaign level)
// and before each post (buyer level). Built once per request with the shard count.
import type { Fingerprint } from "../lead/fingerprints";
import type { DedupeShard } from "../objects/dedupe-shard";

export interface IntakeDedupe {
  duplicateOf: string | null;
  /** Buyer dedupe keys that already bought this consumer. */
  alreadyBought: Set<string>;
}

export class DedupeClient {
  constructor(
    private readonly ns: DurableObjectNamespace<DedupeShard>,
    private readonly shards: number,
  ) {}

  private shard(fp: string) {
    const n = parseInt(fp.slice(0, 8), 16) % this.shards;
    return this.ns.get(this.ns.idFromName(`dedupe:${n}`));
  }

  /**
   * Claims the consumer for this lead in its campaign and learns which buyers already bought it.
   * Claims go in fingerprint order and stop at the first conflict, so of two identical leads arriving
   * at once exactly one wins. Round trips: one per fingerprint (at most two), not one per buyer.
   */
  async claimForCampaign(fps: Fingerprint[], campaignId: string, leadId: string, windowS: number, buyerKeys: string[]): Promise<IntakeDedupe> {
    const alreadyBought = new Set<string>();
    const claimed: Fingerprint[] = [];
    if (windowS <= 0 && buyerKeys.length === 0) return { duplicateOf: null, alreadyBought };
    for (const fp of fps) {
      const claim = windowS > 0 ? { key: `campaign:${campaignId}`, fingerprint: fp.hash, ref: leadId, windowS } : null;
      const res = await this.shard(fp.hash).claimAndCheck(claim, fp.hash, buyerKeys);
      for (const k of res.held) alreadyBought.add(k);
      if (res.claim && !res.claim.ok) {
        // Give back what this lead claimed before the conflict, so it does not block the original.
        await this.releaseCampaignClaim(claimed, campaignId, leadId);
        return { duplicateOf: res.claim.ref, alreadyBought };
      }
      claimed.push(fp);
    }
    return { duplicateOf: null, alreadyBought };
  }

  async releaseCampaignClaim(fps: Fingerprint[], campaignId: string, leadId: string): Promise<void> {
    await Promise.all(fps.map((fp) => this.shard(fp.hash).release(`campaign:${campaignId}`, fp.hash, leadId)));
  }

  /**
   * Buyer dedupe keys among `keys` that hold this consumer, for any lead (this one included: a
   * recovered round must not go back to a buyer this lead may already have been sold to).
   */
  async boughtBy(fps: Fingerprint[], keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const held = await Promise.all(fps.map((fp) => this.shard(fp.hash).claimAndCheck(null, fp.hash, keys)));
    return new Set(held.flatMap((h) => h.held));
  }

  /**
   * Buyer-level claim before a post: false when the buyer already bought this consumer. The
   * fingerprints are claimed in parallel: two leads racing for one buyer with crossed fingerprints may
   * both lose (each goes to its next bidder), but never both win.
   */
  async claimForBuyer(fps: Fingerprint[], key: string, leadId: string, windowS: number): Promise<boolean> {
    if (windowS <= 0) return true;
    const results = await Promise.all(fps.map((fp) => this.shard(fp.hash).claim({ key, fingerprint: fp.hash, ref: leadId, windowS })));
    if (results.every((r) => r.ok)) return true;
    await this.releaseForBuyer(fps.filter((_, i) => results[i]!.ok), key, leadId, windowS);
    return false;
  }

  async releaseForBuyer(fps: Fingerprint[], key: string, leadId: string, windowS: number): Promise<void> {
    if (windowS <= 0) return;
    await Promise.all(fps.map((fp) => this.shard(fp.hash).release(key, fp.hash, leadId)));
  }
}
