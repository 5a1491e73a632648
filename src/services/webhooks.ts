// Sending one webhook delivery (src/queues/webhook-consumer.ts calls it per message): its state
// decides what the message does (./../events/delivery.ts nextStep); an attempt is claimed first (a
// repeated message sends nothing twice at once), signed like a buyer request (v3, "from-leadgate",
// under the subscription's secret, and its previous one during a rotation), sent to the
// subscription's URL only (no redirect followed, within the timeout, at most 4 KB of a failed answer
// read), recorded in the delivery log, and judged: delivered, retried later, or failed.
import { signatureHeaders } from "../buyers/signature";
import type { Records } from "../db/records";
import type { DueDelivery } from "../db/webhook-deliveries";
import {
  carriesConsumer,
  consumerOf,
  envelope,
  EXCERPT_CHARS,
  judge,
  MAX_ANSWER_BYTES,
  nextStep,
  urlProblem,
  type AttemptResult,
  type Step,
  type Verdict,
} from "../events/delivery";
import { log } from "../lib/log";
import { readCapped } from "../lib/stream";

type Svc = { records: Records };

/** What the message does next: nothing more (ack), or come back at `at`. */
export type AfterMessage = { ack: true } | { at: number };

export interface DeliveryOptions {
  now: number;
  timeoutMs: number;
  /** Development: http to a loopback receiver is allowed. */
  local: boolean;
}

const USER_AGENT = "leadgate-webhooks/1";

export async function deliverWebhook(svc: Svc, deliveryId: string, o: DeliveryOptions): Promise<AfterMessage> {
  const store = svc.records.webhookDeliveries;
  const d = await store.load(deliveryId);
  const step: Step = nextStep(
    d && {
      status: d.status,
      subscriptionStatus: d.subscription_status,
      nextAttemptAt: d.next_attempt_at,
      claimedUntil: d.claimed_until,
      earlierPending: Number(d.earlier_pending),
      earlierNextAt: d.earlier_next_at,
    },
    o.now,
  );
  switch (step.do) {
    case "nothing":
      return { ack: true };
    case "wait":
      return { at: step.until };
    case "park":
      await store.postpone(deliveryId, null, "subscription paused", o.now);
      return { ack: true };
    case "hold":
      await store.postpone(deliveryId, step.until, "held: an earlier event of this lead is still pending", o.now);
      return { at: step.until };
  }
  if (!d || !(await store.claim(deliveryId, o.now, o.now + o.timeoutMs + 30_000))) return { ack: true };
  return attempt(svc, d, o);
}

async function attempt(svc: Svc, d: DueDelivery, o: DeliveryOptions): Promise<AfterMessage> {
  const n = d.attempts + 1;
  const first = d.first_attempt_at ?? o.now;
  const problem = urlProblem(d.url, o.local);
  const refused = problem && `not sent: the URL ${problem}`;
  const { result, latencyMs }: { result: AttemptResult; latencyMs: number } = refused
    ? { result: { kind: "error", reason: refused }, latencyMs: 0 }
    : await post(d.url, await bodyOf(svc, d), d, o);
  const verdict: Verdict = refused ? { outcome: "failed", error: refused } : judge(result, n, first, o.now + latencyMs);
  await svc.records.webhookDeliveries.recordAttempt({
    deliveryId: d.id,
    subscriptionId: d.subscription_id,
    attempt: n,
    outcome: verdict.outcome,
    httpStatus: result.kind === "answer" ? result.status : null,
    error: verdict.outcome === "delivered" ? null : verdict.error,
    latencyMs,
    nextAttemptAt: verdict.outcome === "retry" ? verdict.at : null,
    firstAttemptAt: first,
    at: o.now,
  });
  log("webhook_attempt", { delivery: d.id, subscription: d.subscription_id, event_id: d.event_id, attempt: n, outcome: verdict.outcome });
  return verdict.outcome === "retry" ? { at: verdict.at } : { ack: true };
}

/** The envelope, with the consumer's fields when the subscription is marked for them and the lead still has them. */
async function bodyOf(svc: Svc, d: DueDelivery): Promise<string> {
  const event = { id: d.event_id, type: d.type, leadId: d.lead_id, sequence: d.sequence, body: d.body, createdAt: d.event_at };
  if (!d.lead_id || !carriesConsumer(d.type, Boolean(d.include_pii))) return envelope(event, null);
  const lead = await svc.records.lead(d.lead_id);
  const data = lead && lead.redactedAt === null ? (JSON.parse(lead.data) as Record<string, unknown>) : {};
  return envelope(event, consumerOf(data));
}

const decoder = new TextDecoder();

/** One signed POST, never following a redirect, within the timeout (headers and any body read). */
async function post(url: string, body: string, d: DueDelivery, o: DeliveryOptions): Promise<{ result: AttemptResult; latencyMs: number }> {
  const rotating = d.secret_previous !== null && (d.secret_previous_until ?? 0) > o.now;
  const secrets = rotating ? [d.secret, d.secret_previous!] : [d.secret];
  const headers = {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    "x-leadgate-event-id": d.event_id,
    "x-leadgate-event-type": d.type,
    "x-leadgate-delivery-id": d.id,
    "x-leadgate-attempt": String(d.attempts + 1),
    ...(await signatureHeaders({ secrets, v2: false }, "POST", url, body, o.now)),
  };
  const started = Date.now();
  const signal = AbortSignal.timeout(Math.max(1, o.timeoutMs));
  try {
    const res = await fetch(url, { method: "POST", body, headers, redirect: "manual", signal });
    let excerpt: string | undefined;
    if (res.status >= 200 && res.status < 300) await res.body?.cancel().catch(() => {});
    else {
      const bytes = await readCapped(res.body, MAX_ANSWER_BYTES).catch(() => undefined);
      excerpt = bytes && decoder.decode(bytes).replace(/\s+/g, " ").trim().slice(0, EXCERPT_CHARS);
    }
    return { result: { kind: "answer", status: res.status, ...(excerpt ? { excerpt } : {}) }, latencyMs: Date.now() - started };
  } catch (err) {
    const latencyMs = Date.now() - started;
    if (signal.aborted) return { result: { kind: "timeout", reason: `no answer within ${o.timeoutMs} ms` }, latencyMs };
    return { result: { kind: "error", reason: `connection failed: ${(err as Error).message}`.slice(0, 200) }, latencyMs };
  }
}
