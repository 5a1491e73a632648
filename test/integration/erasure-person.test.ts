// Erasure works on the person (issue #24): erasing by one identifier reaches every lead that shares
// the phone or the email (transitively), suppresses and forgets every fingerprint; the free text the
// leads left (buyers' reasons, return notes, event details, rollup reasons, consent text, sub-id,
// idempotency keys) is redacted while the books stay; the buyers that bought the consumer get a
// signed deletion notice, retried from the queue when it fails, each attempt recorded. Also the
// closure itself, as a property over random graphs of leads.
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { DEMO_SECRET } from "../../demo/constants";
import { signLeadgateCallback, verifyLeadgateRequest } from "../../docs/examples/verify-signature";
import { dbOf } from "../../src/db/client";
import { Records } from "../../src/db/records";
import worker from "../../src/index";
import { consumerFingerprints } from "../../src/lead/fingerprints";
import { DedupeClient } from "../../src/services/dedupe";
import type { QueueTask } from "../../src/services/retry-queue";
import {
  ADMIN,
  demoLead,
  eventually,
  gateway,
  leadReaches,
  leadRow,
  onlyContracts,
  postLead,
  received,
  seedDemo,
  setBuyers,
  sql,
} from "../support/helpers";

interface Erasure {
  lead_ids: string[];
  leads_erased: string[];
  suppressed: { kind: string; added: boolean }[];
  dedupe_records_removed: number;
  deletion_notices: number;
}

const erase = async (who: Record<string, unknown>): Promise<Erasure> => {
  const res = await gateway("/admin/consumers/erase", { method: "POST", headers: ADMIN, body: JSON.stringify(who) });
  expect(res.status).toBe(200);
  return res.json<Erasure>();
};

const submit = async (lead: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const res = await postLead(lead, { headers });
  expect(res.status).toBe(200);
  return res.json<{ lead_id: string; status: string; duplicate_of: string | null }>();
};

/** Which of the demo buyers' dedupe keys still hold this consumer. */
async function heldFor(who: { phone?: string; email?: string }): Promise<string[]> {
  const r = await consumerFingerprints(who);
  if (!r.ok) throw new Error("bad phone");
  const keys = ["buyer:buy_alpha", "buyer:buy_bravo", "buyer:buy_charlie"];
  return [...(await new DedupeClient(env.DEDUPE, 64).boughtBy(r.fingerprints, keys, "ld_probe"))];
}

beforeEach(async () => {
  await seedDemo();
  await onlyContracts("ct_alpha", "ct_bravo", "ct_charlie");
  await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22 }, charlie: { bid: 15 } });
});

describe("erasure per person", () => {
  it("erasing by phone reaches every lead sharing the phone or the email, transitively; every fingerprint is refused after", async () => {
    await sql("UPDATE campaigns SET dedupe_window_s = 0");
    const [p1, p2, p3] = [demoLead(), demoLead(), demoLead()].map((l) => String(l.phone));
    const [e1, e2, e3] = [demoLead(), demoLead(), demoLead()].map((l) => String(l.email));
    // L1 and L2 share an email, L2 and L3 a phone: one person, three leads.
    const ids = [];
    for (const [phone, email] of [
      [p1, e1],
      [p2, e1],
      [p2, e2],
    ])
      ids.push((await submit(demoLead({ phone, email }))).lead_id);
    for (const id of ids) await leadReaches(id, ["sold", "unsold"]);
    await new Promise((r) => setTimeout(r, 200)); // the holds settle after the answer
    expect(await heldFor({ email: e1 })).not.toEqual([]);

    const erased = await erase({ phone: p1 });
    expect([...erased.lead_ids].sort()).toEqual([...ids].sort());
    expect(erased.suppressed).toHaveLength(4);
    expect(erased.suppressed.every((s) => s.added)).toBe(true);
    expect(erased.dedupe_records_removed).toBeGreaterThan(0);
    for (const who of [{ phone: p1 }, { phone: p2 }, { email: e1 }, { email: e2 }]) expect(await heldFor(who)).toEqual([]);

    // Repeating it touches nothing new.
    expect(await erase({ phone: p1 })).toMatchObject({ lead_ids: [], suppressed: [{ kind: "phone", added: false }] });
    // The same consumer with a new phone (their email) or a new email (their phone) is refused.
    for (const [phone, email] of [
      [p3, e1],
      [p1, e3],
      [p3, e2],
    ])
      expect((await submit(demoLead({ phone, email }))).status).toBe("rejected");
  });

  it("erasing by email forgets the phone's dedupe records too: the phone's next lead is no duplicate of the erased one", async () => {
    const consumer = demoLead();
    const first = await submit(consumer);
    await leadReaches(first.lead_id, ["sold"]);
    await new Promise((r) => setTimeout(r, 200)); // the campaign claim is confirmed after the answer
    await erase({ email: consumer.email });
    // Suppressed: refused outright, not a duplicate_of the erased lead.
    const refused = await submit(demoLead({ phone: consumer.phone }));
    expect(refused).toMatchObject({ status: "rejected", duplicate_of: null });
    // Even once an admin lifts the suppression, nothing of the erased lead remains to match.
    await sql("DELETE FROM suppressions");
    const again = await submit(demoLead({ phone: consumer.phone }));
    expect(again).toMatchObject({ status: "sold", duplicate_of: null });
  });
});

