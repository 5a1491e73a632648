// Trust at the public edge (happy, error and security cases): bots and floods (Turnstile, rate
// limits, the daily quota, a campaign's ping budget), buyers harvesting leads (max bid, reject
// memory, the circuit breaker) and what answers reveal to a browser or a source.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { DEMO_ORIGIN, DEMO_PUBLISHABLE_KEY } from "../../demo/constants";
import { TURNSTILE_DUMMY_TOKEN, TURNSTILE_FAIL, TURNSTILE_SPENT } from "../../demo/turnstile-stub";
import { dbOf } from "../../src/db/client";
import { Records } from "../../src/db/records";
import { sha256Hex } from "../../src/lib/crypto";
import worker from "../../src/index";
import { evaluateBreakers } from "../../src/queues/breakers";
import { getRules } from "../../src/rules/cache";
import {
  ADMIN,
  countOf,
  demoLead,
  eventually,
  gateway,
  insideOneMinute,
  leadReaches,
  leadRow,
  onlyContracts,
  postLead,
  received,
  seedDemo,
  setBuyers,
  sql,
} from "../support/helpers";

const TOKEN = { "cf-turnstile-response": TURNSTILE_DUMMY_TOKEN };

/** A browser's fetch() of the demo form (JSON body), optionally from a given client IP. */
const browserPost = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  gateway("/v1/leads", {
    method: "POST",
    headers: { "content-type": "application/json", origin: DEMO_ORIGIN, "x-publishable-key": DEMO_PUBLISHABLE_KEY, ...headers },
    body: JSON.stringify(body),
  });

const leadsOf = (sourceId: string) => countOf("SELECT COUNT(*) AS n FROM leads WHERE source_id = ?", sourceId);
const pingsTo = async (buyer: string) => (await received(buyer)).filter((r) => r.kind === "ping").length;
const postsTo = async (buyer: string) => (await received(buyer)).filter((r) => r.kind === "post").length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let ipN = 0;
/** A client IP no other test has used (rate limits are counted per IP). */
const freshIp = () => `203.0.113.${++ipN}`;

beforeEach(async () => {
  await seedDemo();
  await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22 }, charlie: { bid: 15 } });
});

describe("bots: Turnstile on browser sources", () => {
  it("a forged Origin without a valid token stores nothing and pings no one", async () => {
    const before = await pingsTo("alpha");
    const missing = await browserPost(demoLead());
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ error: "bot_check_failed", fields: [{ path: "cf-turnstile-response" }] });

    // A token Turnstile refuses, and one already spent (the stub honours Cloudflare's dummy secrets).
    await sql("UPDATE sources SET turnstile_secret = ? WHERE id = 'src_form'", TURNSTILE_FAIL);
    expect((await browserPost({ ...demoLead(), ...TOKEN })).status).toBe(403);
    await sql("UPDATE sources SET turnstile_secret = ? WHERE id = 'src_form'", TURNSTILE_SPENT);
    const spent = await browserPost({ ...demoLead(), ...TOKEN });
    expect(spent.status).toBe(403);
    expect((await spent.json<{ message: string }>()).message).toContain("already used");

    expect(await leadsOf("src_form")).toBe(0);
    expect(await pingsTo("alpha")).toBe(before);
  });

  it("a plain form without a token lands on its failure page, naming the check", async () => {
    const res = await gateway("/v1/leads", {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: DEMO_ORIGIN, accept: "text/html" },
      body: new URLSearchParams({ ...(demoLead() as Record<string, string>), publishable_key: DEMO_PUBLISHABLE_KEY }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("/sorry?error=bot_check_failed");
  });

  it("the token may come as a header; a valid one is verified with the client's IP", async () => {
    const ip = freshIp();
    const res = await browserPost(demoLead(), { ...TOKEN, "cf-connecting-ip": ip });
    expect(res.status).toBe(200);
    const verify = (await received("_turnstile")).at(-1)!;
    expect(new URLSearchParams(verify.body).get("remoteip")).toBe(ip);
    expect(new URLSearchParams(verify.body).get("response")).toBe(TURNSTILE_DUMMY_TOKEN);
  });

  it("siteverify down or silent: 503 bot_check_unavailable (retry), nothing stored", async () => {
    await setBuyers({ _turnstile: { ping: "error_500" } });
    const res = await browserPost({ ...demoLead(), ...TOKEN });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toMatchObject({ error: "bot_check_unavailable" });
    expect(await leadsOf("src_form")).toBe(0);
  });

  it("a source with Turnstile off, and server sources, need no token", async () => {
    await sql("UPDATE sources SET turnstile = 0 WHERE id = 'src_form'");
    expect((await browserPost(demoLead())).status).toBe(200);
    expect((await postLead(demoLead())).status).toBe(200);
  });
});

