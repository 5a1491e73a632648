// CapLedger and DedupeShard Durable Objects: exact under concurrency, windows in the buyer's time
// zone, leases that expire by alarm, idempotent redelivery, bounded storage.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { CapLedger } from "../../src/objects/cap-ledger";
import type { DedupeShard } from "../../src/objects/dedupe-shard";
import type { Caps } from "../../src/rules/model";
import { capWindowCutoffs, capWindows, isCapWindowExpired } from "../../src/lib/time";
import { AWKWARD_INSTANTS } from "../support/calendar";
import { ADMIN, demoLead, eventually, gateway, postLead, seedDemo, setBuyers, sql } from "../support/helpers";

const noCaps: Caps = { hour: null, day: null, month: null, budgetDayCents: null, budgetMonthCents: null };
let n = 0;
const ledger = () => env.CAP_LEDGER.get(env.CAP_LEDGER.idFromName(`test-ledger-${++n}-${Date.now()}`));
const reserve = (
  l: ReturnType<typeof ledger>,
  id: string,
  caps: Partial<Caps>,
  extra: { tz?: string; now?: number; price?: number; leaseMs?: number } = {},
) =>
  l.reserve({
    reservationId: id,
    caps: { ...noCaps, ...caps },
    timezone: extra.tz ?? "UTC",
    priceCents: extra.price ?? 100,
    leaseMs: extra.leaseMs ?? 60_000,
    now: extra.now,
  });

