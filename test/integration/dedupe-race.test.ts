// The intake's campaign claims go to every fingerprint in parallel (one round trip), yet of several
// identical leads racing each other exactly one wins — even when each wins a different fingerprint
// first. The shard calls are delayed per lead and fingerprint to force every interleaving.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Fingerprint } from "../../src/lead/fingerprints";
import type { DedupeShard } from "../../src/objects/dedupe-shard";
import { DedupeClient } from "../../src/services/dedupe";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** env.DEDUPE, with each shard call delayed by `delay(lead, fingerprint)` ms. */
function racing(delay: (ref: string, fp: string) => number): DurableObjectNamespace<DedupeShard> {
  const ns = env.DEDUPE;
  return new Proxy(ns, {
    get(target, prop) {
      if (prop === "get")
        return (id: DurableObjectId) => {
          const stub = target.get(id);
          return new Proxy(stub, {
            get(s, method) {
              if (typeof method !== "string" || method === "then") return Reflect.get(s, method) as unknown;
              return async (...args: unknown[]) => {
                const first = args[0] as { ref?: string; fingerprint?: string } | string;
                const [ref, fp] =
                  typeof first === "object" ? [first.ref ?? "", first.fingerprint ?? ""] : [String(args[2] ?? ""), String(args[1] ?? "")];
                await sleep(delay(ref, fp));
                return (s as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args);
              };
            },
          });
        };
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

let seq = 0;
/** A consumer's phone and email fingerprints, on two different shards. */
function consumer(): Fingerprint[] {
  const n = String(++seq).padStart(6, "0") + Date.now().toString(16);
  return [
    { kind: "phone", hash: `00000001${n}` },
    { kind: "email", hash: `00000002${n}` },
  ];
}

async function race(leads: string[], delay: (ref: string, fp: string) => number) {
  const client = new DedupeClient(racing(delay), 64);
  const fps = consumer();
  const deferred: Promise<unknown>[] = [];
  const verdicts = await Promise.all(
    leads.map((leadId) =>
      client.claimForCampaign(fps, { campaignId: "c-race", leadId, windowS: 3600, buyerKeys: [], defer: (p) => deferred.push(p) }),
    ),
  );
  await Promise.all(deferred);
  return verdicts.map((v, i) => ({ lead: leads[i]!, duplicateOf: v.duplicateOf }));
}

describe("parallel campaign claims", () => {
  it("crossed: each lead wins one fingerprint first; exactly one lead wins, the other is its duplicate", async () => {
    const phone = "00000001";
    const result = await race(["lead-a", "lead-b"], (ref, fp) => ((ref === "lead-a") !== fp.startsWith(phone) ? 40 : 0));
    const winners = result.filter((r) => r.duplicateOf === null);
    expect(winners).toHaveLength(1);
    expect(result.find((r) => r.duplicateOf !== null)?.duplicateOf).toBe(winners[0]!.lead);
  });

  it("property: any delays, two to four identical leads: exactly one winner, every other one its duplicate", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 8, maxLength: 8 }),
        async (count, delays) => {
          const leads = Array.from({ length: count }, (_, i) => `lead-${i}`);
          const result = await race(leads, (ref, fp) => delays[(Number(ref.slice(5)) * 2 + (fp.startsWith("00000001") ? 0 : 1)) % 8] ?? 0);
          const winners = result.filter((r) => r.duplicateOf === null);
          expect(winners).toHaveLength(1);
          for (const r of result) if (r.duplicateOf !== null) expect(r.duplicateOf).toBe(winners[0]!.lead);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("a later identical lead is a duplicate in one round trip once the first is confirmed", async () => {
    const client = new DedupeClient(env.DEDUPE, 64);
    const fps = consumer();
    const deferred: Promise<unknown>[] = [];
    const claim = (leadId: string) =>
      client.claimForCampaign(fps, { campaignId: "c-seq", leadId, windowS: 3600, buyerKeys: ["buyer:x"], defer: (p) => deferred.push(p) });
    expect((await claim("first")).duplicateOf).toBeNull();
    await Promise.all(deferred);
    const second = await claim("second");
    expect(second.duplicateOf).toBe("first");
    // The first lead's round holds buyer x for it: the second sees it taken and holds nothing.
    expect([...second.alreadyBought]).toEqual(["buyer:x"]);
    expect(second.holding.size).toBe(0);
  });
});