describe("limits count what is verified (issue #24)", () => {
  /** A browser source of its own (counters outlive a test), with Turnstile on. */
  async function browserSource(id: string, limits: { key?: number; ip?: number }) {
    await sql(
      `INSERT INTO sources (id, name, publishable_key, allowed_campaigns, allowed_origins, payout_type, payout_value, key_per_minute, ip_per_minute)
       VALUES (?, ?, ?, '["auto-insurance"]', ?, 'fixed', 800, ?, ?)`,
      id,
      id,
      `pk_${id}`,
      JSON.stringify([DEMO_ORIGIN]),
      limits.key ?? null,
      limits.ip ?? null,
    );
    return (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      browserPost(body, { "x-publishable-key": `pk_${id}`, ...headers });
  }

  it("tokenless posts don't spend a browser source's key budget: a real visitor with a valid token still gets in", async () => {
    const post = await browserSource("src_budget", { key: 5 });
    for (let i = 0; i < 8; i++) expect((await post(demoLead(), { "cf-connecting-ip": freshIp() })).status).toBe(403);
    expect((await post({ ...demoLead(), ...TOKEN }, { "cf-connecting-ip": freshIp() })).status).toBe(200);
  });

  it("an IPv6 client is one client per /64: rotating addresses inside it does not reset its limit", async () => {
    const post = await browserSource("src_v6", { ip: 2 });
    const from = async (ip: string) => (await post({ ...demoLead(), ...TOKEN }, { "cf-connecting-ip": ip })).status;
    await insideOneMinute();
    expect(await from("2001:db8:aa:bb::1")).toBe(200);
    expect(await from("2001:DB8:AA:BB:0:0:0:2")).toBe(200);
    expect(await from("2001:db8:aa:bb:ffff:1:2:3")).toBe(429);
    expect(await from("2001:db8:aa:cc::1")).toBe(200); // another /64
  });

  it("a key's budget is one for the whole exchange, wherever its requests land", async () => {
    await sql(
      "INSERT INTO sources (id, name, api_key_hash, key_per_minute) VALUES ('src_colos', 'Colos', ?, 3)",
      await sha256Hex("colos-key"),
    );
    const from = async (colo: string) => {
      const ctx = createExecutionContext();
      const init = {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "colos-key" },
        body: JSON.stringify(demoLead()),
      };
      const res = await worker.fetch(new Request("http://gw/v1/leads", { ...init, cf: { colo } }), env, ctx);
      await waitOnExecutionContext(ctx);
      return res.status;
    };
    await insideOneMinute();
    expect([await from("SJC"), await from("LHR"), await from("NRT"), await from("FRA")]).toEqual([200, 200, 200, 429]);
  });

  it("a limiter that can't be reached refuses a browser's lead (503) and lets a server's through", async () => {
    const broken = {
      idFromName: (name: string) => env.RATE_COUNTER.idFromName(name),
      get: () => ({ check: () => Promise.reject(new Error("counter down")) }),
    } as unknown as typeof env.RATE_COUNTER;
    const call = async (init: RequestInit) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request("http://gw/v1/leads", init), { ...env, RATE_COUNTER: broken }, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const browser = await call({
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: DEMO_ORIGIN,
        "x-publishable-key": DEMO_PUBLISHABLE_KEY,
        "cf-connecting-ip": freshIp(),
      },
      body: JSON.stringify({ ...demoLead(), ...TOKEN }),
    });
    expect(browser.status).toBe(503);
    expect(await browser.json()).toMatchObject({ error: "limits_unavailable" });
    const server = await call({
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "demo-server-key" },
      body: JSON.stringify(demoLead()),
    });
    expect(server.status).toBe(200);
  });
});

