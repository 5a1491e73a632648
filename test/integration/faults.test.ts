// Fault injection (issue #12): a Durable Object that fails inside a post is an `error` attempt for
// that contract; the round's other posts settle on their own, so a sale another buyer accepted is
// never lost, and the invariants hold (every sale billed and paid, no double sale).
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkInvariants } from "../../src/db/invariants";
import worker from "../../src/index";
import type { RetryMessage } from "../../src/services/retry-queue";
import { sweepStuckLeads } from "../../src/queues/sweeper";
import { getRules } from "../../src/rules/cache";
import { scopeOf } from "../../src/services";
import { leadReaches, leadRequest, received, seedDemo, setBuyers, sql, withMethod } from "../support/helpers";

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 0");
  await sql("UPDATE contracts SET status = 'paused' WHERE id IN ('ct_delta', 'ct_echo')");
  await setBuyers({ alpha: { bid: 30 }, bravo: { bid: 22 }, charlie: { bid: 15 } });
});

// After every fault: no double sale, every sale billed and paid, no cap overrun, every lead final.
afterEach(async () => {
  const results = await checkInvariants(async (q) => (await env.DB.prepare(q).all<Record<string, unknown>>()).results);
  expect(results.filter((r) => !r.ok)).toEqual([]);
});

/** CAP_LEDGER whose object for `contractId` throws on every call. */
function failingLedgerFor(contractId: string): typeof env.CAP_LEDGER {
  const broken = env.CAP_LEDGER.idFromName(contractId);
  return new Proxy(env.CAP_LEDGER, {
    get(target, prop) {
      if (prop === "get")
        return (id: DurableObjectId) =>
          id.equals(broken)
            ? new Proxy(
                {},
                {
                  get: (_t, m) =>
                    m === "then" ? undefined : () => Promise.reject(new Error("Durable Object reset because its code was updated")),
                },
              )
            : target.get(id);
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

async function submit() {
  const ctx = createExecutionContext();
  const res = await worker.fetch(leadRequest(), { ...env, CAP_LEDGER: failingLedgerFor("ct_alpha") }, ctx);
  const body = await res.json<{ lead_id: string; status: string; buyers: string[]; price: number; payout: number }>();
  await waitOnExecutionContext(ctx);
  return body;
}

async function postsOf(leadId: string) {
  const rows = await env.DB.prepare(
    "SELECT contract_id, outcome, reason, price_cents, payout_cents FROM posts WHERE lead_id = ? ORDER BY contract_id",
  )
    .bind(leadId)
    .all();
  return rows.results as { contract_id: string; outcome: string; reason: string | null; price_cents: number; payout_cents: number }[];
}

describe("a cap ledger failing inside a post", () => {
  it("exclusive campaign: the top bidder's post is an unavailable attempt (nothing sent), the next bidder buys", async () => {
    const body = await submit();
    expect(body).toMatchObject({ status: "sold", buyers: ["Bravo Direct"], price: 22 });
    const lead = await leadReaches(body.lead_id, ["sold"]);
    const posts = await postsOf(body.lead_id);
    // Our own ledger failed, not the buyer: `unavailable`, so a later round may still post to it (issue #24).
    expect(posts.find((p) => p.contract_id === "ct_alpha")).toMatchObject({
      outcome: "unavailable",
      reason: expect.stringContaining("cap or dedupe unavailable"),
    });
    expect(posts.find((p) => p.contract_id === "ct_bravo")).toMatchObject({ outcome: "accepted", price_cents: 2200 });
    expect(lead.price_cents).toBe(2200);
  });

  it("shared campaign: one failing post never discards the sale another buyer accepted in the same batch", async () => {
    await sql("UPDATE campaigns SET exclusive = 0, max_buyers = 2");
    const body = await submit();
    expect(body.status).toBe("sold");
    expect([...body.buyers].sort()).toEqual(["Bravo Direct", "Charlie Auto"]);
    const lead = await leadReaches(body.lead_id, ["sold"]);
    const posts = await postsOf(body.lead_id);
    const accepted = posts.filter((p) => p.outcome === "accepted");
    expect(accepted.map((p) => p.contract_id)).toEqual(["ct_bravo", "ct_charlie"]);
    expect(posts.find((p) => p.contract_id === "ct_alpha")?.outcome).toBe("unavailable");
    // Every sale billed and paid: the lead's price is the sum of its accepted posts.
    expect(lead.price_cents).toBe(accepted.reduce((a, p) => a + p.price_cents, 0));
    expect(lead.payout_cents).toBe(accepted.reduce((a, p) => a + p.payout_cents, 0));
  });
});

/** D1 whose batches after the first `ok` fail: the lead is stored, its outcome never written. */
function dbThatDiesAfter(ok: number): D1Database {
  let calls = 0;
  return withMethod(env.DB, "batch", (stmts: D1PreparedStatement[]) =>
    ++calls <= ok ? env.DB.batch(stmts) : Promise.reject(new Error("worker died")),
  );
}

const allPosts = async () => (await Promise.all(["alpha", "bravo", "charlie"].map(received))).flat().filter((r) => r.kind === "post");

describe("a worker dying after a sale", () => {
  it("the lost final write: recovery records the sale from the lead's journal and never posts it again", async () => {
    // The worst case of the old design: no cap and no buyer dedupe on the winner, so nothing but the
    // journal remembers the sale.
    await sql("UPDATE contracts SET cap_day = NULL WHERE id = 'ct_alpha'");
    await sql("UPDATE buyers SET dedupe_window_s = 0");
    await sql("UPDATE campaigns SET retry_max_attempts = 3");
    await getRules(env.DB, 60_000); // rules cached: the lead's own batch is the first
    const ctx = createExecutionContext();
    const res = await worker.fetch(leadRequest(), { ...env, DB: dbThatDiesAfter(1) }, ctx);
    const body = await res.json<{ lead_id: string; status: string; buyers: string[] }>();
    await waitOnExecutionContext(ctx);
    expect(body).toMatchObject({ status: "sold", buyers: ["Alpha Insurance"] });
    expect((await env.DB.prepare("SELECT status FROM leads WHERE id = ?").bind(body.lead_id).first<{ status: string }>())?.status).toBe(
      "received",
    );

    // The cron finds it stuck, the retry queue takes it.
    expect(await sweepStuckLeads(scopeOf(env).services, Date.now() + 3 * 60_000)).toBe(1);
    const row = await leadReaches(body.lead_id, ["sold"]);
    expect(row.price_cents).toBe(3000);
    const posts = await env.DB.prepare("SELECT contract_id, outcome, reason FROM posts WHERE lead_id = ?").bind(body.lead_id).all();
    expect(posts.results).toEqual([{ contract_id: "ct_alpha", outcome: "accepted", reason: "recovered from the lead's journal" }]);
    // Exactly one post ever left: the one Alpha accepted.
    expect((await allPosts()).length).toBe(1);
  });

  it("a queue redelivery while the round runs: one round, one sale", async () => {
    await sql("UPDATE campaigns SET retry_max_attempts = 3");
    // No bids in the live round, so the lead waits for a retry round (a buyer that received the
    // lead and failed would have had its chance: issue #24).
    await setBuyers({
      alpha: { bid: 30, ping: "no_bid_204" },
      bravo: { bid: 22, ping: "no_bid_204" },
      charlie: { bid: 15, ping: "no_bid_204" },
    });
    const first = await (await worker.fetch(leadRequest(), env, createExecutionContext())).json<{ lead_id: string; status: string }>();
    expect(first.status).toBe("pending");
    await leadReaches(first.lead_id, ["pending"]);
    await setBuyers({ alpha: { bid: 30, postLatencyMs: 100 }, bravo: { bid: 22 }, charlie: { bid: 15 } });
    // The same message delivered twice at once (a redelivery racing the first delivery).
    const batch = createMessageBatch<RetryMessage>("leadgate-retry", [
      { id: "r1", timestamp: new Date(), attempts: 1, body: { leadId: first.lead_id } },
      { id: "r1-again", timestamp: new Date(), attempts: 2, body: { leadId: first.lead_id } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<unknown>, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(["r1", "r1-again"]);
    const row = await leadReaches(first.lead_id, ["sold"]);
    expect(row.price_cents).toBe(3000);
    expect((await allPosts()).length).toBe(1);
    const accepted = await env.DB.prepare("SELECT COUNT(*) AS n FROM posts WHERE lead_id = ? AND outcome = 'accepted'")
      .bind(first.lead_id)
      .first<{ n: number }>();
    expect(accepted?.n).toBe(1);
  });
});
