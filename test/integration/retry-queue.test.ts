// The retry and dead-letter queue consumers, driven for real with message batches.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { verifyLeadgateRequest } from "../../docs/examples/verify-signature";
import worker from "../../src/index";
import type { RetryMessage } from "../../src/services/retry-queue";
import {
  demoLead,
  eventually,
  gateway,
  leadReaches,
  postLead,
  received,
  seedDemo,
  onlyContracts,
  setBuyers,
  sql,
} from "../support/helpers";

let msgN = 0;
async function deliver(queue: "leadgate-retry" | "leadgate-retry-dlq", leadId: string, attempts = 1) {
  const batch = createMessageBatch<RetryMessage>(queue, [{ id: `m${++msgN}`, timestamp: new Date(), attempts, body: { leadId } }]);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, env, ctx);
  return getQueueResult(batch, ctx);
}

const POSTBACK_SECRET = "postback-secret-0123456789abcdef0123";
const only = onlyContracts;
const postsOf = async (leadId: string) =>
  (
    await env.DB.prepare("SELECT contract_id, outcome, attempt FROM posts WHERE lead_id = ? ORDER BY created_at")
      .bind(leadId)
      .all<{ contract_id: string; outcome: string; attempt: number }>()
  ).results;

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 3, retry_base_delay_s = 30");
  await sql(
    `UPDATE sources SET postback_url = '${env.BUYERS_URL}/b/postback/post', postback_secret = '${POSTBACK_SECRET}' WHERE id = 'src_partner'`,
  );
  await setBuyers({ alpha: { bid: 18, post: "reject" }, bravo: { bid: 22, post: "reject" } });
});

async function pendingLead(): Promise<string> {
  const a = await (await postLead(demoLead())).json<{ lead_id: string; status: string; reason: string }>();
  expect(a).toMatchObject({ status: "pending", reason: expect.stringContaining("retry scheduled") });
  await leadReaches(a.lead_id, ["pending"]);
  return a.lead_id;
}

