// The seller's wait (issue #14): pings leave as soon as the lead is valid, while the lead is stored
// and the dedupe verdict is taken; nothing is posted before both are known; a duplicate's bids are
// discarded and its pings recorded; the buyer keys held at intake keep concurrent leads of one
// consumer from selling to the same buyer twice; every ping carries its time budget.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { getRules } from "../../src/rules/cache";
import {
  demoLead,
  eventually,
  leadReaches,
  leadRequest,
  postLead,
  received,
  seedDemo,
  setBuyers,
  sql,
  withMethod,
} from "../support/helpers";

beforeEach(async () => {
  await seedDemo();
  await setBuyers({
    alpha: { bid: 18, pingLatencyMs: 20 },
    bravo: { bid: 22, pingLatencyMs: 20 },
    charlie: { bid: 15 },
    echo: { bid: 12, format: "form" },
  });
});

const BUYERS = ["alpha", "bravo", "charlie", "echo"];
const allReceived = async () => (await Promise.all(BUYERS.map(received))).flat();

/** Resolves when some buyer has received a ping (false if none arrives within 3 s). */
const aPingArrived = () =>
  eventually(async () => (await allReceived()).some((r) => r.kind === "ping"), 3000).then(
    () => true,
    () => false,
  );

/** Wraps a binding so that `method` waits for `before()` and reports when it is done. */
function gated<T extends object>(binding: T, method: string, before: () => Promise<boolean>, done: (pingedFirst: boolean) => void): T {
  return new Proxy(binding, {
    get(target, prop) {
      if (prop === method)
        return async (...args: unknown[]) => {
          const pingedFirst = await before();
          const out = await (Reflect.apply(
            Reflect.get(target, prop) as (...a: unknown[]) => Promise<unknown>,
            target,
            args,
          ) as Promise<unknown>);
          done(pingedFirst);
          return out;
        };
      if (prop === "then") return undefined; // a stub is not a promise
      const v = Reflect.get(target, prop) as unknown;
      // Reflect.apply, not .bind: a Durable Object stub would take `bind` for a remote method.
      return typeof v === "function" ? (...a: unknown[]) => Reflect.apply(v as (...a: unknown[]) => unknown, target, a) : v;
    },
  });
}

describe("the critical path", () => {
  it("pings leave before the lead is stored and the dedupe verdict is in; the post waits for both", async () => {
    await getRules(env.DB, 60_000); // the rules are cached: the first D1 batch is the lead's own
    const seen: { what: string; pingedFirst: boolean; at: number }[] = [];
    let stores = 0;
    const db = gated(
      env.DB,
      "batch",
      () => (stores++ === 0 ? aPingArrived() : Promise.resolve(true)),
      (p) => seen.push({ what: "stored", pingedFirst: p, at: Date.now() }),
    );
    const dedupe = withMethod(env.DEDUPE, "get", (id: DurableObjectId) =>
      gated(env.DEDUPE.get(id), "intake", aPingArrived, (p) => seen.push({ what: "verdict", pingedFirst: p, at: Date.now() })),
    );
    const ctx = createExecutionContext();
    const res = await worker.fetch(leadRequest(), { ...env, DB: db, DEDUPE: dedupe }, ctx);
    const body = await res.json<{ status: string; lead_id: string }>();
    await waitOnExecutionContext(ctx);
    expect(body.status).toBe("sold");
    const stored = seen.find((s) => s.what === "stored")!;
    const verdicts = seen.filter((s) => s.what === "verdict");
    expect(stored.pingedFirst).toBe(true);
    expect(verdicts.length).toBeGreaterThan(0);
    for (const v of verdicts) expect(v.pingedFirst).toBe(true);
    const posts = (await allReceived()).filter((r) => r.kind === "post");
    expect(posts.length).toBeGreaterThan(0);
    const ready = Math.max(stored.at, ...verdicts.map((v) => v.at));
    for (const p of posts) expect(p.at).toBeGreaterThanOrEqual(ready);
  });

  it("a duplicate's bids are discarded and its pings recorded; nothing is posted for it", async () => {
    const lead = demoLead();
    await (await postLead(lead)).json();
    const dup = await (await postLead(lead)).json<{ status: string; lead_id: string }>();
    expect(dup.status).toBe("duplicate");
    await leadReaches(dup.lead_id, ["duplicate"]);
    const pings = await eventually(async () => {
      const r = await env.DB.prepare("SELECT outcome, reason FROM pings WHERE lead_id = ?")
        .bind(dup.lead_id)
        .all<{ outcome: string; reason: string | null }>();
      return r.results.length > 0 ? r.results : undefined;
    });
    expect(pings.filter((p) => p.outcome === "discarded").map((p) => p.reason)).toContain("lead not auctioned");
    expect(pings.some((p) => p.outcome === "bid")).toBe(false);
    const posts = await env.DB.prepare("SELECT COUNT(*) AS n FROM posts WHERE lead_id = ?").bind(dup.lead_id).first<{ n: number }>();
    expect(posts?.n).toBe(0);
  });

  it("concurrent leads of one consumer (campaign dedupe off): no buyer buys it twice", async () => {
    await sql("UPDATE campaigns SET dedupe_window_s = 0, retry_max_attempts = 0");
    const lead = demoLead();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => postLead(lead).then((r) => r.json<{ status: string; lead_id: string }>())),
    );
    for (const a of answers) await leadReaches(a.lead_id, ["sold", "unsold"]);
    const ids = answers.map((a) => a.lead_id);
    const sales = await env.DB.prepare(
      `SELECT c.buyer_id AS buyer, COUNT(*) AS n FROM posts p JOIN contracts c ON c.id = p.contract_id
       WHERE p.outcome = 'accepted' AND p.lead_id IN (${ids.map(() => "?").join(",")}) GROUP BY c.buyer_id`,
    )
      .bind(...ids)
      .all<{ buyer: string; n: number }>();
    expect(sales.results.length).toBeGreaterThan(0);
    for (const s of sales.results) expect(s.n).toBe(1);
  });

  it("every ping carries its time budget; a contract whose minimum time cannot fit is skipped", async () => {
    await sql("UPDATE campaigns SET ping_timeout_ms = 200");
    await sql("UPDATE contracts SET timeout_ms = 500, min_ping_ms = 300 WHERE id = 'ct_charlie'");
    const body = await (await postLead(demoLead())).json<{ lead_id: string }>();
    await leadReaches(body.lead_id, ["sold"]);
    const alphaPing = (await received("alpha")).find((r) => r.kind === "ping")!;
    const tmax = Number(alphaPing.headers["x-leadgate-tmax"]);
    expect(tmax).toBeGreaterThan(0);
    expect(tmax).toBeLessThanOrEqual(200);
    expect((JSON.parse(alphaPing.body) as { tmax: number }).tmax).toBe(tmax);
    expect((await received("echo")).find((r) => r.kind === "ping")?.headers["x-leadgate-tmax"]).toBeDefined();
    expect(await received("charlie")).toEqual([]);
    const skipped = await eventually(() =>
      env.DB.prepare("SELECT reason FROM pings WHERE lead_id = ? AND contract_id = 'ct_charlie'")
        .bind(body.lead_id)
        .first<{ reason: string }>(),
    );
    expect(skipped.reason).toBe("no time left");
  });
});
