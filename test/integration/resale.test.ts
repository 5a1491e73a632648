// Resale (issue #28): a returned lead offered again after its delay to buyers that never had it —
// never to the returner, never to a buyer inside its dedupe window; an unsold lead offered to aged-lead
// contracts at its tiers with a floor that decays; erased, suppressed, over-retention, too-old and
// consent-expired leads never offered; TrustedForm certificates checked in for a resale, or the lead
// not resold once its certificate would be gone. The cron runs with an injected time, its queued
// offers delivered to the real queue consumer; the books are checked by the invariants after each test.
import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO_SECRET } from "../../demo/constants";
import { tfCert } from "../../demo/trustedform-stub";
import { checkInvariants } from "../../src/db/invariants";
import worker from "../../src/index";
import { runResales } from "../../src/queues/resales";
import { scopeOf } from "../../src/services";
import type { QueueTask } from "../../src/services/retry-queue";
import {
  ADMIN,
  countOf,
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
import { subscribe } from "../support/webhooks";

const DAY = 86_400_000;
const HOUR = 3_600_000;

let msgN = 0;
/** One cron run at `at`: the offers it queued are delivered to the queue consumer; their ids. */
async function cron(at: number): Promise<string[]> {
  const scope = scopeOf(env);
  const tasks: QueueTask[] = [];
  const services = { ...scope.services, enqueue: async (t: QueueTask[]) => void tasks.push(...t) };
  await runResales(services, await scope.rules(), at);
  if (tasks.length) {
    const batch = createMessageBatch<QueueTask>(
      "leadgate-retry",
      tasks.map((body) => ({ id: `rs${++msgN}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<unknown>, env, ctx);
    await waitOnExecutionContext(ctx);
  }
  return tasks.map((t) => ("resaleId" in t ? t.resaleId : ""));
}

interface Offer {
  id: string;
  reason: string;
  tier_days: number;
  status: string;
  floor_cents: number;
  due_at: number;
  outcome_reason: string | null;
  price_cents: number;
  round: number;
  cert_check: number;
}
const offersOf = async (leadId: string) =>
  (await env.DB.prepare("SELECT * FROM resales WHERE lead_id = ? ORDER BY round").bind(leadId).all<Offer>()).results;

const postsOf = async (leadId: string) =>
  (
    await env.DB.prepare(
      "SELECT contract_id, outcome, attempt, resale_id, price_cents, exclusive FROM posts WHERE lead_id = ? ORDER BY created_at",
    )
      .bind(leadId)
      .all<{ contract_id: string; outcome: string; attempt: number; resale_id: string | null; price_cents: number; exclusive: number }>()
  ).results;

async function submit(lead: Record<string, unknown>, states = ["sold", "unsold"]) {
  const res = await postLead(lead);
  expect(res.status).toBe(200);
  const body = await res.json<{ lead_id: string; status: string; buyer: string | null }>();
  const row = await leadReaches(body.lead_id, states);
  return { ...body, createdAt: Number(row.created_at) };
}

const postBodiesFor = async (buyer: string, leadId: string) =>
  (await received(buyer))
    .filter((r) => r.kind === "post")
    .map((r) => JSON.parse(r.body) as Record<string, unknown>)
    .filter((b) => b.lead_id === leadId);

beforeEach(async () => {
  await seedDemo([
    // An aged-lead buyer: it buys leads 1 to 30 days old, and is never in a lead's live round.
    "INSERT INTO buyers (id, name, dedupe_window_s) VALUES ('buy_aged', 'Aged Leads Co', 86400)",
    `INSERT INTO contracts (id, buyer_id, campaign_id, name, ping_url, post_url, secret, timeout_ms, aged_min_days, aged_max_days)
     VALUES ('ct_aged', 'buy_aged', 'cmp_auto', 'Aged 1-30 days', '${env.BUYERS_URL}/b/aged/ping', '${env.BUYERS_URL}/b/aged/post', '${DEMO_SECRET}', 400, 1, 30)`,
  ]);
  await sql(
    `UPDATE campaigns SET resell_returns = 1, resale_delay_s = 3600, retry_max_attempts = 0, dedupe_window_s = 0,
            aged_tiers = '[{"days":1,"floor_cents":500},{"days":7,"floor_cents":300}]'`,
  );
  // Buyers remember a consumer for a day: "inside its dedupe window" for the whole test.
  await sql("UPDATE buyers SET dedupe_window_s = 86400");
  await sql("UPDATE contracts SET return_cap_bps = 10000");
});

afterEach(async () => {
  const results = await checkInvariants(async (q) => (await env.DB.prepare(q).all<Record<string, unknown>>()).results);
  expect(results.filter((r) => !r.ok)).toEqual([]);
});

describe("a returned lead", () => {
  it("is resold after its delay to a buyer that never had it: never to the returner, one that rejected it, or one inside its dedupe window", async () => {
    await subscribe({ events: ["lead.resold"] });
    const consumer = demoLead();
    // Charlie bought this consumer first (another lead): it is inside its dedupe window from now on.
    await onlyContracts("ct_charlie");
    await setBuyers({ charlie: { bid: 15 }, alpha: { bid: 18 }, bravo: { bid: 22, post: "reject" }, delta: {} });
    expect((await submit(consumer)).buyer).toBe("Charlie Auto");
    // The second lead: Bravo rejects it, Alpha buys it; Charlie is skipped (it has the consumer).
    await onlyContracts("ct_alpha", "ct_bravo", "ct_charlie", "ct_delta", "ct_aged");
    const lead = await submit(consumer);
    expect(lead.buyer).toBe("Alpha Insurance");
    const ret = await gateway("/admin/returns", {
      method: "POST",
      headers: ADMIN,
      body: JSON.stringify({ lead_id: lead.lead_id, contract_id: "ct_alpha", reason: "bad_data" }),
    });
    expect(ret.status).toBe(200);
    const [offer] = await offersOf(lead.lead_id);
    expect(offer).toMatchObject({ reason: "returned", tier_days: 0, status: "scheduled", floor_cents: 500, round: 1000 });
    expect(offer!.due_at).toBeGreaterThanOrEqual(Date.now() + 3_590_000);

    expect(await cron(Date.now())).toEqual([]); // not due before its delay
    expect(await cron(Date.now() + HOUR + 60_000)).toEqual([offer!.id]);

    const row = await leadRow(lead.lead_id);
    expect(row).toMatchObject({ status: "sold", price_cents: 1800 + 900 });
    expect((await postsOf(lead.lead_id)).map((p) => [p.contract_id, p.outcome, p.attempt, p.resale_id])).toEqual([
      ["ct_bravo", "rejected", 0, null],
      ["ct_alpha", "accepted", 0, null],
      ["ct_delta", "accepted", 1000, offer!.id],
    ]);
    const skipped = await env.DB.prepare(
      "SELECT contract_id, reason FROM pings WHERE lead_id = ? AND attempt = 1000 AND outcome = 'skipped'",
    )
      .bind(lead.lead_id)
      .all<{ contract_id: string; reason: string }>();
    expect(Object.fromEntries(skipped.results.map((p) => [p.contract_id, p.reason]))).toMatchObject({
      ct_alpha: "already tried for this lead",
      ct_bravo: "already tried for this lead",
      ct_charlie: "buyer already bought or rejected this consumer",
    });
    // The aged-lead contract takes leads from a day old only; this one was an hour old.
    expect(skipped.results.some((p) => p.contract_id === "ct_aged")).toBe(false);
    expect(await postBodiesFor("alpha", lead.lead_id)).toHaveLength(1);
    const [resold] = await postBodiesFor("delta", lead.lead_id);
    expect(resold).toMatchObject({ price: 9, exclusive: true, resale: { reason: "returned", age_days: 0 } });
    expect((await offersOf(lead.lead_id))[0]).toMatchObject({ status: "sold", price_cents: 900 });
    // The resale is booked in the ledger with its post, and told to the webhooks as lead.resold.
    const legs = await env.DB.prepare("SELECT account, amount_cents FROM ledger_entries WHERE entry_key = ? ORDER BY account")
      .bind(`sale:${lead.lead_id}:ct_delta`)
      .all<{ account: string; amount_cents: number }>();
    expect(legs.results.reduce((a, l) => a + l.amount_cents, 0)).toBe(0);
    expect(legs.results.find((l) => l.account === "buyer:buy_delta")?.amount_cents).toBe(-900);
    const event = await eventually(() =>
      env.DB.prepare("SELECT lead_id, body FROM webhook_events WHERE type = 'lead.resold'").first<{ lead_id: string; body: string }>(),
    );
    expect(event.lead_id).toBe(lead.lead_id);
    expect(JSON.parse(event.body)).toMatchObject({ resale_id: offer!.id, contract_id: "ct_delta", reason: "returned", price_cents: 900 });

    // A second run finds nothing due, and the resale report shows the revenue apart.
    expect(await cron(Date.now() + 2 * HOUR)).toEqual([]);
    const report = await (
      await gateway("/admin/reports/resales", { headers: ADMIN })
    ).json<{
      totals: { revenue: number; sold: number };
      by_reason: { reason: string; revenue: number }[];
    }>();
    expect(report.totals).toMatchObject({ revenue: 9, sold: 1 });
    expect(report.by_reason).toEqual([expect.objectContaining({ reason: "returned", revenue: 9, offers: 1 })]);
    const page = await (await gateway("/console", { headers: ADMIN })).text();
    expect(page).toContain('id="resales"');
    expect(page).toContain("resale revenue");
  });

  it("is not offered when its campaign does not resell returns", async () => {
    await sql("UPDATE campaigns SET resell_returns = 0");
    await onlyContracts("ct_alpha");
    await setBuyers({ alpha: { bid: 18 } });
    const lead = await submit(demoLead());
    const ret = await gateway("/admin/returns", {
      method: "POST",
      headers: ADMIN,
      body: JSON.stringify({ lead_id: lead.lead_id, contract_id: "ct_alpha", reason: "bad_data" }),
    });
    expect(ret.status).toBe(200);
    expect(await offersOf(lead.lead_id)).toEqual([]);
  });
});

describe("aged tiers", () => {
  it("an unsold lead is offered to aged-lead contracts at each tier, with the tier's floor, and sold as a new sale", async () => {
    await onlyContracts("ct_alpha", "ct_aged");
    await setBuyers({ alpha: { ping: "no_bid_204" }, aged: { bid: 4 } });
    const lead = await submit(demoLead());
    expect(lead.status).toBe("unsold");
    // The aged contract is no part of the live round.
    expect(await countOf("SELECT COUNT(*) AS n FROM pings WHERE lead_id = ? AND contract_id = 'ct_aged'", lead.lead_id)).toBe(0);
    const offers = await offersOf(lead.lead_id);
    expect(offers.map((o) => [o.reason, o.tier_days, o.floor_cents, o.due_at - lead.createdAt])).toEqual([
      ["unsold", 1, 500, DAY],
      ["unsold", 7, 300, 7 * DAY],
    ]);

    // Day 1: its $4 bid is below the tier's $5 floor.
    expect(await cron(lead.createdAt + DAY + 60_000)).toEqual([offers[0]!.id]);
    expect((await offersOf(lead.lead_id))[0]).toMatchObject({ status: "unsold", outcome_reason: "no buyer" });
    expect(await leadRow(lead.lead_id)).toMatchObject({ status: "unsold", price_cents: 0 });
    const [below] = (
      await env.DB.prepare("SELECT outcome FROM pings WHERE lead_id = ? AND contract_id = 'ct_aged' AND attempt = 1000")
        .bind(lead.lead_id)
        .all<{ outcome: string }>()
    ).results;
    expect(below?.outcome).toBe("below_floor");

    // Day 7: the floor decayed to $3; the lead is sold, a new sale of the same lead.
    expect(await cron(lead.createdAt + 7 * DAY + 60_000)).toEqual([offers[1]!.id]);
    expect(await leadRow(lead.lead_id)).toMatchObject({ status: "sold", price_cents: 400 });
    expect(await postsOf(lead.lead_id)).toEqual([
      { contract_id: "ct_aged", outcome: "accepted", attempt: 1001, resale_id: offers[1]!.id, price_cents: 400, exclusive: 0 },
    ]);
    const [post] = await postBodiesFor("aged", lead.lead_id);
    expect(post).toMatchObject({ price: 4, exclusive: false, resale: { reason: "unsold", age_days: 7 } });
    const trace = await (
      await gateway(`/admin/leads/${lead.lead_id}`, { headers: ADMIN })
    ).json<{ trace: { events: { kind: string }[] } }>();
    expect(trace.trace.events.map((e) => e.kind)).toEqual(expect.arrayContaining(["resale_scheduled", "resale"]));
  });

  it("a lead sold exclusively is not aged; one sold shared is, to buyers other than its first", async () => {
    await onlyContracts("ct_alpha", "ct_charlie", "ct_aged");
    await setBuyers({ alpha: { bid: 18 }, charlie: { bid: 15 }, aged: { bid: 6 } });
    const exclusive = await submit(demoLead());
    expect(exclusive.status).toBe("sold");
    expect(await offersOf(exclusive.lead_id)).toEqual([]);

    await sql("UPDATE campaigns SET exclusive = 0, max_buyers = 2");
    const shared = await submit(demoLead());
    expect(shared.status).toBe("sold");
    expect((await offersOf(shared.lead_id)).map((o) => [o.reason, o.tier_days])).toEqual([
      ["sold", 1],
      ["sold", 7],
    ]);
    await cron(shared.createdAt + DAY + 60_000);
    expect(await leadRow(shared.lead_id)).toMatchObject({ price_cents: 1800 + 1500 + 600 });
    // At 7 days the aged buyer has had it: no one left to offer it to.
    await cron(shared.createdAt + 7 * DAY + 60_000);
    expect((await offersOf(shared.lead_id))[1]).toMatchObject({
      status: "unsold",
      outcome_reason: "no contract takes this lead that never had it",
    });
  });
});

describe("a resale round whose worker died", () => {
  it("is recovered from the lead's journal (its sale recorded once), or ends unsold; never run again", async () => {
    await onlyContracts("ct_alpha", "ct_aged");
    await setBuyers({ alpha: { ping: "no_bid_204" }, aged: { bid: 6 } });
    const sold = await submit(demoLead());
    const lost = await submit(demoLead());
    const [soldOffer] = await offersOf(sold.lead_id);
    const [lostOffer] = await offersOf(lost.lead_id);
    const started = Date.now() - 10 * 60_000;
    await sql("UPDATE resales SET status = 'running', started_at = ? WHERE id IN (?, ?)", started, soldOffer!.id, lostOffer!.id);
    // The dead round had journaled one sale before it died.
    const journal = String((await leadRow(sold.lead_id))!.journal);
    await env.LEAD_JOURNAL.get(env.LEAD_JOURNAL.idFromName(journal)).recordSale(sold.lead_id, {
      contractId: "ct_aged",
      priceCents: 650,
      buyerLeadId: "AGED-1",
      leaseId: null,
      at: started + 1000,
    });
    expect(await cron(Date.now())).toEqual([]);
    expect((await offersOf(sold.lead_id))[0]).toMatchObject({ status: "sold", price_cents: 650 });
    expect(await leadRow(sold.lead_id)).toMatchObject({ status: "sold", price_cents: 650 });
    expect(await postsOf(sold.lead_id)).toEqual([
      { contract_id: "ct_aged", outcome: "accepted", attempt: 1000, resale_id: soldOffer!.id, price_cents: 650, exclusive: 0 },
    ]);
    expect((await offersOf(lost.lead_id))[0]).toMatchObject({ status: "unsold", outcome_reason: "interrupted: the round did not record" });
    // Neither offer runs again; at 7 days the recovered buyer is not offered the lead it bought.
    await cron(sold.createdAt + 7 * DAY + 60_000);
    expect(await postBodiesFor("aged", sold.lead_id)).toEqual([]);
    expect(await postBodiesFor("aged", lost.lead_id)).toHaveLength(1); // its 7-day tier, a new offer
  });
});

describe("leads that are never offered again", () => {
  const cases: {
    name: string;
    setup: (lead: Record<string, unknown>) => Promise<void>;
    at: number;
    why: string;
    lead?: Record<string, unknown>;
  }[] = [
    {
      name: "erased",
      setup: async (lead) => {
        const res = await gateway("/admin/consumers/erase", {
          method: "POST",
          headers: ADMIN,
          body: JSON.stringify({ phone: lead.phone }),
        });
        expect(res.status).toBe(200);
      },
      at: DAY + 60_000,
      why: "the consumer's data was erased or redacted",
    },
    {
      name: "suppressed",
      setup: async (lead) => {
        const res = await gateway("/admin/suppressions", {
          method: "POST",
          headers: ADMIN,
          body: JSON.stringify({ email: lead.email, reason: "do not call" }),
        });
        expect(res.status).toBe(200);
      },
      at: DAY + 60_000,
      why: "the consumer is suppressed",
    },
    {
      name: "over retention",
      setup: () => sql('UPDATE campaigns SET retention_days = 2, resale_max_age_days = 2, aged_tiers = \'[{"days":1,"floor_cents":100}]\''),
      at: 2 * DAY + 60_000,
      why: "past the campaign's retention",
    },
    {
      name: "older than the resale age",
      setup: () => sql('UPDATE campaigns SET resale_max_age_days = 1, aged_tiers = \'[{"days":1,"floor_cents":100}]\''),
      at: DAY + HOUR,
      why: "the lead is older than resale_max_age_days (1)",
    },
    {
      name: "consent expired",
      lead: { consent_timestamp: new Date(Date.now() - 23.5 * HOUR).toISOString(), tcpa_consent: true },
      setup: () => sql('UPDATE campaigns SET resale_max_age_days = 2, aged_tiers = \'[{"days":1,"floor_cents":100}]\''),
      at: DAY + HOUR,
      why: "consent is older than resale_max_age_days (2)",
    },
  ];
  for (const c of cases)
    it(`${c.name}: the offer is skipped, nothing is pinged or posted`, async () => {
      await onlyContracts("ct_alpha", "ct_aged");
      await setBuyers({ alpha: { ping: "no_bid_204" }, aged: { bid: 20 } });
      const body = demoLead(c.lead ?? {});
      const lead = await submit(body);
      expect(lead.status).toBe("unsold");
      await c.setup(body);
      await cron(lead.createdAt + c.at);
      const [offer] = await offersOf(lead.lead_id);
      expect(offer).toMatchObject({ status: "skipped", outcome_reason: c.why });
      expect(await countOf("SELECT COUNT(*) AS n FROM pings WHERE lead_id = ? AND attempt >= 1000", lead.lead_id)).toBe(0);
      expect(await postBodiesFor("aged", lead.lead_id)).toEqual([]);
      expect((await received("aged")).filter((r) => r.kind === "ping")).toEqual([]);
    });
});

describe("TrustedForm certificates of leads offered for resale", () => {
  it("are checked in (90 days) while they can be; a certificate that could not be is not resold after 72 hours", async () => {
    await sql(`UPDATE campaigns SET aged_tiers = '[{"days":7,"floor_cents":100}]'`);
    await onlyContracts("ct_alpha", "ct_aged");
    await setBuyers({ alpha: { ping: "no_bid_204" }, aged: { bid: 6 } });
    const kept = await submit(demoLead({ trustedform_cert_url: tfCert(undefined, "c0de") }));
    const gone = await submit(demoLead({ trustedform_cert_url: tfCert("expired", "beef") }));
    expect((await offersOf(kept.lead_id))[0]).toMatchObject({ cert_check: 1 });

    // The next cron run checks both in, long before their offers are due.
    expect(await cron(Date.now())).toEqual([]);
    const calls = (await received("_trustedform")).map((r) => r.path);
    expect(calls).toEqual(expect.arrayContaining([`/trustedform/${tfCert(undefined, "c0de").slice(-40)}/check_in`]));
    expect(await leadRow(kept.lead_id)).toMatchObject({ cert_until: kept.createdAt + 90 * DAY });
    expect(await leadRow(gone.lead_id)).toMatchObject({ cert_until: null });
    expect((await offersOf(gone.lead_id))[0]).toMatchObject({ cert_check: 0 });

    await cron(kept.createdAt + 7 * DAY + 60_000);
    expect(await leadRow(kept.lead_id)).toMatchObject({ status: "sold", price_cents: 600 });
    expect((await offersOf(gone.lead_id))[0]).toMatchObject({
      status: "skipped",
      outcome_reason: "TrustedForm certificate expired (72 hours, not checked in)",
    });
  });
});