describe("CapLedger", () => {
  it("200 concurrent reservations against a daily cap of 50: exactly 50 succeed", async () => {
    const l = ledger();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => reserve(l, `lead-${i}`, { day: 50 })));
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, limit: "cap_day" });
  });

  it("budgets in cents: the sale that would cross the daily budget is refused", async () => {
    const l = ledger();
    expect((await reserve(l, "a", { budgetDayCents: 5000 }, { price: 1800 })).ok).toBe(true);
    expect((await reserve(l, "b", { budgetDayCents: 5000 }, { price: 1800 })).ok).toBe(true);
    expect(await reserve(l, "c", { budgetDayCents: 5000 }, { price: 1800 })).toMatchObject({ ok: false, limit: "budget_day" });
    expect((await reserve(l, "d", { budgetDayCents: 5000 }, { price: 1400 })).ok).toBe(true); // 5000 exactly
  });

  it("a lease never committed gives its headroom back when its alarm runs", async () => {
    const l = ledger();
    expect((await reserve(l, "dead-worker", { day: 1 }, { leaseMs: 300 })).ok).toBe(true);
    expect((await reserve(l, "next", { day: 1 })).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 350));
    await runDurableObjectAlarm(l); // unless the alarm already ran on its own
    expect((await reserve(l, "next", { day: 1 })).ok).toBe(true);
  });

  it("commit and release are idempotent; a committed sale is never released", async () => {
    const l = ledger();
    await reserve(l, "x", { day: 5 }, { price: 700 });
    expect(await reserve(l, "x", { day: 5 }, { price: 700 })).toEqual({ ok: true, state: "held" }); // redelivered reserve
    expect(await l.commit("x")).toBe(true);
    expect(await l.commit("x")).toBe(true); // redelivered commit
    expect(await l.release("x")).toBe(false);
    const h = await l.headroom({ ...noCaps, day: 5 }, "UTC");
    expect(h.day).toMatchObject({ count: 1, spendCents: 700 });
    expect(h.held).toBe(0);
    expect(await reserve(l, "x", { day: 5 })).toEqual({ ok: true, state: "committed" });
  });

  it("a lease takes a quarter of the headroom, counted as used; its sales are committed once each", async () => {
    const l = ledger();
    const caps = { ...noCaps, day: 10, budgetDayCents: 10_000 };
    const lease = await l.lease({ leaseId: "blk-1", caps, timezone: "UTC", units: 4, leaseMs: 60_000 });
    expect(lease).toMatchObject({ ok: true, units: 2, cents: 2500 });
    await l.commitLeased("blk-1", "lead-1", 1500, "UTC");
    await l.commitLeased("blk-1", "lead-1", 1500, "UTC"); // redelivered
    const h = await l.headroom(caps, "UTC");
    expect(h.day).toMatchObject({ count: 2, sold: 1, soldCents: 1500 });
    expect(h.leased).toBe(1);
    // The other isolates' reservations see the leased unit as taken: 8 more, then full.
    const direct = await Promise.all(Array.from({ length: 9 }, (_, i) => reserve(l, `d-${i}`, { day: 10 }, { price: 1 })));
    expect(direct.filter((r) => r.ok)).toHaveLength(8);
    // A recovered round sees the leased sale as committed, like any other.
    expect(await reserve(l, "lead-1", { day: 10 })).toEqual({ ok: true, state: "committed" });
  });

  it("an expired lease gives back what it did not spend; a sale reported after that still counts", async () => {
    const l = ledger();
    const caps = { ...noCaps, day: 4 };
    expect(await l.lease({ leaseId: "blk-2", caps, timezone: "UTC", units: 4, leaseMs: 300 })).toMatchObject({ ok: true, units: 1 });
    expect(await l.lease({ leaseId: "blk-3", caps, timezone: "UTC", units: 4, leaseMs: 300 })).toMatchObject({ ok: true, units: 1 });
    expect((await l.headroom(caps, "UTC")).day.count).toBe(2);
    await new Promise((r) => setTimeout(r, 350));
    await runDurableObjectAlarm(l); // unless the alarm already ran on its own
    expect((await l.headroom(caps, "UTC")).day.count).toBe(0);
    // An isolate that stalled past its block: the sale happened, so it is counted.
    await l.commitLeased("blk-2", "late", 300, "UTC");
    expect((await l.headroom(caps, "UTC")).day).toMatchObject({ count: 1, sold: 1 });
  });

  it("a full contract grants no lease", async () => {
    const l = ledger();
    expect((await reserve(l, "only", { hour: 1 })).ok).toBe(true);
    expect(await l.lease({ leaseId: "blk-4", caps: { ...noCaps, hour: 1 }, timezone: "UTC", units: 4, leaseMs: 60_000 })).toMatchObject({
      ok: false,
      limit: "cap_hour",
    });
  });

  it("a refusal says whether sales fill the cap or headroom in use does (issue #30)", async () => {
    const l = ledger();
    expect((await reserve(l, "in-flight", { day: 1 })).ok).toBe(true);
    expect(await reserve(l, "next", { day: 1 })).toMatchObject({ ok: false, limit: "cap_day", held: true });
    await l.commit("in-flight");
    expect(await reserve(l, "after", { day: 1 })).toMatchObject({ ok: false, limit: "cap_day", held: false });
  });

  it("unspent units of a lease handed back early are free at once, never more than were unspent (issue #30)", async () => {
    const l = ledger();
    const caps = { ...noCaps, day: 8 };
    const lease = await l.lease({ leaseId: "blk", caps, timezone: "UTC", units: 2, leaseMs: 60_000 });
    expect(lease).toMatchObject({ ok: true, units: 2 });
    await l.commitLeased("blk", "sold-1", 100, "UTC");
    await l.returnLeased("blk", 5, 0); // asks for more than is unspent: only the one unspent unit comes back
    const h = await l.headroom(caps, "UTC");
    expect(h.day).toMatchObject({ count: 1, sold: 1 });
    expect(h.leased).toBe(0);
  });

  it("released headroom is reusable", async () => {
    const l = ledger();
    await reserve(l, "r1", { hour: 1 });
    expect((await reserve(l, "r2", { hour: 1 })).ok).toBe(false);
    expect(await l.release("r1")).toBe(true);
    expect((await reserve(l, "r2", { hour: 1 })).ok).toBe(true);
  });

  it("days and months roll over at midnight in the buyer's time zone, across the DST change", async () => {
    const l = ledger();
    const tz = "America/New_York";
    const caps = { day: 1, month: 2 };
    // 2026-10-31 23:59 EDT (03:59Z) and 2026-11-01 00:01 EDT (04:01Z): new day and new month in New York,
    // though both are Nov 1 in UTC. Clocks fall back at 02:00 EDT that night.
    expect((await reserve(l, "oct", caps, { tz, now: Date.parse("2026-11-01T03:59:00Z") })).ok).toBe(true);
    expect((await reserve(l, "nov-1", caps, { tz, now: Date.parse("2026-11-01T04:01:00Z") })).ok).toBe(true);
    // 23:30 EST on Nov 1 is still Nov 1 local (04:30Z Nov 2): the daily cap holds across the 25-hour day.
    expect(await reserve(l, "nov-1b", caps, { tz, now: Date.parse("2026-11-02T04:30:00Z") })).toMatchObject({
      ok: false,
      limit: "cap_day",
    });
    // 00:01 EST Nov 2 (05:01Z): a new day, and the second of November's two.
    expect((await reserve(l, "nov-2", caps, { tz, now: Date.parse("2026-11-02T05:01:00Z") })).ok).toBe(true);
    expect(await reserve(l, "nov-3", caps, { tz, now: Date.parse("2026-11-03T05:01:00Z") })).toMatchObject({
      ok: false,
      limit: "cap_month",
    });
  });

  it.each(AWKWARD_INSTANTS)("%s: the alarm prunes exactly the windows the retention rule says are done", async (_name, now) => {
    const l = ledger();
    // The ledger's clock is set before anything is written, so the alarm never runs on the wall clock.
    await runInDurableObject(l, (obj: CapLedger) => {
      obj.clock = () => now;
    });
    const cut = capWindowCutoffs(now);
    const monthStart = Date.parse(`${cut.month}-01T00:00:00Z`);
    const dayStart = Date.parse(`${cut.day}T00:00:00Z`);
    const writes: [string, number, string][] = [
      ["current", now, "America/New_York"],
      ["month-kept", monthStart, "UTC"], // the oldest month still kept
      ["month-gone", monthStart - 1, "UTC"], // the last instant of the month before it
      ["day-kept", dayStart, "UTC"],
      ["day-gone", dayStart - 1, "UTC"],
    ];
    for (const [id, at, tz] of writes) {
      expect((await reserve(l, id, { day: 5 }, { now: at, tz })).ok).toBe(true);
      await l.commit(id);
    }
    await runDurableObjectAlarm(l);
    const kept = await runInDurableObject(l, (_obj: CapLedger, state) =>
      state.storage.sql
        .exec("SELECT window FROM usage")
        .toArray()
        .map((r) => String(r.window)),
    );
    const named = (at: number, tz: string) => {
      const w = capWindows(at, tz);
      return { h: `h:${w.hour}`, d: `d:${w.day}`, m: `m:${w.month}` };
    };
    const cur = named(now, "America/New_York");
    expect(kept).toEqual(expect.arrayContaining([cur.h, cur.d, cur.m, named(monthStart, "UTC").m, named(dayStart, "UTC").d]));
    expect(kept).not.toContain(named(monthStart - 1, "UTC").m);
    expect(kept).not.toContain(named(dayStart - 1, "UTC").d);
    expect(kept).not.toContain(named(dayStart - 1, "UTC").h);
    // And nothing else survives: what is left is exactly what the rule keeps.
    for (const w of kept) expect(isCapWindowExpired(w, now), w).toBe(false);
  });
});

