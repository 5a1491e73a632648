// The pure parts of event webhooks and exports: the retry schedule (a day, 12 h queue delays chained),
// what an answer means, what a delivery's message does, where a subscription may point, the bodies
// (no consumer data, ids from what happened) and the CSV writer.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { leadEndedEvent, returnFiledEvents, capReachedEvent } from "../../src/events/bodies";
import { EVENT_TYPES, wants } from "../../src/events/catalog";
import {
  carriesConsumer,
  consumerOf,
  envelope,
  judge,
  MAX_QUEUE_DELAY_S,
  nextAttemptAt,
  nextStep,
  queueDelayS,
  RETRY_SPAN_MS,
  urlProblem,
  type DeliveryState,
} from "../../src/events/delivery";
import { csvField, csvLine } from "../../src/lib/csv";
import type { LeadSummary } from "../../src/lead/response";
import { parseCsv } from "../support/csv";

const T0 = Date.UTC(2026, 10, 21, 12);
const MIN = 60_000;

/** The attempts of a delivery that always fails, each made the moment it is due. */
function schedule(first: number): number[] {
  const at = [first];
  for (let n = 1; ; n++) {
    const next = nextAttemptAt(n, first, at.at(-1)!);
    if (next === null) return at;
    at.push(next);
  }
}

describe("the retry schedule", () => {
  it("backs off by 4x from 30 s and makes its last attempt 24 h after the first: 8 attempts", () => {
    const at = schedule(T0).map((t) => (t - T0) / 1000);
    expect(at).toEqual([0, 30, 150, 630, 2550, 10230, 40950, 86400]);
  });

  it("for any first attempt and any lateness, attempts are increasing, within the day, and the waits grow", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 41 }),
        fc.array(fc.integer({ min: 0, max: 5 * MIN }), { maxLength: 12 }),
        (first, lateness) => {
          let now = first;
          let prevWait = 0;
          for (let n = 1; n <= 12; n++) {
            const next = nextAttemptAt(n, first, now);
            if (next === null) return now >= first + RETRY_SPAN_MS;
            expect(next).toBeGreaterThan(now);
            expect(next).toBeLessThanOrEqual(first + RETRY_SPAN_MS);
            if (next < first + RETRY_SPAN_MS) expect(next - now).toBeGreaterThanOrEqual(prevWait);
            prevWait = next - now;
            now = next + (lateness[n - 1] ?? 0);
          }
          return true;
        },
      ),
    );
  });

  it("a queue delay is at most 12 h, so the last wait (12 h 37 min 30 s) is chained: the message comes back early and is sent again", () => {
    const at = schedule(T0);
    const lastWait = at[7]! - at[6]!;
    expect(lastWait / 1000).toBeGreaterThan(MAX_QUEUE_DELAY_S);
    const first = queueDelayS(at[7]!, at[6]!);
    expect(first).toBe(MAX_QUEUE_DELAY_S);
    const early = at[6]! + first * 1000;
    const state: DeliveryState = {
      status: "pending",
      subscriptionStatus: "active",
      nextAttemptAt: at[7]!,
      claimedUntil: null,
      earlierPending: 0,
      earlierNextAt: null,
    };
    expect(nextStep(state, early)).toEqual({ do: "wait", until: at[7] });
    expect(queueDelayS(at[7]!, early)).toBe(lastWait / 1000 - MAX_QUEUE_DELAY_S);
    expect(nextStep(state, at[7]!)).toEqual({ do: "attempt" });
  });
});

