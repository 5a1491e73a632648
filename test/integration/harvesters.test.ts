// Buyers that take leads without paying (issue #24): one that answers every post with a 500, one that
// lets every post hang, one that rejects most. Each gets a post of its own time, never the same
// consumer twice, and is paused within a bounded number of posts; the honest buyers below them sell.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { BreakerSettings } from "../../src/rules/model";
import type { RetryMessage } from "../../src/services/retry-queue";
import { demoLead, eventually, leadReaches, onlyContracts, postLead, received, seedDemo, setBuyers, sql } from "../support/helpers";

let msgN = 0;
/** The retry queue delivering a lead's message, as the consumer would receive it. */
async function deliver(leadId: string, attempts: number) {
  const batch = createMessageBatch<RetryMessage>("leadgate-retry", [
    { id: `h${++msgN}`, timestamp: new Date(), attempts, body: { leadId } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, env, ctx);
  await getQueueResult(batch, ctx);
}

const postsTo = async (buyer: string) => (await received(buyer)).filter((r) => r.kind === "post");
const postRows = (leadId: string) =>
  env.DB.prepare("SELECT contract_id, outcome FROM posts WHERE lead_id = ? ORDER BY created_at")
    .bind(leadId)
    .all<{ contract_id: string; outcome: string }>();

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 2, retry_base_delay_s = 1, dedupe_window_s = 0, post_deadline_ms = 3000");
  await onlyContracts("ct_alpha", "ct_bravo", "ct_charlie");
});

describe("a buyer that errors or hangs costs one slot of the cascade, not the lead", () => {
  it("above an honest buyer, a 500 on every post and a hanging post: the honest buyer buys in the same round", async () => {
    await sql("UPDATE contracts SET post_timeout_ms = 400 WHERE id = 'ct_alpha'");
    await setBuyers({ bravo: { bid: 30, post: "error_500" }, alpha: { bid: 25, post: "hang" }, charlie: { bid: 15 } });
    const res = await postLead(demoLead());
    const body = await res.json<{ lead_id: string; status: string; buyer: string }>();
    expect(body).toMatchObject({ status: "sold", buyer: "Charlie Auto" });
    await leadReaches(body.lead_id, ["sold"]);
    expect((await postRows(body.lead_id)).results).toEqual([
      { contract_id: "ct_bravo", outcome: "error" },
      { contract_id: "ct_alpha", outcome: "timeout" },
      { contract_id: "ct_charlie", outcome: "accepted" },
    ]);
  });

  it("a post never waits longer than its contract's post_timeout_ms", async () => {
    await sql("UPDATE contracts SET post_timeout_ms = 300 WHERE id = 'ct_bravo'");
    await setBuyers({ bravo: { bid: 30, post: "hang" }, charlie: { bid: 15 } });
    const { lead_id } = await (await postLead(demoLead())).json<{ lead_id: string }>();
    await leadReaches(lead_id, ["sold"]);
    const row = await env.DB.prepare("SELECT latency_ms FROM posts WHERE lead_id = ? AND contract_id = 'ct_bravo'")
      .bind(lead_id)
      .first<{ latency_ms: number }>();
    expect(row!.latency_ms).toBeGreaterThanOrEqual(300);
    expect(row!.latency_ms).toBeLessThan(1500); // far from the 3 s post deadline it would have eaten
  });
});

describe("a contract that received the full lead has had its chance", () => {
  it("whatever it answered: no retry round posts that consumer to it again, and its dedupe claim stays", async () => {
    await onlyContracts("ct_bravo");
    await setBuyers({ bravo: { bid: 30, post: "error_500" } });
    const consumer = demoLead();
    const first = await (await postLead(consumer)).json<{ lead_id: string; status: string }>();
    expect(first.status).toBe("pending"); // an error is worth a retry... with another buyer
    await leadReaches(first.lead_id, ["pending"]);
    expect(await postsTo("bravo")).toHaveLength(1);
    await setBuyers({ bravo: { bid: 30 } }); // now it would accept (and its log of requests starts over)
    for (let attempt = 1; attempt <= 2; attempt++) await deliver(first.lead_id, attempt);
    await leadReaches(first.lead_id, ["unsold"]); // the retry rounds did not go back to it
    expect((await postRows(first.lead_id)).results).toEqual([{ contract_id: "ct_bravo", outcome: "error" }]);
    expect(await postsTo("bravo")).toHaveLength(0);
    // The same consumer in a new lead is not posted to that buyer either (its window holds).
    await sql("UPDATE campaigns SET retry_max_attempts = 0");
    const again = await (await postLead({ ...consumer })).json<{ lead_id: string; status: string }>();
    expect(again.status).toBe("unsold");
    expect(await postsTo("bravo")).toHaveLength(0);
  });
});

describe("the breaker trips on a harvesting pattern within a bounded number of posts", () => {
  const settings: BreakerSettings = { windowS: 900, minSamples: 5, rejectPct: 80, errorPct: 50, timeoutPct: 50, cooldownS: 300 };
  const meter = () => env.CAP_LEDGER.get(env.CAP_LEDGER.idFromName(`meter-test-${crypto.randomUUID()}`));
  const t0 = Date.parse("2026-11-30T12:00:00Z");

  it.each([
    ["answers every post 500", ["error"]],
    ["lets every post hang", ["timeout"]],
    ["rejects 80% of its posts", ["rejected", "rejected", "rejected", "rejected", "accepted"]],
  ] as const)("a buyer that %s is paused at its min_samples-th post, not later", async (_name, pattern) => {
    const m = meter();
    const verdicts = [];
    for (let i = 0; i < settings.minSamples; i++)
      verdicts.push(
        await m.report({ sales: [], posts: [{ postId: `l${i}:0`, outcome: pattern[i % pattern.length]!, settings, now: t0 + i }] }),
      );
    expect(verdicts.slice(0, -1)).toEqual(Array(settings.minSamples - 1).fill(null));
    expect(verdicts.at(-1)).toMatchObject({ since: t0 + settings.minSamples - 1, until: t0 + settings.minSamples - 1 + 300_000 });
    // A repeated report of the same post (a redelivery) counts once.
    const honest = meter();
    for (let i = 0; i < 3 * settings.minSamples; i++)
      expect(await honest.report({ sales: [], posts: [{ postId: "same:0", outcome: "error", settings, now: t0 + i }] })).toBeNull();
  });

  it("through the gateway: a buyer answering 500 to every post gets at most min_samples posts (+1 in flight), then is skipped as paused", async () => {
    await sql("UPDATE contracts SET breaker_min_samples = 4 WHERE id = 'ct_bravo'");
    await sql("UPDATE campaigns SET retry_max_attempts = 0");
    await setBuyers({ bravo: { bid: 30, post: "error_500" }, charlie: { bid: 15 } });
    const sold = [];
    for (let i = 0; i < 10; i++) {
      const { lead_id, buyer } = await (await postLead(demoLead())).json<{ lead_id: string; buyer: string }>();
      await leadReaches(lead_id, ["sold"]);
      sold.push(buyer);
    }
    expect(sold.every((b) => b === "Charlie Auto")).toBe(true); // the honest buyer took every lead
    expect((await postsTo("bravo")).length).toBeLessThanOrEqual(5);
    const skipped = await eventually(() =>
      env.DB.prepare("SELECT reason FROM pings WHERE contract_id = 'ct_bravo' AND outcome = 'skipped' LIMIT 1").first<{ reason: string }>(),
    );
    expect(skipped.reason).toMatch(/^paused by circuit breaker: reject_rate: 100% of 4 posts/);
  });
});
