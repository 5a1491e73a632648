// Delivering an event, pure: where a subscription may point, what is sent (the envelope), what an
// answer means, and when to try again. The retry schedule: after attempt n fails, wait 30 s x 4^(n-1)
// (30 s, 2 min, 8 min, 32 min, 2 h 8 min, 8 h 32 min), and the last attempt 24 h after the first:
// 8 attempts, then the delivery has failed. Queues delay a message at most 12 h, so a longer wait is
// chained: the message comes back early and is sent again for the rest.
import { CONSUMER_FIELDS, EVENT_TYPES, type EventType } from "./catalog";

export const RETRY_BASE_MS = 30_000;
export const RETRY_FACTOR = 4;
/** How long after the first attempt the last one is made. */
export const RETRY_SPAN_MS = 24 * 3_600_000;
/** The longest delay a queue message takes (Cloudflare Queues: 12 h). */
export const MAX_QUEUE_DELAY_S = 12 * 3600;
/** A failed answer's body is read up to this, for the log's excerpt; a receiver can't make us read more. */
export const MAX_ANSWER_BYTES = 4096;
/** How much of it the log keeps. */
export const EXCERPT_CHARS = 200;

/** When the attempt after `attempt` (1-based) is due, or null: the day is over, give up. */
export function nextAttemptAt(attempt: number, firstAttemptAt: number, now: number): number | null {
  const last = firstAttemptAt + RETRY_SPAN_MS;
  if (now >= last) return null;
  const wait = RETRY_BASE_MS * RETRY_FACTOR ** Math.max(0, attempt - 1);
  return Math.min(now + wait, last);
}

/** The queue delay (seconds) that brings a message back at `at`: at most 12 h, so later means a chain. */
export const queueDelayS = (at: number, now: number): number => Math.min(MAX_QUEUE_DELAY_S, Math.max(0, Math.ceil((at - now) / 1000)));

/** A delivery's state when its message arrives. */
export interface DeliveryState {
  status: "pending" | "delivered" | "failed";
  subscriptionStatus: "active" | "paused";
  nextAttemptAt: number | null;
  claimedUntil: number | null;
  /** Earlier events of the same lead to the same subscription that are still pending, and their latest next attempt. */
  earlierPending: number;
  earlierNextAt: number | null;
}

export type Step = { do: "nothing" } | { do: "wait"; until: number } | { do: "park" } | { do: "hold"; until: number } | { do: "attempt" };

/** A message this early is close enough (queue delays are whole seconds). */
const EARLY_SLACK_MS = 1000;
/** A later event of a lead waits this long past its earlier one's next attempt, then looks again. */
export const HOLD_AFTER_MS = 10_000;

/**
 * What a delivery's message does: nothing (it is finished, gone, or another consumer is sending it),
 * wait (it came early: a chained delay), park (its subscription is paused: resuming makes it due),
 * hold (an earlier event of its lead is still pending to this subscription: a lead's events arrive in
 * their order), or attempt it.
 */
export function nextStep(d: DeliveryState | null, now: number): Step {
  if (!d || d.status !== "pending") return { do: "nothing" };
  if (d.subscriptionStatus === "paused") return { do: "park" };
  if (d.claimedUntil !== null && d.claimedUntil > now) return { do: "nothing" };
  if (d.nextAttemptAt !== null && d.nextAttemptAt > now + EARLY_SLACK_MS) return { do: "wait", until: d.nextAttemptAt };
  if (d.earlierPending > 0) return { do: "hold", until: Math.max(now, d.earlierNextAt ?? now) + HOLD_AFTER_MS };
  return { do: "attempt" };
}

/** How one attempt went: the receiver's HTTP status, or no answer. */
export type AttemptResult = { kind: "answer"; status: number; excerpt?: string } | { kind: "timeout" | "error"; reason: string };

export type Verdict =
  { outcome: "delivered" } | { outcome: "retry"; at: number; error: string | null } | { outcome: "failed"; error: string };

const describe = (r: AttemptResult) => (r.kind !== "answer" ? r.reason : `HTTP ${r.status}${r.excerpt ? `: ${r.excerpt}` : ""}`);

/**
 * 2xx: delivered. 3xx: failed (never followed: we send only to the subscription's own URL). 408, 429,
 * 5xx, a timeout or a connection error: retried on the schedule. Any other 4xx: failed (the receiver
 * refuses it; retrying would not change that). "send again" starts a new day of retries.
 */
export function judge(r: AttemptResult, attempt: number, firstAttemptAt: number, now: number): Verdict {
  if (r.kind === "answer" && r.status >= 200 && r.status < 300) return { outcome: "delivered" };
  if (r.kind === "answer" && r.status >= 300 && r.status < 400)
    return { outcome: "failed", error: `redirected (HTTP ${r.status}): not followed` };
  const retryable = r.kind !== "answer" || r.status >= 500 || r.status === 408 || r.status === 429;
  if (!retryable) return { outcome: "failed", error: `refused (${describe(r)})` };
  const at = nextAttemptAt(attempt, firstAttemptAt, now);
  if (at === null) return { outcome: "failed", error: `retries exhausted after ${attempt} attempts; last: ${describe(r)}` };
  return { outcome: "retry", at, error: describe(r) };
}

/** Hosts a subscription may use over plain http, and only outside production: a local receiver. */
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const PRIVATE_V4 = /^(10\.|127\.|169\.254\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|0\.)/;

/** Why a subscription may not point there, or null: https to a public host (http to loopback when `local`). */
export function urlProblem(raw: string, local: boolean): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (u.username || u.password) return "must not carry credentials";
  if (u.hash) return "must not have a fragment";
  if (u.protocol === "http:" && LOOPBACK.has(u.hostname)) return local ? null : "http to loopback is for local development only";
  if (u.protocol !== "https:") return "must be https";
  if (LOOPBACK.has(u.hostname) || PRIVATE_V4.test(u.hostname) || u.hostname.startsWith("[")) return "must be a public host";
  return null;
}

/** A stored event as its receiver gets it. */
export interface StoredEvent {
  id: string;
  type: string;
  leadId: string | null;
  sequence: number | null;
  body: string;
  createdAt: number;
}

/** The consumer's contact fields from a lead's stored body (none once it is redacted). */
export function consumerOf(data: Record<string, unknown>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const f of CONSUMER_FIELDS) if (Object.hasOwn(data, f) && data[f] !== undefined) out[f] = data[f];
  return Object.keys(out).length > 0 ? out : null;
}

/** Does this delivery carry the consumer: a subscription marked for it, and an event type that may. */
export const carriesConsumer = (type: string, includePii: boolean): boolean =>
  includePii && type in EVENT_TYPES && EVENT_TYPES[type as EventType].consumer;

/** The JSON body a receiver gets: the event's id (its idempotency key), type, time, lead and sequence, and data. */
export function envelope(e: StoredEvent, consumer: Record<string, unknown> | null): string {
  return JSON.stringify({
    id: e.id,
    type: e.type,
    created_at: new Date(e.createdAt).toISOString(),
    lead_id: e.leadId,
    sequence: e.sequence,
    data: JSON.parse(e.body) as unknown,
    ...(consumer ? { consumer } : {}),
  });
}
