// Event webhooks end to end: subscriptions through the admin API, events emitted by the pipeline after
// its records, deliveries through the webhook queue's consumer (driven with message batches and an
// injected clock), to a receiver on loopback (the mock buyers' server, as buyer "hooks").
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { verifyLeadgateRequest } from "../../docs/examples/verify-signature";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { capReachedEvent } from "../../src/events/bodies";
import worker from "../../src/index";
import { sweepWebhooks } from "../../src/queues/webhook-sweep";
import { scopeOf } from "../../src/services";
import { demoLead, eventually, gateway, onlyContracts, postLead, seedDemo, setBuyers } from "../support/helpers";
import { admin, deliver, deliveries, HOOK_SECRET as SECRET, hookUrl, hooksReceived, records, subscribe } from "../support/webhooks";

beforeEach(async () => {
  await seedDemo();
  await onlyContracts("ct_alpha");
  await setBuyers({ alpha: { bid: 18 } });
});

describe("lead.sold", () => {
  it("a loopback receiver gets lead.sold after a sale, signed and verifiable with the documented snippet", async () => {
    await subscribe({ events: ["lead.sold"] });
    const lead = demoLead();
    const answer = await (await postLead(lead)).json<{ lead_id: string; status: string }>();
    expect(answer.status).toBe("sold");
    const [delivery] = await eventually(async () => {
      const d = await deliveries();
      return d.length ? d : undefined;
    });
    await deliver([delivery!.id]);
    const [req] = await eventually(async () => {
      const r = await hooksReceived();
      return r.length ? r : undefined;
    });
    const ok = await verifyLeadgateRequest(SECRET, {
      method: req!.method,
      pathAndQuery: req!.path,
      rawBody: req!.body,
      timestamp: req!.headers["x-leadgate-timestamp"] ?? null,
      signature: req!.headers["x-leadgate-signature-v3"] ?? null,
    });
    expect(ok).toBe(true);
    const body = JSON.parse(req!.body);
    expect(body).toMatchObject({
      type: "lead.sold",
      lead_id: answer.lead_id,
      sequence: 1,
      data: { status: "sold", price_cents: 1800, buyers: [{ contract_id: "ct_alpha", buyer: "Alpha Insurance", price_cents: 1800 }] },
    });
    expect(req!.headers["x-leadgate-event-id"]).toBe(body.id);
    // No consumer data unless the subscription asks for it; v3 only.
    expect(req!.body).not.toContain(String(lead.email));
    expect(req!.body).not.toContain("Pat");
    expect(req!.headers["x-leadgate-signature-v2"]).toBeUndefined();
    expect((await deliveries())[0]).toMatchObject({ status: "delivered", attempts: 1 });
  });
});

/** The one delivery there is, once the emit (after the answer) has stored it. */
const onlyDelivery = () =>
  eventually(async () => {
    const d = await deliveries();
    return d.length === 1 ? d[0]! : undefined;
  });

const soldLead = async () => {
  const a = await (await postLead(demoLead())).json<{ lead_id: string; status: string }>();
  expect(a.status).toBe("sold");
  return a.lead_id;
};

