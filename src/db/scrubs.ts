// Scrub results cached per consumer fingerprint and vendor, and every scrub a lead went through (its
// cost, for the campaign's report). Written off the seller's wait, after the pre-sale checks; an
// erasure forgets a person's cached results.
import { and, gte, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "./client";
import * as t from "./schema";

export interface ScrubWrite {
  name: string;
  vendor: string;
  vendorKey: string;
  fingerprint: string;
  outcome: "pass" | "fail" | "timeout" | "error";
  detail: string | null;
  cached: boolean;
  costCents: number;
  latencyMs: number;
  cacheS: number;
}

/** Cached results for these vendor keys and fingerprints, whatever their age (one query). */
export function lookup(db: Db, vendorKeys: string[], fingerprints: string[]) {
  if (vendorKeys.length === 0 || fingerprints.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(t.scrubCache)
    .where(and(inArray(t.scrubCache.vendorKey, vendorKeys), inArray(t.scrubCache.fingerprint, fingerprints)));
}

/** A lead's scrubs recorded, and fresh definite answers (pass or fail) cached, in one batch. */
export async function record(db: Db, campaignId: string, leadId: string, writes: ScrubWrite[], now: number): Promise<void> {
  if (writes.length === 0) return;
  const calls = db.insert(t.scrubCalls).values(
    writes.map((w) => ({
      campaignId,
      leadId,
      name: w.name,
      vendor: w.vendor,
      outcome: w.outcome,
      cached: w.cached,
      costCents: w.costCents,
      latencyMs: w.latencyMs,
      at: now,
    })),
  );
  const fresh = writes.filter((w) => !w.cached && w.cacheS > 0 && (w.outcome === "pass" || w.outcome === "fail"));
  const cache = fresh.map((w) => {
    const row = {
      vendorKey: w.vendorKey,
      fingerprint: w.fingerprint,
      outcome: w.outcome as "pass" | "fail",
      detail: w.detail,
      checkedAt: now,
    };
    return db
      .insert(t.scrubCache)
      .values(row)
      .onConflictDoUpdate({ target: [t.scrubCache.vendorKey, t.scrubCache.fingerprint], set: row });
  });
  await db.batch([calls, ...cache]);
}

/** An erased person's cached results; how many went. */
export async function forget(db: Db, fingerprints: string[]): Promise<number> {
  if (fingerprints.length === 0) return 0;
  const rows = await db
    .delete(t.scrubCache)
    .where(inArray(t.scrubCache.fingerprint, fingerprints))
    .returning({ fp: t.scrubCache.fingerprint });
  return rows.length;
}

/** Cached results older than any campaign may reuse (90 days), dropped by the cron. */
export async function prune(db: Db, before: number): Promise<void> {
  await db.delete(t.scrubCache).where(lt(t.scrubCache.checkedAt, before));
}

/** Per campaign and scrub over [from, to): checks, paid calls, cached answers, fails, vendor failures, cost. */
export function report(db: Db, from: number, to: number) {
  const c = t.scrubCalls;
  return db
    .select({
      campaignId: c.campaignId,
      name: c.name,
      vendor: c.vendor,
      checks: sql<number>`count(*)`,
      calls: sql<number>`sum(case when ${c.cached} then 0 else 1 end)`,
      cached: sql<number>`sum(case when ${c.cached} then 1 else 0 end)`,
      fails: sql<number>`sum(case when ${c.outcome} = 'fail' then 1 else 0 end)`,
      vendorFailures: sql<number>`sum(case when ${c.outcome} in ('timeout', 'error') then 1 else 0 end)`,
      costCents: sql<number>`sum(${c.costCents})`,
    })
    .from(c)
    .where(and(gte(c.at, from), lt(c.at, to)))
    .groupBy(c.campaignId, c.name, c.vendor)
    .orderBy(c.campaignId, c.name);
}