describe("DedupeShard", () => {
  const shard = () => env.DEDUPE.get(env.DEDUPE.idFromName(`test-shard-${++n}-${Date.now()}`));

  it("inside the window the same consumer is refused; after it, accepted", async () => {
    const s = shard();
    const t0 = Date.parse("2026-11-21T00:00:00Z");
    expect(await s.claim({ key: "buyer:b", fingerprint: "fp", ref: "lead-1", windowS: 3600, now: t0 })).toEqual({ ok: true });
    expect(await s.claim({ key: "buyer:b", fingerprint: "fp", ref: "lead-2", windowS: 3600, now: t0 + 3_599_000 })).toEqual({
      ok: false,
      ref: "lead-1",
      tentative: false,
    });
    expect(await s.claim({ key: "buyer:c", fingerprint: "fp", ref: "lead-2", windowS: 3600, now: t0 + 1000 })).toEqual({ ok: true }); // another buyer
    expect(await s.claim({ key: "buyer:b", fingerprint: "fp", ref: "lead-2", windowS: 3600, now: t0 + 3_600_001 })).toEqual({ ok: true });
  });

  it("claims are idempotent per lead and released only by their owner", async () => {
    const s = shard();
    await s.claim({ key: "k", fingerprint: "fp", ref: "lead-1", windowS: 60 });
    expect(await s.claim({ key: "k", fingerprint: "fp", ref: "lead-1", windowS: 60 })).toEqual({ ok: true });
    await s.release("k", "fp", "someone-else");
    expect((await s.claim({ key: "k", fingerprint: "fp", ref: "lead-2", windowS: 60 })).ok).toBe(false);
    await s.release("k", "fp", "lead-1");
    expect((await s.claim({ key: "k", fingerprint: "fp", ref: "lead-2", windowS: 60 })).ok).toBe(true);
  });

  it("storage stays bounded: expired fingerprints are purged by alarm", async () => {
    const s = shard();
    // Claims made a minute ahead of the wall clock, so the real alarm can't fire while the test runs;
    // the purge then runs at an injected instant past their one-second window.
    const t0 = Date.now() + 60_000;
    for (let i = 0; i < 20; i++) await s.claim({ key: "k", fingerprint: `fp${i}`, ref: `l${i}`, windowS: 1, now: t0 });
    await s.claim({ key: "k", fingerprint: "live", ref: "l", windowS: 3600, now: t0 });
    expect(await s.size()).toBe(21);
    // The alarm is set for the first expiry, and the purge it runs leaves only the live claim.
    expect(await runInDurableObject(s, (_o: DedupeShard, state) => state.storage.getAlarm())).toBe(t0 + 1000);
    await runInDurableObject(s, (o: DedupeShard) => o.purge(t0 + 1100));
    expect(await s.size()).toBe(1);
  });
});