describe("retries", () => {
  it("a receiver answering 500 twice gets the event on the third attempt, with the same id; the log shows each attempt", async () => {
    await setBuyers({ alpha: { bid: 18 }, hooks: { post: "error_500" } });
    const sub = await subscribe({ events: ["lead.sold"] });
    const leadId = await soldLead();
    const first = await onlyDelivery();
    await deliver([first.id]);
    const once = await eventually(async () => {
      const [d] = await deliveries();
      return d && d.attempts === 1 ? d : undefined;
    });
    expect(once).toMatchObject({ status: "pending" });
    await deliver([first.id], once.next_attempt_at!); // the clock at the retry: 30 s later
    const twice = (await deliveries())[0]!;
    expect(twice).toMatchObject({ status: "pending", attempts: 2 });
    expect(twice.next_attempt_at! - once.next_attempt_at!).toBeGreaterThanOrEqual(120_000);
    const failed = await hooksReceived();
    await fetch(`${env.BUYERS_URL}/control/hooks`, { method: "PUT", body: "{}" }); // it recovers
    await deliver([first.id], twice.next_attempt_at!);
    expect((await deliveries())[0]).toMatchObject({ status: "delivered", attempts: 3 });
    const requests = [...failed, ...(await hooksReceived())];
    expect(requests).toHaveLength(3);
    const ids = requests.map((r) => JSON.parse(r.body).id as string);
    expect(new Set(ids).size).toBe(1);
    expect(requests.map((r) => r.headers["x-leadgate-event-id"])).toEqual(ids);
    expect(requests.map((r) => r.headers["x-leadgate-attempt"])).toEqual(["1", "2", "3"]);
    expect(JSON.parse(requests[2]!.body)).toMatchObject({ type: "lead.sold", lead_id: leadId });

    const log = await admin<{
      deliveries: { status: string; log: { attempt: number; outcome: string; http_status: number; next_attempt_at: string | null }[] }[];
    }>(`/admin/webhooks/${sub.id}/deliveries`);
    expect(log.body.deliveries).toHaveLength(1);
    expect(log.body.deliveries[0]!.log.map((a) => [a.attempt, a.outcome, a.http_status, a.next_attempt_at !== null])).toEqual([
      [1, "retry", 500, true],
      [2, "retry", 500, true],
      [3, "delivered", 200, false],
    ]);
  });

  it("gives up after a day of retries, and 'send again' sends it once more with the same event id", async () => {
    await setBuyers({ alpha: { bid: 18 }, hooks: { post: "error_500" } });
    const sub = await subscribe({ events: ["lead.sold"] });
    await soldLead();
    const d = await onlyDelivery();
    const t0 = Date.now();
    await deliver([d.id], t0);
    await eventually(async () => ((await deliveries())[0]!.attempts >= 1 ? true : undefined));
    await deliver([d.id], t0 + 25 * 3_600_000);
    const gaveUp = (await deliveries())[0]!;
    expect(gaveUp).toMatchObject({ status: "failed", next_attempt_at: null });
    const log = await admin<{ deliveries: { last_error: string }[] }>(`/admin/webhooks/${sub.id}/deliveries?status=failed`);
    expect(log.body.deliveries[0]!.last_error).toMatch(/^retries exhausted after \d attempts; last: HTTP 500/);

    await fetch(`${env.BUYERS_URL}/control/hooks`, { method: "PUT", body: "{}" });
    const again = await admin<{ status: string }>(`/admin/webhooks/${sub.id}/deliveries/${d.id}/retry`, "POST");
    expect(again).toMatchObject({ status: 202, body: { status: "pending" } });
    await deliver([d.id]);
    await eventually(async () => ((await deliveries())[0]!.status === "delivered" ? true : undefined));
    const [req] = await hooksReceived();
    expect(req!.headers["x-leadgate-event-id"]).toMatch(/^evt_ld_.*\.lead\.sold$/);
  });
});