describe("floods: rate limits and quotas", () => {
  it("500 form posts from one IP: 429s with Retry-After after the limit, never a 5xx, nothing stored for them", async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 500; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, () => browserPost({ ...demoLead(), ...TOKEN }, { "cf-connecting-ip": ip })),
      );
      for (const r of batch) {
        statuses.push(r.status);
        if (r.status === 429) {
          expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
          expect(await r.json()).toMatchObject({ error: "rate_limited" });
        } else await r.body?.cancel();
      }
    }
    const ok = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    // 20 per minute per IP (a sliding window: a minute boundary during the run may admit a few more).
    expect(ok).toBeGreaterThanOrEqual(20);
    expect(ok).toBeLessThanOrEqual(25);
    expect(await leadsOf("src_form")).toBe(ok);
    // Another visitor is not affected.
    expect((await browserPost({ ...demoLead(), ...TOKEN }, { "cf-connecting-ip": freshIp() })).status).toBe(200);
  });

  it("a server key over its per-minute limit gets 429 before its body is looked at", async () => {
    // A source of its own: counters live as long as their window, across the tests of a file.
    await sql(
      "INSERT INTO sources (id, name, api_key_hash, key_per_minute) VALUES ('src_small', 'Small', ?, 3)",
      await sha256Hex("small-key"),
    );
    await insideOneMinute();
    const res = [];
    for (let i = 0; i < 4; i++) res.push((await postLead(demoLead(), { apiKey: "small-key" })).status);
    expect(res).toEqual([200, 200, 200, 429]);
    expect((await postLead({ campaign: "no-such" }, { apiKey: "small-key" })).status).toBe(429);
    expect(await leadsOf("src_small")).toBe(3);
  });

  it("a source's daily lead quota: the lead after it is refused with 429 and not stored", async () => {
    await sql("UPDATE sources SET daily_lead_quota = 2 WHERE id = 'src_partner'");
    const res = [];
    for (let i = 0; i < 3; i++) res.push(await postLead(demoLead()));
    expect(res.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(await res[2]!.json()).toMatchObject({ error: "daily_quota_reached" });
    expect(Number(res[2]!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await leadsOf("src_partner")).toBe(2);
  });

  it("seller pings are limited per source", async () => {
    await sql("UPDATE sources SET pings_per_minute = 2 WHERE id = 'src_partner'");
    const ping = () =>
      gateway("/v1/pings", {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "demo-server-key" },
        body: JSON.stringify({ campaign: "auto-insurance", zip: "94107", state: "CA" }),
      });
    await insideOneMinute();
    const res = [await ping(), await ping(), await ping()];
    expect(res.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(await res[2]!.json()).toMatchObject({ error: "rate_limited" });
  });

  it("a campaign's pings per minute bound the outbound traffic; the lead waits for a retry round", async () => {
    await onlyContracts("ct_alpha", "ct_charlie");
    await sql("UPDATE campaigns SET pings_per_minute = 4 WHERE id = 'cmp_auto'");
    const before = (await pingsTo("alpha")) + (await pingsTo("charlie"));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await (await postLead(demoLead())).json<{ lead_id: string }>()).lead_id);
    expect((await pingsTo("alpha")) + (await pingsTo("charlie")) - before).toBe(4);
    const third = await leadReaches(ids[2]!, ["pending"]);
    expect(third.status).toBe("pending");
    const skipped = await eventually(
      async () => (await env.DB.prepare("SELECT reason FROM pings WHERE lead_id = ?").bind(ids[2]).all<{ reason: string }>()).results,
    );
    expect(skipped.map((p) => p.reason)).toEqual([
      "campaign ping budget reached (4 per minute)",
      "campaign ping budget reached (4 per minute)",
    ]);
  });
});

