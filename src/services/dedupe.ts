// Client of the DedupeShard objects: shard choice, the intake's claim (campaign level, plus holds on
// the buyer keys the lead may be posted to) and the buyer-level claims of posts that hold nothing.
import type { Fingerprint } from "../lead/fingerprints";
import type { ClaimResult, DedupeShard } from "../objects/dedupe-shard";

export interface IntakeDedupe {
  duplicateOf: string | null;
  /** Buyer dedupe keys already taken by another lead of this consumer (bought, or held by a running round). */
  alreadyBought: Set<string>;
  /** Buyer dedupe keys this lead holds: posting to them needs no claim of its own. */
  holding: Set<string>;
}

export interface IntakeClaim {
  campaignId: string;
  leadId: string;
  /** The campaign's dedupe window (0: the campaign does not dedupe). */
  windowS: number;
  /** Buyer dedupe keys to check (every contract of the campaign with a window). */
  buyerKeys: string[];
  /** Side effects that need not delay the verdict (confirmations, give-backs). */
  defer: (p: Promise<unknown>) => void;
}

/** A tentative claim lives this long unless confirmed; a buyer hold, this long unless released. */
export const TENTATIVE_S = 60;
export const HOLD_S = 300;

/** How long a lead that raced an identical one waits for the other's claim to settle, at most. */
const CONTENTION_TRIES = 12;
const CONTENTION_STEP_MS = 25;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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
   * Claims the consumer for this lead in its campaign, learns which buyers another lead already took,
   * and holds the rest for this lead's round: one round trip, every fingerprint in parallel.
   *
   * Exactly one of several identical leads arriving at once wins. Claims are tentative until the lead
   * holds all its fingerprints, then confirmed (off the wait). A lead meeting a *confirmed* claim is a
   * duplicate. A lead meeting only *tentative* ones raced an identical lead (each may have won a
   * different fingerprint): it gives back what it took and claims again one fingerprint at a time in
   * a fixed order, waiting while the other's claim is tentative — ordered claiming cannot deadlock,
   * and the other lead either confirms (this one is its duplicate) or gives its claims back.
   */
  async claimForCampaign(fps: Fingerprint[], req: IntakeClaim): Promise<IntakeDedupe> {
    const { campaignId, leadId, windowS, buyerKeys } = req;
    const alreadyBought = new Set<string>();
    if (windowS <= 0 && buyerKeys.length === 0) return { duplicateOf: null, alreadyBought, holding: new Set() };
    const key = `campaign:${campaignId}`;
    const claim = windowS > 0 ? { key, windowS: TENTATIVE_S } : null;
    const answers = await Promise.all(
      fps.map((fp) =>
        this.shard(fp.hash).intake({ ref: leadId, claim, fingerprint: fp.hash, keys: buyerKeys, hold: { keys: buyerKeys, holdS: HOLD_S } }),
      ),
    );
    for (const a of answers) for (const k of a.held) alreadyBought.add(k);
    const holding = new Set(buyerKeys.filter((k) => !alreadyBought.has(k)));
    const verdict = (duplicateOf: string | null): IntakeDedupe => ({ duplicateOf, alreadyBought, holding });
    if (!claim) return verdict(null);

    const conflicts = answers.map((a) => a.claim).filter((c): c is Extract<ClaimResult, { ok: false }> => c !== null && !c.ok);
    const won = fps.filter((_, i) => answers[i]!.claim?.ok);
    if (conflicts.length === 0) {
      req.defer(this.confirm(fps, key, leadId, windowS));
      return verdict(null);
    }
    const earlier = conflicts.find((c) => !c.tentative);
    if (earlier) {
      req.defer(this.releaseClaims(won, key, leadId));
      return verdict(earlier.ref);
    }
    // Raced an identical lead: start over in a fixed order.
    await this.releaseClaims(won, key, leadId);
    const ordered = [...fps].sort((a, b) => (a.hash < b.hash ? -1 : 1));
    const taken: Fingerprint[] = [];
    for (const fp of ordered) {
      let res: ClaimResult = { ok: false, ref: "", tentative: true };
      for (let i = 0; i < CONTENTION_TRIES; i++) {
        res = await this.shard(fp.hash).claim({ key, fingerprint: fp.hash, ref: leadId, windowS: TENTATIVE_S, tentative: true });
        if (res.ok || !res.tentative) break;
        await sleep(CONTENTION_STEP_MS * (i + 1));
      }
      if (!res.ok) {
        // An earlier lead (or one still undecided after the wait: counted as earlier, never both sold).
        req.defer(this.releaseClaims(taken, key, leadId));
        return verdict(res.ref);
      }
      taken.push(fp);
    }
    req.defer(this.confirm(fps, key, leadId, windowS));
    return verdict(null);
  }

  private async confirm(fps: Fingerprint[], key: string, leadId: string, windowS: number): Promise<void> {
    await Promise.all(fps.map((fp) => this.shard(fp.hash).confirm(key, fp.hash, leadId, windowS)));
  }

  private async releaseClaims(fps: Fingerprint[], key: string, leadId: string): Promise<void> {
    await Promise.all(fps.map((fp) => this.shard(fp.hash).release(key, fp.hash, leadId)));
  }

  /** Gives back a campaign claim made for a lead that was not auctioned (replay, suppressed, not stored). */
  async releaseCampaignClaim(fps: Fingerprint[], campaignId: string, leadId: string): Promise<void> {
    await this.releaseClaims(fps, `campaign:${campaignId}`, leadId);
  }

  /**
   * The live round is over: the held buyer keys it sold to (or was rejected by) are claimed for their
   * windows, the other holds are dropped (one call per fingerprint, atomic in each shard).
   */
  async settleHolds(fps: Fingerprint[], leadId: string, sold: { key: string; windowS: number }[]): Promise<void> {
    await Promise.all(fps.map((fp) => this.shard(fp.hash).settleHolds(fp.hash, leadId, sold)));
  }

  /**
   * Buyer dedupe keys among `keys` that hold this consumer, for any lead (this one included: a
   * recovered round must not go back to a buyer this lead may already have been sold to).
   */
  async boughtBy(fps: Fingerprint[], keys: string[], leadId: string): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const held = await Promise.all(
      fps.map((fp) =>
        this.shard(fp.hash).intake({ ref: leadId, claim: null, fingerprint: fp.hash, keys, hold: null, ownClaimsCount: true }),
      ),
    );
    return new Set(held.flatMap((h) => h.held));
  }

  /**
   * Buyer-level claim before a post: false when the buyer already bought this consumer. The
   * fingerprints are claimed in parallel: two leads racing for one buyer with crossed fingerprints may
   * both lose (each goes to its next bidder), but never both win. Posts to keys the intake holds
   * skip this (see settleHolds).
   */
  async claimForBuyer(fps: Fingerprint[], key: string, leadId: string, windowS: number): Promise<boolean> {
    if (windowS <= 0) return true;
    const results = await Promise.all(fps.map((fp) => this.shard(fp.hash).claim({ key, fingerprint: fp.hash, ref: leadId, windowS })));
    if (results.every((r) => r.ok)) return true;
    await this.releaseForBuyer(
      fps.filter((_, i) => results[i]!.ok),
      key,
      leadId,
      windowS,
    );
    return false;
  }

  /** Erasure: the consumer's dedupe records under every key; how many were removed. */
  async forget(fingerprints: string[]): Promise<number> {
    const removed = await Promise.all(fingerprints.map((fp) => this.shard(fp).forget(fp)));
    return removed.reduce((a, b) => a + b, 0);
  }

  async releaseForBuyer(fps: Fingerprint[], key: string, leadId: string, windowS: number): Promise<void> {
    if (windowS <= 0) return;
    await Promise.all(fps.map((fp) => this.shard(fp.hash).release(key, fp.hash, leadId)));
  }
}