describe("only the subscription's own host", () => {
  it("a receiver that redirects gets nothing: the redirect is not followed, and the delivery fails without retries", async () => {
    await setBuyers({
      alpha: { bid: 18 },
      hooks: { postAnswer: { status: 307, body: "", headers: { location: hookUrl("elsewhere") } } },
    });
    const sub = await subscribe({ events: ["lead.sold"] });
    await soldLead();
    const d = await onlyDelivery();
    await deliver([d.id]);
    const failed = await eventually(async () => {
      const [x] = await deliveries();
      return x?.status === "failed" ? x : undefined;
    });
    expect(failed).toMatchObject({ attempts: 1, next_attempt_at: null });
    expect(await hooksReceived("elsewhere")).toHaveLength(0);
    const row = await env.DB.prepare("SELECT last_error FROM webhook_deliveries").first<{ last_error: string }>();
    expect(row!.last_error).toMatch(/redirected \(HTTP 307\): not followed/);
    // The console's overview lists the failing subscription.
    const page = await (await gateway("/console", { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } })).text();
    expect(page).toContain('id="webhooks"');
    expect(page).toContain(sub.id);
    expect(page).toContain("redirected (HTTP 307): not followed");
  });

  it("a receiver that never answers costs its own delivery a timeout; another subscription's delivery in the same batch is not held up", async () => {
    await setBuyers({ slow: { post: "hang" } });
    await subscribe({ events: ["cap.reached"], url: hookUrl("slow") });
    await subscribe({ events: ["cap.reached"] });
    // Stored without queueing (the local queue would deliver it on its own): the consumer alone, driven here.
    const event = capReachedEvent(
      { id: "ct_alpha", buyerId: "buy_alpha" },
      { limit: "cap_day", window: "2026-11-21", timezone: "UTC", max: 5 },
      Date.now(),
    );
    const both = await records().webhookDeliveries.store([event], Date.now());
    expect(both).toHaveLength(2);
    const started = Date.now();
    await deliver(
      both.map((d) => d.id),
      Date.now(),
      { WEBHOOK_TIMEOUT_MS: "400" },
    );
    expect(Date.now() - started).toBeLessThan(3000);
    const rows = await env.DB.prepare(
      "SELECT s.url, d.status, d.attempts, d.last_error FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id",
    ).all<{ url: string; status: string; attempts: number; last_error: string | null }>();
    const of = (name: string) => rows.results.find((r) => r.url === hookUrl(name))!;
    expect(of("hooks")).toMatchObject({ status: "delivered", attempts: 1 });
    expect(of("slow")).toMatchObject({ status: "pending", attempts: 1, last_error: "no answer within 400 ms" });
  });

  it("the seller's answer never waits on a receiver: events are emitted after it and delivered from the queue", async () => {
    await setBuyers({ alpha: { bid: 18 }, slow: { post: "hang" } });
    await subscribe({ events: ["lead.sold"], url: hookUrl("slow") });
    const started = Date.now();
    await soldLead();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("refuses URLs it may not send to, naming the field: http to a public host, credentials, a private address", async () => {
    for (const url of ["http://hooks.example.com/x", "https://user:pw@hooks.example.com/", "https://10.1.2.3/hook"]) {
      const res = await admin<{ error: string; fields: { path: string }[] }>("/admin/webhooks", "POST", { url, events: ["lead.sold"] });
      expect(res.status).toBe(422);
      expect(res.body.fields[0]!.path).toBe("url");
    }
    const badEvent = await admin<{ fields: { path: string }[] }>("/admin/webhooks", "POST", { url: hookUrl(), events: ["lead.sould"] });
    expect(badEvent.status).toBe(422);
    expect(badEvent.body.fields[0]!.path).toMatch(/^events/);
    const noAdmin = await gateway("/admin/webhooks", { method: "POST", body: JSON.stringify({ url: hookUrl(), events: ["*"] }) });
    expect(noAdmin.status).toBe(401);
  });
});

describe("lost and dead-lettered messages", () => {
  const event = () =>
    capReachedEvent(
      { id: "ct_alpha", buyerId: "buy_alpha" },
      { limit: "cap_day", window: "2026-11-21", timezone: "UTC", max: 5 },
      Date.now(),
    );

  it("the cron queues again a delivery whose message was lost, 15 minutes after it was due", async () => {
    await subscribe({ events: ["cap.reached"] });
    const t0 = Date.now();
    const [d] = await records().webhookDeliveries.store([event()], t0); // stored, never queued: a lost message
    expect(await sweepWebhooks(scopeOf(env).services, t0 + 60_000)).toBe(0); // not yet: it may still be on its way
    expect(await sweepWebhooks(scopeOf(env).services, t0 + 16 * 60_000)).toBe(1);
    await deliver([d!.id], t0 + 16 * 60_000); // the queued message, as the consumer gets it then
    await eventually(async () => ((await deliveries())[0]!.status === "delivered" ? true : undefined));
    expect(await hooksReceived()).toHaveLength(1);
  });

  it("the delivery log pages by cursor, deliveries made in the same millisecond included", async () => {
    const sub = await subscribe({ events: ["cap.reached"] });
    const at = Date.now();
    const made = await records().webhookDeliveries.store(
      ["cap_hour", "cap_day", "cap_month"].map((limit) =>
        capReachedEvent({ id: "ct_alpha", buyerId: "buy_alpha" }, { limit, window: "w", timezone: "UTC", max: 1 }, at),
      ),
      at,
    );
    type Page = { deliveries: { id: string }[]; next_cursor: string | null };
    const first = await admin<Page>(`/admin/webhooks/${sub.id}/deliveries?limit=2`);
    expect(first.body.deliveries).toHaveLength(2);
    const second = await admin<Page>(`/admin/webhooks/${sub.id}/deliveries?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body).toMatchObject({ next_cursor: null });
    expect([...first.body.deliveries, ...second.body.deliveries].map((d) => d.id).sort()).toEqual(made.map((d) => d.id).sort());
    expect((await admin(`/admin/webhooks/${sub.id}/deliveries?cursor=yesterday`)).status).toBe(422);
  });

  it("a message the consumer kept failing on reaches the dead-letter queue: its delivery is recorded as failed", async () => {
    await subscribe({ events: ["cap.reached"] });
    const [d] = await records().webhookDeliveries.store([event()], Date.now());
    const batch = createMessageBatch("leadgate-webhooks-dlq", [
      { id: "dl1", timestamp: new Date(), attempts: 6, body: { kind: "webhook_delivery", deliveryId: d!.id } },
      { id: "dl2", timestamp: new Date(), attempts: 1, body: { nope: true } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(["dl1", "dl2"]);
    expect((await deliveries())[0]).toMatchObject({
      status: "failed",
      last_error: "dead-lettered: the webhook consumer failed on it 6 times",
    });
  });
});