describe("buyers harvesting leads", () => {
  it("a bid above the contract's or the campaign's maximum is recorded invalid and not posted", async () => {
    await onlyContracts("ct_alpha", "ct_charlie");
    await sql("UPDATE contracts SET max_bid_cents = 1000 WHERE id = 'ct_alpha'");
    await sql("UPDATE campaigns SET max_bid_cents = 1400 WHERE id = 'cmp_auto'");
    await setBuyers({ alpha: { bid: 18 }, charlie: { bid: 15 } });
    const { lead_id } = await (await postLead(demoLead())).json<{ lead_id: string }>();
    await leadReaches(lead_id, ["pending"]); // charlie's $15 is above the campaign's $14 too
    const pings = await eventually(async () => {
      const r = (
        await env.DB.prepare("SELECT contract_id, outcome, reason FROM pings WHERE lead_id = ? ORDER BY contract_id").bind(lead_id).all()
      ).results;
      return r.length === 2 ? r : undefined;
    });
    expect(pings).toEqual([
      { contract_id: "ct_alpha", outcome: "invalid", reason: "bid above the maximum (1000c)" },
      { contract_id: "ct_charlie", outcome: "invalid", reason: "bid above the maximum (1400c)" },
    ]);
    expect(await postsTo("alpha")).toBe(0);
  });

  it("a consumer a buyer rejected is never posted to that buyer again within its window", async () => {
    await onlyContracts("ct_alpha", "ct_charlie");
    await sql("UPDATE campaigns SET dedupe_window_s = 0 WHERE id = 'cmp_auto'"); // the same person may come back
    await sql("UPDATE buyers SET dedupe_window_s = 1 WHERE id = 'buy_charlie'"); // charlie may buy the same person again, soon
    await setBuyers({ alpha: { bid: 30, post: "reject" }, charlie: { bid: 15 } });
    const consumer = demoLead();
    const first = await (await postLead(consumer)).json<{ lead_id: string; buyer: string }>();
    expect(first.buyer).toBe("Charlie Auto"); // alpha rejected, charlie bought
    await sleep(1100); // the round's holds settle (off the seller's wait); charlie's 1 s window ends
    const second = await (await postLead({ ...consumer, zip: "94108" })).json<{ lead_id: string; buyer: string | null }>();
    expect(second.buyer).toBe("Charlie Auto");
    expect(await postsTo("alpha")).toBe(1);
    const alphaPing = await eventually(async () =>
      env.DB.prepare("SELECT outcome, reason FROM pings WHERE lead_id = ? AND contract_id = 'ct_alpha'").bind(second.lead_id).first(),
    );
    expect(alphaPing).toEqual({ outcome: "discarded", reason: "buyer already bought or rejected this consumer" });
  });
});