describe("free text", () => {
  it("buyers' reasons, return notes, event details, rollup reasons, consent text, sub-id and idempotency keys go; the books stay", async () => {
    await sql("UPDATE contracts SET return_cap_bps = 10000"); // one purchase, one return
    await setBuyers({
      alpha: { bid: 18 },
      bravo: { bid: 22, post: "reject", rejectReason: "Pat Doe already called us" },
      charlie: { bid: 15 },
    });
    const consumer = demoLead({
      sub_id: "pat-doe-campaign",
      tcpa_consent: true,
      tcpa_consent_text: "I, Pat Doe, agree to be called.",
      consent_timestamp: new Date(Date.now() - 60_000).toISOString(),
    });
    const { lead_id } = await submit(consumer, { "idempotency-key": "pat-doe-1" });
    await leadReaches(lead_id, ["sold"]);
    const ret = await gateway("/admin/returns", {
      method: "POST",
      headers: ADMIN,
      body: JSON.stringify({ lead_id, contract_id: "ct_alpha", reason: "wrong_person", note: "Pat Doe says he never asked" }),
    });
    expect(ret.status).toBe(200);
    const url = "http://gateway.test/v1/buyers/deletions";
    const body = JSON.stringify({ lead_id, reason: "Pat Doe phoned us" });
    const signed = {
      "content-type": "application/json",
      "x-leadgate-contract": "ct_alpha",
      ...(await signLeadgateCallback(DEMO_SECRET, { method: "POST", pathAndQuery: new URL(url).pathname, rawBody: body })),
    };
    expect((await gateway("/v1/buyers/deletions", { method: "POST", headers: signed, body })).status).toBe(200);
    const rollupText = "SELECT COUNT(*) AS n FROM rollup_reasons WHERE reason LIKE '%Pat%'";
    await eventually(async () => Number((await env.DB.prepare(rollupText).first<{ n: number }>())?.n) > 0);

    await erase({ email: consumer.email });
    const rows = async (table: string) => (await env.DB.prepare(`SELECT * FROM ${table} WHERE lead_id = ?`).bind(lead_id).all()).results;
    const left = JSON.stringify([await leadRow(lead_id), ...(await Promise.all(["posts", "pings", "lead_events", "returns"].map(rows)))]);
    expect(left).not.toContain("Pat");
    expect(Number((await env.DB.prepare(rollupText).first<{ n: number }>())?.n)).toBe(0);
    const moved = await env.DB.prepare(
      "SELECT SUM(n) AS n FROM rollup_reasons WHERE contract_id = 'ct_bravo' AND reason = '(redacted)'",
    ).first();
    expect(Number(moved?.n)).toBeGreaterThan(0);

    const lead = (await leadRow(lead_id))!;
    expect(lead).toMatchObject({ status: "sold", price_cents: 1800, idempotency_key: null, request_hash: null });
    expect(JSON.parse(String(lead.meta))).not.toHaveProperty("sub_id");
    expect(JSON.parse(String(lead.consent))).toEqual({ tcpa_consent: true, consent_timestamp: consumer.consent_timestamp });
    const posts = await env.DB.prepare("SELECT contract_id, outcome, price_cents FROM posts WHERE lead_id = ? ORDER BY contract_id")
      .bind(lead_id)
      .all();
    expect(posts.results).toEqual([
      { contract_id: "ct_alpha", outcome: "accepted", price_cents: 1800 },
      { contract_id: "ct_bravo", outcome: "rejected", price_cents: 2200 },
    ]);
    expect(await rows("returns")).toMatchObject([{ reason: "wrong_person", note: null, price_cents: 1800 }]);
    // The idempotency key is gone with the rest: the same key now makes a new lead (refused: suppressed).
    const replay = await submit(consumer, { "idempotency-key": "pat-doe-1" });
    expect(replay.lead_id).not.toBe(lead_id);
    expect(replay.status).toBe("rejected");
  });
});