describe("what an answer means", () => {
  const j = (r: Parameters<typeof judge>[0], n = 1, now = T0) => judge(r, n, T0, now);
  it("2xx delivered; 3xx failed, never followed; 5xx, 408, 429, timeouts and connection errors retried; other 4xx failed", () => {
    expect(j({ kind: "answer", status: 204 })).toEqual({ outcome: "delivered" });
    expect(j({ kind: "answer", status: 302 })).toMatchObject({ outcome: "failed", error: expect.stringContaining("redirected") });
    for (const status of [500, 503, 408, 429]) expect(j({ kind: "answer", status })).toMatchObject({ outcome: "retry", at: T0 + 30_000 });
    expect(j({ kind: "timeout", reason: "no answer within 10000 ms" })).toMatchObject({ outcome: "retry" });
    expect(j({ kind: "error", reason: "connection failed" })).toMatchObject({ outcome: "retry" });
    expect(j({ kind: "answer", status: 400, excerpt: "bad signature" })).toEqual({
      outcome: "failed",
      error: "refused (HTTP 400: bad signature)",
    });
    expect(j({ kind: "answer", status: 500 }, 8, T0 + RETRY_SPAN_MS)).toMatchObject({
      outcome: "failed",
      error: expect.stringContaining("retries exhausted after 8 attempts"),
    });
  });
});

describe("what a delivery's message does", () => {
  const base: DeliveryState = {
    status: "pending",
    subscriptionStatus: "active",
    nextAttemptAt: T0,
    claimedUntil: null,
    earlierPending: 0,
    earlierNextAt: null,
  };
  it("nothing when finished or claimed; parks for a paused subscription; holds behind an earlier event of its lead; else attempts", () => {
    expect(nextStep(null, T0)).toEqual({ do: "nothing" });
    expect(nextStep({ ...base, status: "delivered" }, T0)).toEqual({ do: "nothing" });
    expect(nextStep({ ...base, claimedUntil: T0 + 5000 }, T0)).toEqual({ do: "nothing" });
    expect(nextStep({ ...base, subscriptionStatus: "paused" }, T0)).toEqual({ do: "park" });
    expect(nextStep({ ...base, earlierPending: 1, earlierNextAt: T0 + MIN }, T0)).toEqual({ do: "hold", until: T0 + MIN + 10_000 });
    expect(nextStep({ ...base, nextAttemptAt: T0 + 500 }, T0)).toEqual({ do: "attempt" });
    expect(nextStep({ ...base, claimedUntil: T0 - 1 }, T0)).toEqual({ do: "attempt" });
  });
});

describe("where a subscription may point", () => {
  it("https to a public host; http only to loopback and only locally; never credentials, private or loopback hosts over https", () => {
    expect(urlProblem("https://hooks.example.com/leadgate?x=1", false)).toBeNull();
    expect(urlProblem("http://hooks.example.com/", true)).toBe("must be https");
    expect(urlProblem("http://127.0.0.1:8790/b/hooks/post", true)).toBeNull();
    expect(urlProblem("http://127.0.0.1:8790/b/hooks/post", false)).toMatch(/local development only/);
    expect(urlProblem("https://user:pw@hooks.example.com/", false)).toMatch(/credentials/);
    for (const host of ["10.0.0.8", "192.168.1.1", "169.254.169.254", "localhost", "[::1]"])
      expect(urlProblem(`https://${host}/`, false)).toBe("must be a public host");
    expect(urlProblem("ftp://hooks.example.com/", false)).toBe("must be https");
    expect(urlProblem("not a url", false)).toBe("not a URL");
  });
});

const summary = (over: Partial<LeadSummary["lead"]> = {}): LeadSummary => ({
  lead: {
    id: "ld_1",
    campaignId: "cmp_auto",
    sourceId: "src_partner",
    status: "sold",
    reason: null,
    idempotencyKey: null,
    requestHash: null,
    journal: null,
    duplicateOf: null,
    data: JSON.stringify({ first_name: "Pat", email: "pat@example.com", phone: "+14155552671", zip: "94107", homeowner: true }),
    consent: null,
    meta: "{}",
    phoneHash: "h1",
    emailHash: "h2",
    priceCents: 1800,
    payoutCents: 1260,
    marginCents: 540,
    attempts: 0,
    createdAt: T0,
    updatedAt: T0,
    finalAt: T0 + 900,
    redactedAt: null,
    experimentId: null,
    variant: null,
    certUntil: null,
    ...over,
  },
  sales: [{ contractId: "ct_alpha", buyerId: "buy_alpha", buyerName: "Alpha Insurance", priceCents: 1800, payoutCents: 1260 }],
});