describe("the circuit breaker", () => {
  const evaluate = async (now = Date.now()) =>
    evaluateBreakers(new Records(dbOf(env.DB)), [...(await getRules(env.DB, 0)).contractsById.values()], now);
  const health = () =>
    env.DB.prepare("SELECT state, reason, trips FROM contract_health WHERE contract_id = 'ct_alpha'").first<{
      state: string;
      reason: string;
      trips: number;
    }>();
  /** The cool-down is over (instead of waiting minutes). */
  const coolDown = () => sql("UPDATE contract_health SET until = ? WHERE contract_id = 'ct_alpha'", Date.now() - 1);
  const sell = async () => (await postLead(demoLead())).json<{ lead_id: string; buyer: string | null; status: string }>();
  const postsRecorded = (n: number) =>
    eventually(async () => (await countOf("SELECT COUNT(*) AS n FROM posts WHERE contract_id = 'ct_alpha'")) >= n || undefined);

  beforeEach(async () => {
    await onlyContracts("ct_alpha", "ct_charlie");
    await sql("UPDATE campaigns SET dedupe_window_s = 0 WHERE id = 'cmp_auto'");
    await sql("UPDATE contracts SET breaker_min_samples = 3, breaker_cooldown_s = 60 WHERE id = 'ct_alpha'");
    await setBuyers({ alpha: { bid: 30, post: "reject" }, charlie: { bid: 15 } });
  });

  async function trip() {
    for (let i = 0; i < 3; i++) expect((await sell()).buyer).toBe("Charlie Auto");
    await postsRecorded(3);
    const [change] = await evaluate();
    expect(change).toMatchObject({ contractId: "ct_alpha", from: { state: "closed" }, to: { state: "open", trips: 1 } });
  }

  it("a buyer that rejects every post is paused, shown as paused, and its leads go to others", async () => {
    await trip();
    expect(await health()).toEqual({
      state: "open",
      trips: 1,
      reason: "reject_rate: 100% of 3 posts over 15 min not paid for (3 rejected, 0 errors, 0 timeouts; limit 80%)",
    });
    const pingsBefore = await pingsTo("alpha");
    const lead = await sell();
    expect(lead.buyer).toBe("Charlie Auto");
    expect(await pingsTo("alpha")).toBe(pingsBefore);
    const skip = await eventually(async () =>
      env.DB.prepare("SELECT outcome, reason FROM pings WHERE lead_id = ? AND contract_id = 'ct_alpha'")
        .bind(lead.lead_id)
        .first<{ outcome: string; reason: string }>(),
    );
    expect(skip.outcome).toBe("skipped");
    expect(skip.reason).toMatch(/^paused by circuit breaker: reject_rate/);

    const caps = await (await gateway("/admin/caps", { headers: ADMIN })).json<{ breakers: unknown[] }>();
    expect(caps.breakers).toEqual([expect.objectContaining({ contract: "ct_alpha", state: "open", trips: 1 })]);
    const report = await (
      await gateway("/admin/reports/buyers", { headers: ADMIN })
    ).json<{ contracts: { contract: string; breaker_trips: number; breaker_state: string }[] }>();
    expect(report.contracts.find((c) => c.contract === "ct_alpha")).toMatchObject({ breaker_trips: 1, breaker_state: "open" });
    expect(await countOf("SELECT COUNT(*) AS n FROM breaker_events WHERE contract_id = 'ct_alpha' AND to_state = 'open'")).toBe(1);
  });

  it("after the cool-down one probe goes through; a rejected probe pauses it again", async () => {
    await trip();
    await coolDown();
    expect((await evaluate()).map((c) => c.to.state)).toEqual(["half_open"]);
    const pingsBefore = await pingsTo("alpha");
    await sell(); // the probe: alpha pinged, posted, rejects
    await sell(); // the next lead in this isolate waits for the probe's verdict
    expect((await pingsTo("alpha")) - pingsBefore).toBe(1);
    await postsRecorded(4);
    expect((await evaluate()).map((c) => c.to.state)).toEqual(["open"]);
    expect(await health()).toMatchObject({ state: "open", trips: 2 });
  });

  it("a probe that goes well closes the breaker", async () => {
    await trip();
    await coolDown();
    await evaluate();
    await setBuyers({ alpha: { bid: 30 }, charlie: { bid: 15 } });
    expect((await sell()).buyer).toBe("Alpha Insurance");
    await postsRecorded(4);
    expect((await evaluate()).map((c) => c.to.state)).toEqual(["closed"]);
    expect((await sell()).buyer).toBe("Alpha Insurance");
  });

  it("the cron runs the evaluation", async () => {
    for (let i = 0; i < 3; i++) await sell();
    await postsRecorded(3);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await health()).toMatchObject({ state: "open" });
  });
});