describe("caps and buyer dedupe through the gateway", () => {
  beforeEach(async () => {
    await seedDemo();
    await sql("UPDATE campaigns SET retry_max_attempts = 0, dedupe_window_s = 0");
    await sql("UPDATE contracts SET status = CASE WHEN id IN ('ct_alpha', 'ct_charlie') THEN 'active' ELSE 'paused' END");
    await setBuyers({ alpha: { bid: 30 }, charlie: { bid: 15 } });
  });

  it("200 concurrent leads against a contract capped at 50 per day: exactly 50 sold to it, the rest to the next buyer", async () => {
    await sql("UPDATE contracts SET cap_day = 50 WHERE id = 'ct_alpha'");
    // 200 leads at once on a 2-core test machine: generous timeouts, since this test is about caps, not speed.
    await sql("UPDATE campaigns SET ping_timeout_ms = 8000, post_deadline_ms = 15000");
    await sql("UPDATE contracts SET timeout_ms = 8000, post_timeout_ms = 8000");
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => postLead(demoLead()).then((r) => r.json<{ status: string; buyer: string | null }>())),
    );
    const byBuyer = (b: string) => answers.filter((a) => a.buyer === b).length;
    expect(byBuyer("Alpha Insurance")).toBe(50);
    expect(byBuyer("Charlie Auto")).toBe(150);
    const accepted = await eventually(async () => {
      const r = await env.DB.prepare("SELECT COUNT(*) AS n FROM posts WHERE contract_id = 'ct_alpha' AND outcome = 'accepted'").first<{
        n: number;
      }>();
      return r?.n === 50 ? r.n : undefined;
    });
    expect(accepted).toBe(50);
  });

  it("a buyer never buys the same consumer twice within its window, even from another campaign's lead", async () => {
    await sql("UPDATE buyers SET dedupe_window_s = 3600");
    const lead = demoLead();
    expect(await (await postLead(lead)).json()).toMatchObject({ buyer: "Alpha Insurance" });
    // Campaign dedupe is off here, so the same consumer is auctioned again: Alpha is skipped, Charlie buys.
    expect(await (await postLead(lead)).json()).toMatchObject({ buyer: "Charlie Auto" });
    expect(await (await postLead(lead)).json()).toMatchObject({ status: "unsold" });
  });

  it("admins see caps and headroom at /admin/caps", async () => {
    // Ledgers outlive a test within this file, so this one uses Charlie's, untouched so far.
    await sql("UPDATE contracts SET status = 'paused' WHERE id = 'ct_alpha'");
    await sql("UPDATE contracts SET cap_day = 10, budget_day_cents = 100000 WHERE id = 'ct_charlie'");
    await postLead(demoLead());
    expect((await gateway("/admin/caps")).status).toBe(401);
    const body = await eventually(async () => {
      const res = await gateway("/admin/caps", { headers: ADMIN });
      const json = await res.json<{
        contracts: { contract: string; leased: number; day: { used: number; left: number; spend_cents: number } }[];
      }>();
      const charlie = json.contracts.find((c) => c.contract === "ct_charlie");
      return charlie?.day.used === 1 ? charlie : undefined;
    });
    // The gateway leased two of the ten (a quarter of the headroom, rounded down) and sold one.
    expect(body.day).toMatchObject({ used: 1, left: 8, spend_cents: 1500 });
    expect(body.leased).toBe(1);
  });
});
