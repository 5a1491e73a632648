// Experiments on routing: a campaign's traffic split between variants of its settings. Assignment is
// deterministic per lead (a hash of the experiment and the lead id), so a retry round, a replay or a
// recount lands every lead in the same variant. Pure.
import type { Experiment } from "../rules/model";
import { hash32 } from "../lib/strings";
import type { Campaign, Contract } from "../rules/model";
import type { Variant } from "../rules/schemas";

/** The variant a lead belongs to: shares are weights, the hash picks a point among them. */
export function assignVariant(e: Pick<Experiment, "id" | "variants">, leadId: string): Variant {
  const total = e.variants.reduce((a, v) => a + v.share, 0);
  let point = hash32(`${e.id}:${leadId}`) % total;
  for (const v of e.variants) {
    if (point < v.share) return v;
    point -= v.share;
  }
  return e.variants[e.variants.length - 1]!;
}

/** The campaign and contracts as the variant runs them. */
export function applyVariant(campaign: Campaign, contracts: Contract[], v: Variant): { campaign: Campaign; contracts: Contract[] } {
  const s = v.settings;
  return {
    campaign: {
      ...campaign,
      mode: s.mode ?? campaign.mode,
      floorCents: s.floor_cents ?? campaign.floorCents,
      pingTimeoutMs: s.ping_timeout_ms ?? campaign.pingTimeoutMs,
      qualityWeighting: s.quality_weighting ?? campaign.qualityWeighting,
    },
    contracts: s.contracts ? contracts.filter((c) => s.contracts!.includes(c.id)) : contracts,
  };
}

/** Mean and 95 % confidence interval of a per-lead amount from its count, sum and sum of squares. */
export function meanInterval(n: number, sum: number, sumSq: number): { mean: number; low: number; high: number; variance: number } {
  if (n === 0) return { mean: 0, low: 0, high: 0, variance: 0 };
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
  const half = 1.96 * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half, variance };
}

/** The difference of two means with its 95 % interval (Welch); `significant` when it excludes 0. */
export function differenceInterval(a: { n: number; mean: number; variance: number }, b: { n: number; mean: number; variance: number }) {
  const diff = b.mean - a.mean;
  const half = a.n && b.n ? 1.96 * Math.sqrt(a.variance / a.n + b.variance / b.n) : Infinity;
  return { diff, low: diff - half, high: diff + half, significant: diff - half > 0 || diff + half < 0 };
}