describe("what answers reveal", () => {
  const BROWSER_KEYS = ["lead_id", "redirect_url", "status"];
  const suppress = async (phone: unknown) =>
    expect(
      (
        await gateway("/admin/suppressions", {
          method: "POST",
          headers: { ...ADMIN, "content-type": "application/json" },
          body: JSON.stringify({ phone, reason: "opt-out" }),
        })
      ).status,
    ).toBe(200);

  it("a browser learns accepted or declined only: a duplicate and a suppressed consumer look the same (issue #24)", async () => {
    const consumer = { ...demoLead(), ...TOKEN };
    const sold = await (await browserPost(consumer)).json<Record<string, unknown>>();
    expect(Object.keys(sold).sort()).toEqual(BROWSER_KEYS);
    expect(sold.status).toBe("accepted");
    await leadReaches(String(sold.lead_id), ["sold"]);

    const dup = await (await browserPost(consumer)).json<Record<string, unknown>>();
    const suppressed = demoLead();
    await suppress(suppressed.phone);
    const rejected = await (await browserPost({ ...suppressed, ...TOKEN })).json<Record<string, unknown>>();
    // Before: "duplicate" and "rejected", a dedupe and suppression oracle for anyone holding the public key.
    const declined = { lead_id: expect.any(String), status: "declined", redirect_url: `${DEMO_ORIGIN}/sorry` };
    expect(dup).toEqual(declined);
    expect(rejected).toEqual(declined);
    await leadReaches(String(dup.lead_id), ["duplicate"]);
    await leadReaches(String(rejected.lead_id), ["rejected"]);
  });

  it("a plain form's redirect carries the same single outcome", async () => {
    const form = (lead: Record<string, unknown>) =>
      gateway("/v1/leads", {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", origin: DEMO_ORIGIN },
        body: new URLSearchParams(
          Object.entries({ ...lead, ...TOKEN, publishable_key: DEMO_PUBLISHABLE_KEY }).map(([k, v]) => [k, String(v)]),
        ).toString(),
      });
    const consumer = demoLead();
    const first = await form(consumer);
    expect(first.status).toBe(303);
    await leadReaches(new URL(first.headers.get("location")!).searchParams.get("lead_id")!, ["sold"]);
    const suppressed = demoLead();
    await suppress(suppressed.phone);
    for (const res of [await form(consumer), await form(suppressed)]) {
      expect(res.status).toBe(303);
      const to = new URL(res.headers.get("location")!);
      expect(`${to.origin}${to.pathname}`).toBe(`${DEMO_ORIGIN}/sorry`);
      expect(to.searchParams.get("status")).toBe("declined");
    }
  });

  it("a server source sees its own earlier lead in duplicate_of, never another source's, nor the suppression list's reason", async () => {
    await sql(
      "INSERT INTO sources (id, name, api_key_hash, allowed_campaigns) VALUES ('src_other', 'Other', ?, '[\"*\"]')",
      await sha256Hex("other-server-key"),
    );
    const consumer = demoLead();
    const first = await (await postLead(consumer)).json<Record<string, unknown>>();
    await leadReaches(String(first.lead_id), ["sold"]);
    // Its own resubmission: the earlier lead is its own, so it is named.
    const own = await (await postLead(consumer)).json<Record<string, unknown>>();
    expect(own).toMatchObject({ status: "duplicate", duplicate_of: first.lead_id });
    // Another source submitting the same consumer learns it is a duplicate, not whose lead it was.
    const theirs = await (await postLead(consumer, { apiKey: "other-server-key" })).json<Record<string, unknown>>();
    expect(theirs).toMatchObject({ status: "duplicate", duplicate_of: null });
    await leadReaches(String(theirs.lead_id), ["duplicate"]);
    const read = await (
      await gateway(`/v1/leads/${String(theirs.lead_id)}`, { headers: { "x-api-key": "other-server-key" } })
    ).json<Record<string, unknown>>();
    expect(read).toMatchObject({ status: "duplicate", duplicate_of: null });
    expect(JSON.stringify(read)).not.toContain(String(first.lead_id));

    const suppressed = demoLead();
    await suppress(suppressed.phone);
    const rejected = await (await postLead(suppressed)).json<Record<string, unknown>>();
    expect(rejected).toMatchObject({ status: "rejected", reason: "suppressed" });
    await leadReaches(String(rejected.lead_id), ["rejected"]); // the admin's record keeps the list's reason
    expect((await leadRow(String(rejected.lead_id)))?.reason).toBe("suppressed: opt-out");
    const trace = await (
      await gateway(`/v1/leads/${String(rejected.lead_id)}`, { headers: { "x-api-key": "demo-server-key" } })
    ).json<Record<string, unknown>>();
    expect(trace).toMatchObject({ status: "rejected", reason: "suppressed" });
    expect(JSON.stringify(trace)).not.toContain("opt-out");
  });

  it("Server-Timing goes to servers only: not on browser answers, and not exposed to page scripts by CORS (issue #24)", async () => {
    const server = await postLead(demoLead());
    expect(server.headers.get("server-timing")).toMatch(/^total;dur=\d+, ping;dur=\d+, post;dur=\d+/);
    const browser = await browserPost({ ...demoLead(), ...TOKEN });
    expect(browser.status).toBe(200);
    expect(browser.headers.get("access-control-allow-origin")).toBe(DEMO_ORIGIN);
    expect(browser.headers.get("server-timing")).toBeNull();
    expect(browser.headers.get("access-control-expose-headers") ?? "").not.toMatch(/server-timing/i);
    const refused = await browserPost(demoLead()); // no Turnstile token: an error answer, also without it
    expect(refused.status).toBe(403);
    expect(refused.headers.get("server-timing")).toBeNull();
  });

  it("the key is checked before the campaign: slugs can't be enumerated without one", async () => {
    expect((await postLead(demoLead({ campaign: "secret-campaign" }), { apiKey: null })).status).toBe(401);
    expect((await postLead(demoLead({ campaign: "secret-campaign" }), { apiKey: "wrong" })).status).toBe(401);
    expect((await postLead(demoLead({ campaign: "secret-campaign" }))).status).toBe(404);
  });
});

