// Which events the business hears about (issue #29), each emitted where it happens, after the
// records: a lead's final state (sold, unsold, rejected, erased), returns and their decisions, a buyer
// paused (post meter and circuit breaker), a cap used up (once per window). And what subscriptions
// control: consumer fields only when marked, a lead's events in order, pause and resume, a rotated
// secret, the test event.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { verifyLeadgateRequest } from "../../docs/examples/verify-signature";
import { evaluateBreakers } from "../../src/queues/breakers";
import { getRules } from "../../src/rules/cache";
import { scopeOf } from "../../src/services";
import { settleReports } from "../../src/services/cap-reports";
import { HELD_MEMORY_MS } from "../../src/services/caps";
import { demoLead, eventually, gateway, leadReaches, onlyContracts, postLead, seedDemo, setBuyers, sql } from "../support/helpers";
import {
  admin,
  deliver,
  deliveries,
  deliveriesOf,
  HOOK_SECRET,
  hooksReceived,
  records,
  subscribe,
  type DeliveryRow,
} from "../support/webhooks";

const ADMIN_JSON = { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json" };

const lead = async (body = demoLead()) => {
  const a = await (await postLead(body)).json<{ lead_id: string; status: string }>();
  return { id: a.lead_id, status: a.status, body };
};

const bodyOf = async (type: string) => {
  const r = await eventually(async () => (await hooksReceived()).find((x) => JSON.parse(x.body).type === type));
  return JSON.parse(r.body) as {
    id: string;
    type: string;
    created_at: string;
    lead_id: string | null;
    sequence: number | null;
    data: Record<string, unknown>;
    consumer?: Record<string, unknown>;
  };
};

/** Delivers whatever is pending now (the local queue may have done it already). */
const deliverAll = async (rows?: DeliveryRow[]) =>
  deliver((rows ?? (await deliveries())).filter((d) => d.status === "pending").map((d) => d.id));

beforeEach(async () => {
  await seedDemo();
  await onlyContracts("ct_alpha");
  await setBuyers({ alpha: { bid: 18 } });
});

describe("a lead's final state", () => {
  it("lead.unsold and lead.rejected (suppressed), with their reasons; a duplicate is no event", async () => {
    await subscribe({ events: ["lead.unsold", "lead.rejected", "lead.sold"] });
    await sql("UPDATE campaigns SET retry_max_attempts = 0");
    await setBuyers({ alpha: { bid: 18, post: "reject" } });
    const unsold = await lead();
    expect(unsold.status).toBe("unsold");
    await deliverAll(await deliveriesOf(1));
    expect((await bodyOf("lead.unsold")).data).toMatchObject({
      lead_id: unsold.id,
      status: "unsold",
      reason: "no buyer",
      price_cents: 0,
      buyers: [],
    });

    await gateway("/admin/suppressions", {
      method: "POST",
      headers: ADMIN_JSON,
      body: JSON.stringify({ email: "opted.out@example.com", reason: "opt-out" }),
    });
    const rejected = await lead(demoLead({ email: "opted.out@example.com" }));
    expect(rejected.status).toBe("rejected");
    const dupBody = demoLead();
    await lead(dupBody);
    await lead(dupBody); // a duplicate: no event of its own
    await deliverAll(await deliveriesOf(2));
    expect((await bodyOf("lead.rejected")).data).toMatchObject({ lead_id: rejected.id, status: "rejected", reason: "suppressed: opt-out" });
    await leadReaches(rejected.id, ["rejected"]);
    expect((await deliveries()).map((d) => d.type).sort()).toEqual(["lead.rejected", "lead.unsold", "lead.unsold"]);
  });

  it("lead.erased: a pending lead whose consumer is erased", async () => {
    await subscribe({ events: ["lead.erased"] });
    await setBuyers({ alpha: { bid: 18, post: "reject" } });
    const pending = await lead();
    expect(pending.status).toBe("pending");
    await leadReaches(pending.id, ["pending"]);
    const erase = await gateway("/admin/consumers/erase", {
      method: "POST",
      headers: ADMIN_JSON,
      body: JSON.stringify({ email: pending.body.email }),
    });
    expect(erase.status).toBe(200);
    await deliverAll(await deliveriesOf(1));
    const e = await bodyOf("lead.erased");
    expect(e).toMatchObject({ type: "lead.erased", lead_id: pending.id, data: { status: "erased" } });
    expect(JSON.stringify(e)).not.toContain(String(pending.body.email));
  });

  it("a subscription marked include_pii gets the documented consumer fields; others never do", async () => {
    await subscribe({ events: ["lead.sold"], include_pii: true });
    const sold = await lead();
    await deliverAll(await deliveriesOf(1));
    const e = await bodyOf("lead.sold");
    expect(e.consumer).toEqual({
      first_name: "Pat",
      last_name: "Doe",
      email: sold.body.email,
      phone: expect.stringMatching(/^\+1415/),
      street: "1 Main St",
      state: "CA",
      zip: "94107",
    });
    expect(Object.keys(e.data)).not.toContain("consumer");
  });
});

describe("returns, in the lead's order", () => {
  it("lead.returned and return.decided come after lead.sold (sequence 1, 2, 3), and wait while lead.sold is being retried", async () => {
    await setBuyers({ alpha: { bid: 18 }, hooks: { post: "error_500" } });
    await sql("UPDATE contracts SET return_cap_bps = 10000 WHERE id = 'ct_alpha'");
    await subscribe({ events: ["*"] });
    const sold = await lead();
    const [first] = await deliveriesOf(1);
    await deliver([first!.id]);
    const failing = await eventually(async () => ((await deliveries())[0]!.attempts === 1 ? (await deliveries())[0] : undefined));
    const filed = await gateway("/admin/returns", {
      method: "POST",
      headers: ADMIN_JSON,
      body: JSON.stringify({ lead_id: sold.id, contract_id: "ct_alpha", reason: "bad_data" }),
    });
    expect(filed.status).toBe(200);
    const all = await deliveriesOf(3);
    expect(all.map((d) => d.type)).toEqual(["lead.sold", "lead.returned", "return.decided"]);
    await deliver([all[1]!.id, all[2]!.id]);
    const held = await deliveries();
    expect(held.slice(1).map((d) => [d.status, d.attempts])).toEqual([
      ["pending", 0],
      ["pending", 0],
    ]);
    expect(held[1]!.last_error).toMatch(/^held/);
    expect((await hooksReceived()).map((r) => JSON.parse(r.body).type)).toEqual(["lead.sold"]);

    await fetch(`${env.BUYERS_URL}/control/hooks`, { method: "PUT", body: "{}" });
    await deliver([first!.id], failing!.next_attempt_at!);
    const after = (await deliveries())[1]!.next_attempt_at!;
    await deliver([all[1]!.id], after);
    await deliver([all[2]!.id], after + 60_000);
    const got = (await hooksReceived()).map((r) => JSON.parse(r.body) as { type: string; sequence: number; data: Record<string, unknown> });
    expect(got.map((g) => [g.type, g.sequence])).toEqual([
      ["lead.sold", 1],
      ["lead.returned", 2],
      ["return.decided", 3],
    ]);
    expect(got[1]!.data).toMatchObject({
      lead_id: sold.id,
      contract_id: "ct_alpha",
      buyer: "Alpha Insurance",
      reason: "bad_data",
      status: "approved",
    });
    expect(got[2]!.data).toMatchObject({ status: "approved", credit_cents: 1800, clawback_cents: 1260, automatic: true });
  });
});

describe("buyers and caps", () => {
  it("buyer.paused: once when the post meter pauses a contract, once when the cron's breaker opens", async () => {
    await subscribe({ events: ["buyer.paused"] });
    await sql("UPDATE contracts SET breaker_min_samples = 2, breaker_window_s = 600 WHERE id = 'ct_alpha'");
    await sql("UPDATE campaigns SET retry_max_attempts = 0, dedupe_window_s = 0");
    await setBuyers({ alpha: { bid: 18, post: "error_500" } });
    for (let i = 0; i < 3; i++) await leadReaches((await lead()).id, ["unsold"]);
    const [meter] = await deliveriesOf(1);
    const scope = scopeOf(env);
    const rules = await getRules(env.DB, 0);
    await evaluateBreakers(scope.services.records, [...rules.contractsById.values()], Date.now(), scope.services.events);
    await deliveriesOf(2);
    await deliverAll();
    const got = await eventually(async () => {
      const r = (await hooksReceived()).map((x) => JSON.parse(x.body) as { type: string; data: Record<string, unknown> });
      return r.length >= 2 ? r : undefined;
    });
    expect(meter!.type).toBe("buyer.paused");
    expect(got.map((g) => g.data.by).sort()).toEqual(["circuit_breaker", "post_meter"]);
    expect(got[0]!.data).toMatchObject({
      contract_id: "ct_alpha",
      buyer_id: "buy_alpha",
      buyer: "Alpha Insurance",
      reason: expect.stringMatching(/rate/),
    });
    expect((await deliveries()).length).toBe(2);
  });

  it("cap.reached: once per contract and window, however many refusals", async () => {
    await subscribe({ events: ["cap.reached"] });
    // A contract of its own: a ledger's counts outlive a test.
    const id = `ct_cap${Date.now().toString(36)}`;
    await sql(
      `INSERT INTO contracts (id, buyer_id, campaign_id, name, ping_url, post_url, secret, timeout_ms, cap_day)
       SELECT ?, buyer_id, campaign_id, name, ping_url, post_url, secret, timeout_ms, 1 FROM contracts WHERE id = 'ct_alpha'`,
      id,
    );
    await onlyContracts(id);
    await sql("UPDATE campaigns SET retry_max_attempts = 0");
    expect((await lead()).status).toBe("sold");
    // The sale reaches the ledger in its batch; until then the unit reads as held (in flight), not sold
    // out, and the isolate remembers "held" for HELD_MEMORY_MS. After both, refusals are "cap reached".
    await settleReports();
    await new Promise((r) => setTimeout(r, HELD_MEMORY_MS + 20));
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await lead()).status);
    expect(outcomes).toEqual(["unsold", "unsold", "unsold"]);
    const [d] = await deliveriesOf(1);
    await deliverAll();
    const e = await bodyOf("cap.reached");
    expect(e).toMatchObject({
      lead_id: null,
      sequence: null,
      data: { contract_id: id, buyer_id: "buy_alpha", limit: "cap_day", cap: 1, timezone: "UTC" },
    });
    // The window is the day (UTC, the contract's zone) of the refusal the event was made at, not today's.
    expect(e.data.window).toBe(e.created_at.slice(0, 10));
    expect(d!.type).toBe("cap.reached");
    expect(await deliveries()).toHaveLength(1);
  });
});