const notices = async (buyer: string) => (await received(buyer)).filter((r) => r.body.includes('"lead.deleted"'));
const noticeEvents = async (leadId: string) =>
  (
    await env.DB.prepare("SELECT detail FROM lead_events WHERE lead_id = ? AND kind = 'deletion_notice' ORDER BY id")
      .bind(leadId)
      .all<{ detail: string }>()
  ).results.map((r) => JSON.parse(r.detail) as Record<string, unknown>);
const signedByDemo = (r: { method: string; path: string; body: string; headers: Record<string, string> }) =>
  verifyLeadgateRequest(DEMO_SECRET, {
    method: r.method,
    pathAndQuery: r.path,
    rawBody: r.body,
    timestamp: r.headers["x-leadgate-timestamp"] ?? null,
    signature: r.headers["x-leadgate-signature-v3"] ?? null,
  });

describe("deletion notices", () => {
  it("every buyer that bought the consumer is told, signed: at its deletion_url, else a native contract's post URL; a template without one is recorded as skipped", async () => {
    await onlyContracts("ct_alpha", "ct_charlie", "ct_echo");
    await sql("UPDATE campaigns SET exclusive = 0, max_buyers = 3");
    await sql(`UPDATE contracts SET deletion_url = '${env.BUYERS_URL}/b/alpha/deletion' WHERE id = 'ct_alpha'`);
    await setBuyers({ alpha: { bid: 18 }, charlie: { bid: 15 }, echo: { bid: 12, format: "form" } });
    const consumer = demoLead();
    const { lead_id, status } = await submit(consumer);
    expect(status).toBe("sold");
    await leadReaches(lead_id, ["sold"]);
    const alphaLeadId = String(
      (await env.DB.prepare("SELECT buyer_lead_id FROM posts WHERE lead_id = ? AND contract_id = 'ct_alpha'").bind(lead_id).first())!
        .buyer_lead_id,
    );

    expect((await erase({ phone: consumer.phone })).deletion_notices).toBe(3);
    const events = await eventually(async () => ((await noticeEvents(lead_id)).length === 3 ? noticeEvents(lead_id) : undefined));
    expect(events.map((e) => [e.contract, e.status])).toEqual(
      expect.arrayContaining([
        ["ct_alpha", "sent"],
        ["ct_charlie", "sent"],
        ["ct_echo", "skipped"],
      ]),
    );
    expect(events.find((e) => e.contract === "ct_echo")).toMatchObject({ reason: "template contract without a deletion_url" });
    expect(events.find((e) => e.contract === "ct_alpha")).toMatchObject({ http_status: 200, attempt: 1 });

    const [toAlpha] = (await received("alpha")).filter((r) => r.kind === "deletion");
    expect(toAlpha!.path).toBe("/b/alpha/deletion");
    expect(JSON.parse(toAlpha!.body)).toEqual({
      event: "lead.deleted",
      lead_id,
      buyer_lead_id: alphaLeadId,
      reason: "consumer erasure request",
    });
    expect(await signedByDemo(toAlpha!)).toBe(true);
    const [toCharlie] = await notices("charlie");
    expect(toCharlie!.path).toBe("/b/charlie/post");
    expect(await signedByDemo(toCharlie!)).toBe(true);
    expect(await notices("echo")).toEqual([]);
  });

  it("a failed notice is queued and retried; one the queue gives up on is recorded; the follow-up sweep redacts late free text", async () => {
    await onlyContracts("ct_alpha");
    await sql(`UPDATE contracts SET deletion_url = '${env.BUYERS_URL}/b/alpha/deletion' WHERE id = 'ct_alpha'`);
    await setBuyers({ alpha: { bid: 18, deletion: "error_500" } });
    const consumer = demoLead();
    const { lead_id } = await submit(consumer);
    await leadReaches(lead_id, ["sold"]);

    // The erasure, with a queue that keeps what it is given.
    const queued: { body: QueueTask; delaySeconds?: number }[] = [];
    const queue = {
      send: async (body: QueueTask, o?: { delaySeconds?: number }) => void queued.push({ body, ...o }),
      sendBatch: async (msgs: Iterable<{ body: QueueTask; delaySeconds?: number }>) => void queued.push(...msgs),
    } as unknown as typeof env.RETRY_QUEUE;
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://gw/admin/consumers/erase", { method: "POST", headers: ADMIN, body: JSON.stringify({ phone: consumer.phone }) }),
      { ...env, RETRY_QUEUE: queue },
      ctx,
    );
    expect(res.status).toBe(200);
    await waitOnExecutionContext(ctx);
    expect(await noticeEvents(lead_id)).toMatchObject([{ contract: "ct_alpha", status: "failed", http_status: 500, attempt: 1 }]);
    const notice = queued.find((q) => q.body.kind === "deletion_notice")!;
    expect(notice).toMatchObject({ body: { leadId: lead_id, contractId: "ct_alpha" }, delaySeconds: 60 });
    const sweep = queued.find((q) => q.body.kind === "erasure_sweep")!;
    expect(sweep).toMatchObject({ body: { leadIds: [lead_id] }, delaySeconds: 120 });

    const deliver = async (queueName: string, body: QueueTask, attempts: number) => {
      const batch = createMessageBatch<QueueTask>(queueName, [{ id: `q${attempts}`, timestamp: new Date(), attempts, body }]);
      const qctx = createExecutionContext();
      await worker.queue(batch as MessageBatch<unknown>, env, qctx);
      return getQueueResult(batch, qctx);
    };
    // Still failing: the queue retries it; then the buyer is back: sent.
    expect((await deliver("leadgate-retry", notice.body, 1)).retryMessages).toHaveLength(1);
    await setBuyers({ alpha: { bid: 18 } });
    expect((await deliver("leadgate-retry", notice.body, 2)).explicitAcks).toEqual(["q2"]);
    expect((await received("alpha")).filter((r) => r.kind === "deletion")).toHaveLength(1);
    // A notice the queue gave up on (the dead-letter queue) is recorded as such.
    await deliver("leadgate-retry-dlq", notice.body, 6);
    expect((await noticeEvents(lead_id)).map((e) => [e.status, e.via ?? null])).toEqual([
      ["failed", "erasure"],
      ["failed", "queue"],
      ["sent", "queue"],
      ["gave_up", null],
    ]);

    // A round in flight at the erasure may write its events after it: the sweep redacts them.
    await env.DB.prepare("INSERT INTO lead_events (lead_id, at, kind, detail) VALUES (?, ?, 'final', ?)")
      .bind(lead_id, Date.now(), JSON.stringify({ status: "sold", reason: "Pat Doe said yes", price_cents: 1800 }))
      .run();
    expect((await deliver("leadgate-retry", sweep.body, 1)).explicitAcks).toEqual(["q1"]);
    const late = await env.DB.prepare("SELECT detail FROM lead_events WHERE lead_id = ? AND kind = 'final' ORDER BY id DESC")
      .bind(lead_id)
      .first<{ detail: string }>();
    expect(JSON.parse(late!.detail)).toEqual({ status: "sold", price_cents: 1800, _redacted: true });
  });
});