describe("secrets the gateway won't run without (issue #24)", () => {
  it("in production without FINGERPRINT_PEPPER no lead is taken (503), and /health says it is down without saying why", async () => {
    const production = { ...env, LEADGATE_ENV: "production", FINGERPRINT_PEPPER: undefined };
    const call = async (path: string, init: RequestInit = {}) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`http://gw${path}`, init), production, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const lead = await call("/v1/leads", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "demo-server-key" },
      body: JSON.stringify(demoLead()),
    });
    expect(lead.status).toBe(503);
    expect(await lead.json()).toMatchObject({ error: "gateway_misconfigured" });
    const suppress = await call("/admin/suppressions", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ phone: "4155550100", reason: "x" }),
    });
    expect(suppress.status).toBe(503);
    const pub = await call("/health");
    expect(pub.status).toBe(503);
    expect(await pub.json()).toEqual({ ok: false, status: "down" });
    const detail = await (await call("/admin/health", { headers: ADMIN })).json<{ config_problems: string[] }>();
    expect(detail.config_problems).toEqual([expect.stringContaining("FINGERPRINT_PEPPER is not set")]);
    // With a pepper of 32+ characters it runs.
    const peppered = { ...production, FINGERPRINT_PEPPER: "p".repeat(32) };
    const ctx = createExecutionContext();
    const ok = await worker.fetch(new Request("http://gw/health"), peppered, ctx);
    await waitOnExecutionContext(ctx);
    expect(ok.status).toBe(200);
  });
});