describe("what a subscription controls", () => {
  it("paused: new events are not kept for it, and a delivery in flight waits; resumed: it is sent", async () => {
    const sub = await subscribe({ events: ["lead.sold"] });
    const stored = await records().webhookDeliveries.store(
      [{ id: "evt_manual.lead.sold", type: "lead.sold", leadId: null, data: { note: "stored before the pause" }, at: Date.now() }],
      Date.now(),
    );
    expect((await admin(`/admin/webhooks/${sub.id}/pause`, "POST")).body).toMatchObject({ status: "paused" });
    await lead();
    await deliver([stored[0]!.id]);
    expect(await deliveries()).toMatchObject([
      { status: "pending", attempts: 0, next_attempt_at: null, last_error: "subscription paused" },
    ]);
    expect(await hooksReceived()).toHaveLength(0);
    expect((await admin(`/admin/webhooks/${sub.id}/resume`, "POST")).body).toMatchObject({ status: "active" });
    await deliver([stored[0]!.id]);
    await eventually(async () => ((await deliveries())[0]!.status === "delivered" ? true : undefined));
    expect(await deliveries()).toHaveLength(1); // the lead sold while paused was not kept for it
  });

  it("a rotated secret: deliveries carry a signature under the new and the previous secret for a day; the test event reaches any subscription", async () => {
    const sub = await subscribe({ events: ["cap.reached"] });
    const rotated = await admin<{ secret: string; previous_secret_until: string }>(`/admin/webhooks/${sub.id}`, "PATCH", {
      rotate_secret: true,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_[0-9a-f]{48}$/);
    expect(Date.parse(rotated.body.previous_secret_until) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    const listed = await admin<{ webhooks: Record<string, unknown>[] }>("/admin/webhooks");
    expect(JSON.stringify(listed.body)).not.toContain(rotated.body.secret);
    const test = await admin<{ event_id: string; delivery_id: string }>(`/admin/webhooks/${sub.id}/test`, "POST");
    expect(test.status).toBe(202);
    await deliver([test.body.delivery_id]);
    const [req] = await eventually(async () => {
      const r = await hooksReceived();
      return r.length ? r : undefined;
    });
    expect(JSON.parse(req!.body)).toMatchObject({ id: test.body.event_id, type: "webhook.test", data: { subscription_id: sub.id } });
    const signature = req!.headers["x-leadgate-signature-v3"]!;
    expect(signature.split(", ")).toHaveLength(2);
    for (const secret of [rotated.body.secret, HOOK_SECRET])
      expect(
        await verifyLeadgateRequest(secret, {
          method: "POST",
          pathAndQuery: req!.path,
          rawBody: req!.body,
          timestamp: req!.headers["x-leadgate-timestamp"]!,
          signature,
        }),
      ).toBe(true);
    expect((await admin(`/admin/webhooks/${sub.id}`, "DELETE")).status).toBe(204);
    expect((await admin(`/admin/webhooks/${sub.id}`)).status).toBe(404);
    expect(await deliveries()).toHaveLength(0);
  });
});
