// A lead waiting for a retry always gets one, without the cron's two-minute rescue of `auctioning`
// leads: a retry round that fails after taking its lead (pending -> auctioning) hands it back, so the
// queue's redelivery of the same message finishes it; a message that fails in a batch is retried on
// its own, the others run to their end; a lead whose retry message was never sent (the send failed
// after its record was written) is found by the sweeper and sent again, once.
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { LOST_RETRY_AFTER_MS, sweepStuckLeads } from "../../src/queues/sweeper";
import { handleDeadLetterBatch } from "../../src/queues/dead-letter-consumer";
import { handleRetryBatch } from "../../src/queues/retry-consumer";
import { scopeOf } from "../../src/services";
import { getRules } from "../../src/rules/cache";
import type { RetryMessage } from "../../src/services/retry-queue";
import {
  demoLead,
  leadReaches,
  leadRequest,
  leadRow,
  onlyContracts,
  postLead,
  received,
  seedDemo,
  setBuyers,
  sql,
  withMethod,
} from "../support/helpers";

let msgN = 0;
async function deliver(leadId: string, attempts: number, bindings: Partial<typeof env> = {}) {
  const batch = createMessageBatch<RetryMessage>("leadgate-retry", [
    { id: `s${++msgN}`, timestamp: new Date(), attempts, body: { leadId } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return getQueueResult(batch, ctx);
}

/** D1 whose next `n` batches fail (the round's record is one batch). */
function dbFailingBatches(n: number): D1Database {
  let left = n;
  return withMethod(env.DB, "batch", (stmts: D1PreparedStatement[]) =>
    left-- > 0 ? Promise.reject(new Error("D1_ERROR: Network connection lost")) : env.DB.batch(stmts),
  );
}

/** A DEDUPE namespace whose every object call rejects. */
const brokenDedupe = withMethod(
  env.DEDUPE,
  "get",
  () => new Proxy({}, { get: (_t, m) => (m === "then" ? undefined : () => Promise.reject(new Error("Durable Object reset"))) }),
);

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 3, retry_base_delay_s = 30");
  await setBuyers({ alpha: { bid: 18, post: "reject" }, bravo: { bid: 22, post: "reject" } });
  await onlyContracts("ct_alpha", "ct_foxtrot");
});

async function pendingLead(): Promise<string> {
  const a = await (await postLead(demoLead())).json<{ lead_id: string; status: string }>();
  expect(a.status).toBe("pending");
  await leadReaches(a.lead_id, ["pending"]);
  return a.lead_id;
}

describe("a retry round that fails after taking its lead", () => {
  it("its record's batch fails: the redelivery records the sale (from the journal), the lead does not stay auctioning", async () => {
    const leadId = await pendingLead();
    await getRules(env.DB, 60_000); // rules cached: the round's record is the first batch
    const first = await deliver(leadId, 1, { DB: dbFailingBatches(1) });
    expect(first.retryMessages.map((m) => m.msgId)).toEqual([`s${msgN}`]);
    // (before the fix the lead is left `auctioning` here; after it, handed back `pending`)
    const again = await deliver(leadId, 2);
    expect(again.explicitAcks).toEqual([`s${msgN}`]);
    // Before the fix: still `auctioning`, message acked: only the cron sweeper (2 min) can finish it.
    expect((await leadRow(leadId))?.status).toBe("sold");
    expect((await received("foxtrot")).filter((r) => r.kind === "post")).toHaveLength(1); // never posted twice
  });

  it("a dedupe shard fails before any post: the redelivery runs the round", async () => {
    const leadId = await pendingLead();
    const first = await deliver(leadId, 1, { DEDUPE: brokenDedupe });
    expect(first.retryMessages).toHaveLength(1);
    await deliver(leadId, 2);
    expect((await leadRow(leadId))?.status).toBe("sold");
  });
});

describe("a retry message lost or failing", () => {
  it("a message whose handling throws is retried alone; the others in its batch run to their end", async () => {
    const leadId = await pendingLead();
    const calls: string[] = [];
    const message = (id: string, body: () => unknown): Message<unknown> => ({
      id,
      timestamp: new Date(),
      attempts: 1,
      get body() {
        return body();
      },
      ack: () => calls.push(`${id} ack`),
      retry: () => calls.push(`${id} retry`),
    });
    const batch: MessageBatch<unknown> = {
      queue: "leadgate-retry",
      metadata: { metrics: { backlogCount: 2, backlogBytes: 0 } },
      messages: [
        message("broken", () => {
          throw new Error("unreadable body");
        }),
        message("good", () => ({ leadId })),
      ],
      ackAll: () => calls.push("ackAll"),
      retryAll: () => calls.push("retryAll"),
    };
    const ctx = createExecutionContext();
    await handleRetryBatch(batch, env, ctx); // resolves: the batch itself does not fail
    await waitOnExecutionContext(ctx);
    expect(calls.sort()).toEqual(["broken retry", "good ack"]);
    expect((await leadRow(leadId))?.status).toBe("sold");
  });

  it("a lead left pending without its message is sent again by the sweeper, once, and sells", async () => {
    const lostQueue = withMethod(env.RETRY_QUEUE, "send", () => Promise.reject(new Error("Queue send failed")));
    const ctx = createExecutionContext();
    const res = await worker.fetch(leadRequest(), { ...env, RETRY_QUEUE: lostQueue }, ctx);
    const { lead_id: leadId } = await res.json<{ lead_id: string }>();
    await waitOnExecutionContext(ctx);
    const pending = await leadRow(leadId);
    expect(pending?.status).toBe("pending");

    const { services } = scopeOf(env);
    // Not before a retry could still be on its way (delays are at most an hour)…
    expect(await sweepStuckLeads(services, Number(pending!.updated_at) + LOST_RETRY_AFTER_MS - 1)).toBe(0);
    // …then sent again, and only once however often the cron runs meanwhile.
    const later = Number(pending!.updated_at) + LOST_RETRY_AFTER_MS + 1;
    expect(await sweepStuckLeads(services, later)).toBe(1);
    expect(await sweepStuckLeads(services, later)).toBe(0);
    await leadReaches(leadId, ["sold"]);
    expect((await received("foxtrot")).filter((r) => r.kind === "post")).toHaveLength(1);
    const events = await env.DB.prepare("SELECT detail FROM lead_events WHERE lead_id = ? AND kind = 'recovered'").bind(leadId).all();
    expect(JSON.stringify(events.results)).toContain("its retry message was lost");
  });
});

describe("one round at a time, whatever the messages do", () => {
  it("a failed round gives its lead back only while its own claim holds it, never a later round's", async () => {
    const leadId = await pendingLead();
    const { records } = scopeOf(env).services;
    const claimedAt = (await records.retries.claim(leadId))!;
    expect(claimedAt).toBeTypeOf("number");
    expect(await records.retries.claim(leadId)).toBeNull(); // taken: a second message changes nothing
    // Meanwhile the sweeper took it for lost and another round claimed it.
    await sql("UPDATE leads SET updated_at = ? WHERE id = ?", claimedAt + 1000, leadId);
    expect(await records.retries.handBack(leadId, claimedAt, "retry round failed, retry scheduled")).toBe(false);
    expect(await leadRow(leadId)).toMatchObject({ status: "auctioning", updated_at: claimedAt + 1000 });
    expect(await records.retries.handBack(leadId, claimedAt + 1000, "retry round failed, retry scheduled")).toBe(true);
    expect((await leadRow(leadId))?.status).toBe("pending");
  });

  it("the dead-letter queue ends a lead waiting for a retry, never one whose round is running", async () => {
    const leadId = await pendingLead();
    const deadLetter = (id: string) =>
      handleDeadLetterBatch(createMessageBatch("leadgate-retry-dlq", [{ id, timestamp: new Date(), attempts: 5, body: { leadId } }]), env);
    await sql("UPDATE leads SET status = 'auctioning' WHERE id = ?", leadId); // another message's round
    await deadLetter("d1");
    expect((await leadRow(leadId))?.status).toBe("auctioning");
    await sql("UPDATE leads SET status = 'pending' WHERE id = ?", leadId);
    await deadLetter("d2");
    expect(await leadRow(leadId)).toMatchObject({ status: "unsold" });
    expect(String((await leadRow(leadId))?.reason)).toMatch(/^retries exhausted/);
  });
});
