// Erasure against rounds in flight (issue #24): an erasure landing while a live round's posts are
// gated, while a retry round is posting, or before a retry takes its posting permit; an erased
// pending lead that the retry queue brings back; a sale journaled by a round that died, found by the
// erasure; a redacted lead the retry queue finds. Each shows nothing is posted once the erasure is
// recorded, and the invariants (no post after redaction, the money) hold.
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkInvariants } from "../../src/db/invariants";
import worker from "../../src/index";
import { getRules } from "../../src/rules/cache";
import type { RetryMessage } from "../../src/services/retry-queue";
import {
  ADMIN,
  countOf,
  demoLead,
  eventually,
  gateway,
  leadReaches,
  leadRequest,
  leadRow,
  received,
  seedDemo,
  setBuyers,
  sql,
} from "../support/helpers";

const BUYERS = ["alpha", "bravo", "charlie"];

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE contracts SET status = 'paused' WHERE id IN ('ct_delta', 'ct_echo', 'ct_golf', 'ct_foxtrot')");
  await setBuyers({ alpha: { bid: 30 }, bravo: { bid: 22 }, charlie: { bid: 15 } });
});

afterEach(async () => {
  const results = await checkInvariants(async (q) => (await env.DB.prepare(q).all<Record<string, unknown>>()).results);
  expect(results.filter((r) => !r.ok)).toEqual([]);
});

/** Leads posted to the buyers (not the deletion notices a native buyer also gets at its post URL). */
const posts = async () =>
  (await Promise.all(BUYERS.map(received))).flat().filter((r) => r.kind === "post" && !r.body.includes('"lead.deleted"'));
const notices = async (buyer: string) => (await received(buyer)).filter((r) => r.body.includes('"lead.deleted"'));

const erase = async (who: Record<string, unknown>) => {
  const res = await gateway("/admin/consumers/erase", { method: "POST", headers: ADMIN, body: JSON.stringify(who) });
  expect(res.status).toBe(200);
  return { ...(await res.json<{ lead_ids: string[]; leads_erased: string[]; sales_recorded: number }>()), at: Date.now() };
};

function submit(lead: Record<string, unknown>, bindings: Partial<typeof env> = {}) {
  const ctx = createExecutionContext();
  const answer = Promise.resolve(worker.fetch(leadRequest(lead), { ...env, ...bindings }, ctx)).then((r) =>
    r.json<{ lead_id: string; status: string; reason: string | null }>(),
  );
  return { answer, settled: answer.then(() => waitOnExecutionContext(ctx)) };
}