describe("the person's closure", () => {
  it("is every fingerprint connected to the seed through leads (a lead joins its phone and email), and nothing else", async () => {
    const records = new Records(dbOf(env.DB));
    // Leads as edges between 6 phones and 6 emails; either side may be missing.
    const lead = fc.record({
      phone: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
      email: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(lead, { maxLength: 12 }), fc.boolean(), fc.integer({ min: 0, max: 5 }), async (leads, byPhone, seedN) => {
        await env.DB.prepare("DELETE FROM leads").run();
        const ph = (n: number | null) => (n === null ? null : `ph${n}`);
        const em = (n: number | null) => (n === null ? null : `em${n}`);
        for (const [i, l] of leads.entries())
          await env.DB.prepare(
            "INSERT INTO leads (id, campaign_id, source_id, status, data, meta, phone_hash, email_hash, updated_at) VALUES (?, 'cmp_auto', 'src_partner', 'sold', '{}', '{}', ?, ?, 0)",
          )
            .bind(`l${i}`, ph(l.phone), em(l.email))
            .run();
        const seed = byPhone ? { kind: "phone" as const, hash: `ph${seedN}` } : { kind: "email" as const, hash: `em${seedN}` };
        // The reference: grow the component until it stops growing.
        const want = new Set([seed.hash]);
        for (let grew = true; grew;) {
          grew = false;
          for (const l of leads) {
            const ends = [ph(l.phone), em(l.email)].filter((h): h is string => h !== null);
            if (ends.some((h) => want.has(h)) && ends.some((h) => !want.has(h))) {
              for (const h of ends) want.add(h);
              grew = true;
            }
          }
        }
        const got = await records.erasure.consumerClosure([seed]);
        expect(got.map((f) => f.hash).sort()).toEqual([...want].sort());
        for (const f of got) expect(f.kind).toBe(f.hash.startsWith("ph") ? "phone" : "email");
      }),
      { numRuns: 40 },
    );
  });
});
