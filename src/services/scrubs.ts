// A campaign's scrubs as pre-sale checks: each looks for a fresh cached result for the consumer's
// fingerprint first (one look-up for all of them, made at once), and only then, once the lead is known
// to be unique (a duplicate, a replay or a suppressed consumer costs nothing), calls its vendor.
// A listed consumer does what `on_fail` says, a vendor that is down what `on_timeout` says, a missing
// credential rejects (fail closed). Each result comes with what to record: the cache entry, the call
// and its cost.
import type { Fingerprint } from "../lead/fingerprints";
import type { LeadData } from "../lead/fields";
import type { Campaign } from "../rules/model";
import { scrubCacheKey, scrubName, type Scrub } from "../rules/scrubs";
import type { CheckResult } from "./presale";
import { callVendor, subjectProblem, type ScrubConfig, type Subject } from "./scrub-vendors";

/** A result the cache holds. */
export interface CachedScrub {
  vendorKey: string;
  fingerprint: string;
  outcome: "pass" | "fail";
  detail: string | null;
  checkedAt: number;
}

export interface ScrubStore {
  /** Cached results for these vendor keys and fingerprints (any age: the caller judges freshness). */
  lookup(vendorKeys: string[], fingerprints: string[]): Promise<CachedScrub[]>;
}

/** What one scrub of one lead leaves to record (off the seller's wait). */
export interface ScrubRecord {
  name: string;
  vendor: Scrub["vendor"];
  vendorKey: string;
  fingerprint: string;
  outcome: CheckResult["outcome"];
  detail: string | null;
  cached: boolean;
  costCents: number;
  latencyMs: number;
  /** Seconds the result may be reused (0: not cached; errors never are). */
  cacheS: number;
}

export interface ScrubInput {
  campaign: Campaign;
  lead: LeadData;
  fingerprints: Fingerprint[];
  /** Settles true when the lead is stored and unique: only then is a vendor paid. */
  unique: Promise<boolean>;
  now: number;
}

/** The consumer's phone and email under the campaign's fields (the first of each, as fingerprints take them). */
function subjectOf(campaign: Campaign, lead: LeadData): Subject {
  const first = (type: string) => {
    const f = campaign.fields.find((x) => x.type === type && typeof lead[x.name] === "string");
    return f ? String(lead[f.name]) : undefined;
  };
  const e164 = first("phone");
  const ten = e164 && /^\+1\d{10}$/.test(e164) ? e164.slice(2) : undefined;
  return { e164, ten, email: first("email") };
}

const kindOf = (s: Scrub): Fingerprint["kind"] => (s.vendor === "validator" && s.check === "email" ? "email" : "phone");

async function one(s: Scrub, input: ScrubInput, subject: Subject, cache: Promise<CachedScrub[]>, cfg: ScrubConfig) {
  const name = scrubName(s);
  const started = Date.now();
  const result = (r: Omit<CheckResult, "name" | "latency_ms">): CheckResult => ({ name, ...r, latency_ms: Date.now() - started });
  const nothing = subjectProblem(s, subject);
  const fp = input.fingerprints.find((f) => f.kind === kindOf(s));
  if (nothing || !fp) return { result: result({ outcome: "pass", action: "none", detail: nothing ?? "no fingerprint" }), record: null };
  const vendorKey = scrubCacheKey(s);
  const hit = (await cache).find(
    (c) => c.vendorKey === vendorKey && c.fingerprint === fp.hash && input.now - c.checkedAt < s.cache_s * 1000,
  );
  const base = { name, vendor: s.vendor, vendorKey, fingerprint: fp.hash, cacheS: s.cache_s };
  if (hit) {
    const r = result({ outcome: hit.outcome, action: hit.outcome === "pass" ? "none" : s.on_fail, detail: hit.detail, cached: true });
    return {
      result: r,
      record: { ...base, outcome: hit.outcome, detail: hit.detail, cached: true, costCents: 0, latencyMs: r.latency_ms },
    };
  }
  if (!(await input.unique))
    return { result: result({ outcome: "pass", action: "none", detail: "not checked: the lead is not sold" }), record: null };
  const v = await callVendor(s, subject, cfg);
  const action = v.outcome === "pass" ? "none" : v.misconfigured ? "reject" : v.outcome === "fail" ? s.on_fail : s.on_timeout;
  const r = result({ outcome: v.outcome, action, detail: v.detail });
  // A call that never left (no credential) costs nothing; one that reached the vendor is paid for.
  const costCents = v.misconfigured ? 0 : s.cost_cents;
  return { result: r, record: { ...base, outcome: v.outcome, detail: v.detail, cached: false, costCents, latencyMs: r.latency_ms } };
}

/** Every scrub of the campaign, in parallel; never rejects. */
export function scrubChecks(
  input: ScrubInput,
  cfg: ScrubConfig,
  store: ScrubStore,
): Promise<{ result: CheckResult; record: ScrubRecord | null }>[] {
  const { scrubs } = input.campaign;
  if (scrubs.length === 0) return [];
  const subject = subjectOf(input.campaign, input.lead);
  const keys = [...new Set(scrubs.map(scrubCacheKey))];
  // A cache that can't be read is a miss: the vendors are asked.
  const cache = store
    .lookup(
      keys,
      input.fingerprints.map((f) => f.hash),
    )
    .catch(() => [] as CachedScrub[]);
  return scrubs.map((s) => one(s, input, subject, cache, cfg));
}