describe("retry rounds", () => {
  it("a lead rejected by every bidder is retried and sold to a fallback buyer", async () => {
    await only("ct_alpha", "ct_bravo", "ct_foxtrot");
    const leadId = await pendingLead();
    const result = await deliver("leadgate-retry", leadId);
    expect(result.explicitAcks).toEqual([`m${msgN}`]);
    const row = await leadReaches(leadId, ["sold"]);
    expect(row).toMatchObject({ price_cents: 400, attempts: 1 });
    // The buyers that rejected are not asked again; the fallback tier is.
    expect((await postsOf(leadId)).map((p) => [p.contract_id, p.outcome, p.attempt])).toEqual([
      ["ct_bravo", "rejected", 0],
      ["ct_alpha", "rejected", 0],
      ["ct_foxtrot", "accepted", 1],
    ]);
  });

  it("a buyer that errors at post time has had its chance: the retry round sends the lead to another buyer, never back to it (issue #24)", async () => {
    await only("ct_delta", "ct_foxtrot");
    await setBuyers({ delta: { post: "error_500" } });
    const leadId = await pendingLead();
    await setBuyers({ delta: {} }); // it comes back; it still does not get the lead again
    await deliver("leadgate-retry", leadId, 1);
    await leadReaches(leadId, ["sold"]);
    expect((await postsOf(leadId)).map((p) => [p.contract_id, p.outcome, p.attempt])).toEqual([
      ["ct_delta", "error", 0],
      ["ct_foxtrot", "accepted", 1],
    ]);
    expect((await received("delta")).filter((r) => r.kind === "post")).toHaveLength(0);
  });

  it("a redelivered message changes nothing: no second post, no second sale", async () => {
    await only("ct_alpha", "ct_foxtrot");
    const leadId = await pendingLead();
    await deliver("leadgate-retry", leadId);
    await leadReaches(leadId, ["sold"]);
    const before = await postsOf(leadId);
    const again = await deliver("leadgate-retry", leadId);
    expect(again.explicitAcks).toHaveLength(1);
    expect(await postsOf(leadId)).toEqual(before);
    expect((await received("foxtrot")).filter((r) => r.kind === "post")).toHaveLength(1);
  });

  it("after the last attempt the lead ends unsold; the dead-letter queue finishes what is left", async () => {
    await only("ct_alpha");
    await sql("UPDATE campaigns SET retry_max_attempts = 1");
    const leadId = await pendingLead();
    await deliver("leadgate-retry", leadId);
    expect(await leadReaches(leadId, ["unsold"])).toMatchObject({ reason: "no buyer after all retries" });

    await sql("UPDATE campaigns SET retry_max_attempts = 5");
    const stuck = await pendingLead();
    const dlq = await deliver("leadgate-retry-dlq", stuck);
    expect(dlq.explicitAcks).toHaveLength(1);
    const row = await leadReaches(stuck, ["unsold"]);
    expect(String(row.reason)).toContain("retries exhausted; last posts: ct_alpha: rejected (not interested)");
  });

  it("malformed queue messages are acknowledged and dropped, not retried forever", async () => {
    const batch = createMessageBatch("leadgate-retry", [{ id: "junk", timestamp: new Date(), attempts: 1, body: { nope: 1 } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["junk"]);
  });
});

describe("following a pending lead", () => {
  it("GET /v1/leads/:id shows the source its own timeline, /admin/leads/:id the full trace, and the source gets a signed postback", async () => {
    await only("ct_alpha", "ct_bravo", "ct_foxtrot");
    const leadId = await pendingLead();
    await deliver("leadgate-retry", leadId);
    await leadReaches(leadId, ["sold"]);

    const res = await gateway(`/v1/leads/${leadId}`, { headers: { "x-api-key": "demo-server-key" } });
    expect(res.status).toBe(200);
    const mine = await res.json<{
      status: string;
      buyer: string;
      retries: number;
      trace: Record<string, { kind: string; status?: string }[]>;
    }>();
    expect(mine).toMatchObject({ status: "sold", buyer: "Foxtrot Backfill", retries: 1 });
    expect(mine.trace.events!.map((e) => e.kind)).toEqual(["accepted", "auction", "retry_scheduled", "retry_auction", "final", "postback"]);
    expect(mine.trace.events!.find((e) => e.kind === "final")).toMatchObject({ status: "sold" });
    // Its own outcome only: no other buyers' bids, pings, posts or raw reasons.
    expect(Object.keys(mine.trace)).toEqual(["events"]);
    expect(JSON.stringify(mine)).not.toMatch(/Bravo|Alpha|bid|effective|pinged/);

    const full = await gateway(`/admin/leads/${leadId}`, { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } });
    expect(full.status).toBe(200);
    const body = await full.json<{
      source: string;
      trace: {
        pings: { attempt: number; outcome: string; bid: number | null }[];
        posts: { attempt: number; outcome: string; buyer: string }[];
      };
    }>();
    expect(body.source).toBe("src_partner");
    expect(
      body.trace.pings
        .filter((p) => p.attempt === 0 && p.outcome === "bid")
        .map((p) => p.bid)
        .sort(),
    ).toEqual([18, 22]);
    expect(body.trace.posts.map((p) => [p.attempt, p.buyer, p.outcome])).toEqual([
      [0, "Bravo Direct", "rejected"],
      [0, "Alpha Insurance", "rejected"],
      [1, "Foxtrot Backfill", "accepted"],
    ]);

    const [postback] = await eventually(async () => {
      const r = await received("postback");
      return r.length ? r : undefined;
    });
    expect(JSON.parse(postback!.body)).toMatchObject({ event: "lead.final", lead_id: leadId, status: "sold", price: 4, payout: 2.8 });
    const p = postback!;
    const req = {
      method: p.method,
      pathAndQuery: p.path,
      rawBody: p.body,
      timestamp: p.headers["x-leadgate-timestamp"] ?? null,
      signature: p.headers["x-leadgate-signature-v3"] ?? null,
    };
    expect(await verifyLeadgateRequest(POSTBACK_SECRET, req)).toBe(true);
  });

  it("another source's key cannot read the lead", async () => {
    await only("ct_alpha");
    const leadId = await pendingLead();
    await sql(`INSERT INTO sources (id, name, api_key_hash) VALUES ('src_other', 'Other', '${"b".repeat(64)}')`);
    expect((await gateway(`/v1/leads/${leadId}`, { headers: { "x-api-key": "nope" } })).status).toBe(401);
    expect((await gateway(`/v1/leads/${leadId}`)).status).toBe(401);
  });
});

describe("recovery of interrupted leads", () => {
  it("the cron sweeper re-queues a lead left without an outcome, and only such leads", async () => {
    const { createScheduledController, waitOnExecutionContext } = await import("cloudflare:test");
    const old = Date.now() - 10 * 60_000;
    const insert = (id: string, status: string, updatedAt: number) =>
      env.DB.prepare(
        "INSERT INTO leads (id, campaign_id, source_id, status, data, meta, created_at, updated_at) VALUES (?, 'cmp_auto', 'src_partner', ?, '{}', '{}', ?, ?)",
      )
        .bind(id, status, updatedAt, updatedAt)
        .run();
    await insert("ld_stuck", "received", old);
    await insert("ld_busy", "auctioning", Date.now());
    await insert("ld_done", "sold", old);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const statuses = await env.DB.prepare("SELECT id, status FROM leads WHERE id LIKE 'ld_%' ORDER BY id").all<{
      id: string;
      status: string;
    }>();
    expect(Object.fromEntries(statuses.results.map((r) => [r.id, r.status]))).toMatchObject({
      ld_stuck: "pending",
      ld_busy: "auctioning",
      ld_done: "sold",
    });
  });
});