describe("event bodies", () => {
  it("a lead's final state is one event with an id from the lead and its status, and no consumer data", () => {
    const e = leadEndedEvent(summary(), T0 + 1000)!;
    expect(e).toMatchObject({ id: "evt_ld_1.lead.sold", type: "lead.sold", leadId: "ld_1", at: T0 + 900 });
    expect(JSON.stringify(e)).not.toMatch(/Pat|pat@example|4155552671|94107/);
    expect(leadEndedEvent(summary({ status: "duplicate" }), T0)).toBeNull();
    expect(leadEndedEvent(summary({ status: "pending" }), T0)).toBeNull();
  });

  it("an automatically approved return is lead.returned then return.decided; a cap's event is one per contract, cap and window", () => {
    const r = {
      id: "rt_1",
      lead_id: "ld_1",
      contract_id: "ct_alpha",
      status: "approved" as const,
      reason: "bad_data",
      price_cents: 1800,
      clawback_cents: 1260,
    };
    const events = returnFiledEvents(r, { id: "ct_alpha", buyerId: "buy_alpha", buyerName: "Alpha" }, "buyer", T0);
    expect(events.map((e) => e.type)).toEqual(["lead.returned", "return.decided"]);
    expect(events[1]!.data).toMatchObject({ status: "approved", credit_cents: 1800, clawback_cents: 1260, automatic: true });
    const cap = (at: number) =>
      capReachedEvent({ id: "ct_alpha", buyerId: "buy_alpha" }, { limit: "cap_day", window: "2026-11-21", timezone: "UTC", max: 5 }, at);
    expect(cap(T0).id).toBe(cap(T0 + 3_600_000).id);
    expect(cap(T0).id).toMatch(/^evt_[A-Za-z0-9_.:-]+$/);
  });

  it("the consumer's fields only for a subscription marked for them, only the listed ones, only on types that may carry them", () => {
    const data = JSON.parse(summary().lead.data) as Record<string, unknown>;
    expect(consumerOf(data)).toEqual({ first_name: "Pat", email: "pat@example.com", phone: "+14155552671", zip: "94107" });
    expect(consumerOf({})).toBeNull();
    expect(carriesConsumer("lead.sold", true)).toBe(true);
    expect(carriesConsumer("lead.sold", false)).toBe(false);
    expect(carriesConsumer("buyer.paused", true)).toBe(false);
    expect(carriesConsumer("webhook.test", true)).toBe(false);
    const body = JSON.parse(envelope({ id: "evt_x", type: "lead.sold", leadId: "ld_1", sequence: 2, body: "{}", createdAt: T0 }, null));
    expect(body).toEqual({
      id: "evt_x",
      type: "lead.sold",
      created_at: new Date(T0).toISOString(),
      lead_id: "ld_1",
      sequence: 2,
      data: {},
    });
  });

  it("every type says whether it is about a lead and may carry consumer data; '*' wants every type", () => {
    for (const [type, info] of Object.entries(EVENT_TYPES)) {
      expect(type).toMatch(/^[a-z]+\.[a-z_]+$/);
      expect(wants(["*"], type)).toBe(true);
      if (info.consumer) expect(info.lead).toBe(true);
    }
    expect(wants(["lead.sold"], "lead.unsold")).toBe(false);
  });
});

describe("CSV", () => {
  it("any row of strings reads back as written (a formula start behind an apostrophe), one CRLF at the end", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 30 }), { minLength: 1, maxLength: 8 }), (values) => {
        const line = csvLine(values);
        expect(line.endsWith("\r\n")).toBe(true);
        const back = parseCsv(line)[0];
        expect(back).toEqual(values.map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v)));
      }),
    );
  });

  it("numbers, nulls and booleans as they are; formulas inert", () => {
    expect(csvLine([1800, -5, null, undefined, true])).toBe("1800,-5,,,true\r\n");
    expect(csvField("=1+1")).toBe("'=1+1");
    expect(csvField('@SUM(A1),"x"')).toBe(`"'@SUM(A1),""x"""`);
  });
});