async function deliver(leadId: string, bindings: Partial<typeof env> = {}) {
  const batch = createMessageBatch<RetryMessage>("leadgate-retry", [
    { id: `r-${leadId}`, timestamp: new Date(), attempts: 1, body: { leadId } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, { ...env, ...bindings }, ctx);
  return getQueueResult(batch, ctx);
}

/** A gate a test opens by hand. */
function latch() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

/** A Durable Object namespace whose stubs make `method` wait for `gate` first. */
function gatedNamespace<T extends Rpc.DurableObjectBranded | undefined>(
  ns: DurableObjectNamespace<T>,
  method: string,
  gate: Promise<void>,
): DurableObjectNamespace<T> {
  return new Proxy(ns, {
    get(target, prop) {
      if (prop === "get")
        return (id: DurableObjectId) => {
          const stub = target.get(id);
          return new Proxy(stub, {
            get(s, m) {
              if (m === "then") return undefined; // a stub is not a promise
              const v = Reflect.get(s, m) as unknown;
              if (m !== method || typeof v !== "function") return v;
              return async (...args: unknown[]) => {
                await gate;
                return Reflect.apply(v as (...a: unknown[]) => unknown, s, args) as unknown;
              };
            },
          });
        };
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

async function pendingLead(consumer: Record<string, unknown>): Promise<string> {
  await sql("UPDATE campaigns SET retry_max_attempts = 3");
  // No bids in the live round (a buyer that received the lead would have had its chance: issue #24).
  await setBuyers({
    alpha: { bid: 30, ping: "no_bid_204" },
    bravo: { bid: 22, ping: "no_bid_204" },
    charlie: { bid: 15, ping: "no_bid_204" },
  });
  const { answer, settled } = submit(consumer);
  const a = await answer;
  await settled;
  expect(a, JSON.stringify(a)).toMatchObject({ status: "pending" });
  await leadReaches(a.lead_id, ["pending"]);
  return a.lead_id;
}

describe("an erasure and a live round", () => {
  it("landing while the round's posts are gated: the round posts nothing and the lead ends erased", async () => {
    await getRules(env.DB, 60_000);
    const consumer = demoLead();
    const verdict = latch();
    // The dedupe verdict is held back: the lead is stored, its pings are out, its posts wait.
    const { answer, settled } = submit(consumer, { DEDUPE: gatedNamespace(env.DEDUPE, "intake", verdict.opened) });
    await eventually(async () => (await countOf("SELECT COUNT(*) AS n FROM leads")) === 1);
    await eventually(async () => (await Promise.all(BUYERS.map(received))).flat().some((r) => r.kind === "ping"));

    const erased = await erase({ phone: consumer.phone });
    expect(erased.lead_ids).toHaveLength(1);
    verdict.open();
    const a = await answer;
    await settled;

    expect(a).toMatchObject({ status: "erased", reason: "consumer erasure request" });
    expect(await posts()).toEqual([]);
    const row = await leadReaches(a.lead_id, ["erased"]);
    expect(row).toMatchObject({ reason: "consumer erasure request", price_cents: 0, phone_hash: null });
    expect(JSON.parse(String(row.data))).not.toHaveProperty("first_name");
    const bids = await env.DB.prepare("SELECT outcome FROM pings WHERE lead_id = ? AND outcome = 'bid'").bind(a.lead_id).all();
    expect(bids.results).toEqual([]); // every bid discarded
  });

  it("a sale journaled by a round that died is found by the erasure and recorded as money; nothing more is posted", async () => {
    await sql("UPDATE contracts SET cap_day = NULL WHERE id = 'ct_alpha'");
    await getRules(env.DB, 60_000);
    const consumer = demoLead();
    // D1 fails after the lead is stored: the sale is only in the journal, the lead stays `received`.
    let calls = 0;
    const dying = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === "batch")
          return (s: D1PreparedStatement[]) => (++calls <= 1 ? target.batch(s) : Promise.reject(new Error("worker died")));
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const { answer, settled } = submit(consumer, { DB: dying });
    const a = await answer;
    await settled;
    expect(a.status).toBe("sold");
    expect((await leadRow(a.lead_id))!.status).toBe("received");

    const erased = await erase({ email: consumer.email });
    expect(erased).toMatchObject({ lead_ids: [a.lead_id], leads_erased: [], sales_recorded: 1 });
    const row = await leadReaches(a.lead_id, ["sold"]);
    expect(row).toMatchObject({ price_cents: 3000, phone_hash: null });
    expect(row.redacted_at).not.toBeNull();
    const recorded = await env.DB.prepare("SELECT contract_id, reason FROM posts WHERE lead_id = ?").bind(a.lead_id).all();
    expect(recorded.results).toEqual([{ contract_id: "ct_alpha", reason: "recovered from the lead's journal" }]);
    // Exactly one post ever left (the sale), and Alpha is told the consumer is gone.
    expect(await posts()).toHaveLength(1);
    const [notice] = await eventually(async () => ((await notices("alpha")).length > 0 ? notices("alpha") : undefined));
    expect(JSON.parse(notice!.body)).toMatchObject({ event: "lead.deleted", lead_id: a.lead_id, reason: "consumer erasure request" });
  });
});

describe("an erasure and the retry queue", () => {
  it("a pending lead ends erased and the retry queue never posts it again", async () => {
    const consumer = demoLead();
    const leadId = await pendingLead(consumer);
    const erased = await erase({ phone: consumer.phone });
    expect(erased).toMatchObject({ lead_ids: [leadId], leads_erased: [leadId] });
    await setBuyers({ alpha: { bid: 30 }, bravo: { bid: 22 }, charlie: { bid: 15 } });

    expect((await deliver(leadId)).explicitAcks).toEqual([`r-${leadId}`]);
    expect(await posts()).toEqual([]);
    expect(await leadRow(leadId)).toMatchObject({ status: "erased", price_cents: 0 });
    const answer = await (await gateway(`/v1/leads/${leadId}`, { headers: { "x-api-key": "demo-server-key" } })).json();
    expect(answer).toMatchObject({ status: "erased", price: 0, reason: "consumer erasure request" });
  });

  it("landing while a retry round is posting: the erasure waits for it, and no post starts after it is recorded", async () => {
    const consumer = demoLead();
    const leadId = await pendingLead(consumer);
    await setBuyers({
      alpha: { bid: 30, post: "reject", postLatencyMs: 600 },
      bravo: { bid: 22, postLatencyMs: 300 },
      charlie: { bid: 15 },
    });
    const retry = deliver(leadId);
    await eventually(async () => (await received("alpha")).some((r) => r.kind === "post"));

    const erased = await erase({ phone: consumer.phone });
    await retry;
    const sent = await posts();
    // Alpha rejected, the cascade went on to Bravo: both before the erasure was recorded, none after.
    expect(sent.map((p) => p.path).sort()).toEqual(["/b/alpha/post", "/b/bravo/post"]);
    for (const p of sent) expect(p.at).toBeLessThan(erased.at);
    // Sold before the erasure: it stays sold (and redacted), and Bravo is told.
    const row = await leadReaches(leadId, ["sold"]);
    expect(row).toMatchObject({ price_cents: 2200, phone_hash: null });
    expect(Number(row.redacted_at)).toBeGreaterThanOrEqual(Math.max(...sent.map((p) => p.at)));
    await eventually(async () => (await notices("bravo")).length === 1);
  });

  it("a retry that asks for its posting permit after the erasure posts nothing", async () => {
    const consumer = demoLead();
    const leadId = await pendingLead(consumer);
    await setBuyers({ alpha: { bid: 30 }, bravo: { bid: 22 }, charlie: { bid: 15 } });
    const permit = latch();
    const retry = deliver(leadId, { LEAD_JOURNAL: gatedNamespace(env.LEAD_JOURNAL, "openPosting", permit.opened) });
    await leadReaches(leadId, ["auctioning"]);

    const erased = await erase({ email: consumer.email });
    expect(erased.leads_erased).toEqual([leadId]);
    permit.open();
    expect((await retry).explicitAcks).toEqual([`r-${leadId}`]);
    expect(await posts()).toEqual([]);
    expect(await countOf("SELECT COUNT(*) AS n FROM pings WHERE lead_id = ? AND attempt = 1", leadId)).toBe(0);
    expect(await leadRow(leadId)).toMatchObject({ status: "erased" });
  });

  it("a redacted pending lead is never posted: a journaled sale is recorded as money without a postback; without one it ends unsold", async () => {
    await sql(
      `UPDATE sources SET postback_url = '${env.BUYERS_URL}/b/postback/post', postback_secret = 'postback-secret-0123456789abcdef0123' WHERE id = 'src_partner'`,
    );
    const [withSale, without] = [await pendingLead(demoLead()), await pendingLead(demoLead())];
    const journal = String((await leadRow(withSale))!.journal);
    const sale = { contractId: "ct_alpha", priceCents: 3000, buyerLeadId: "A-1", leaseId: null, at: Date.now() };
    await env.LEAD_JOURNAL.get(env.LEAD_JOURNAL.idFromName(journal)).recordSale(withSale, sale);
    for (const id of [withSale, without])
      await sql(`UPDATE leads SET redacted_at = ?, data = '{"_redacted":true}' WHERE id = ?`, Date.now(), id);
    await setBuyers({ alpha: { bid: 30 }, bravo: { bid: 22 }, charlie: { bid: 15 } });

    await deliver(withSale);
    await deliver(without);
    expect(await posts()).toEqual([]);
    expect(await received("postback")).toEqual([]);
    expect(await leadRow(withSale)).toMatchObject({ status: "sold", price_cents: 3000 });
    expect(await leadRow(without)).toMatchObject({ status: "unsold", reason: "personal data redacted before a sale" });
  });
});
