// Helpers for the webhook suites: the admin API, the deliveries in D1, the webhook consumer driven
// with message batches at a chosen time, and what the loopback receiver (mock buyer "hooks") got.
import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { dbOf } from "../../src/db/client";
import { Records } from "../../src/db/records";
import { handleWebhookBatch } from "../../src/queues/webhook-consumer";
import type { WebhookMessage } from "../../src/services/webhook-queue";
import { ADMIN, eventually, gateway, received } from "./helpers";

export const HOOK_SECRET = "whsec_test_0123456789abcdef0123456789abcdef";
export const hookUrl = (name = "hooks") => `${env.BUYERS_URL}/b/${name}/post`;

export async function admin<T>(path: string, method = "GET", body?: unknown): Promise<{ status: number; body: T }> {
  const res = await gateway(path, { method, headers: ADMIN, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: res.status === 204 ? (undefined as T) : await res.json<T>() };
}

export const subscribe = async (body: Record<string, unknown>) =>
  (await admin<{ id: string; secret: string }>("/admin/webhooks", "POST", { url: hookUrl(), secret: HOOK_SECRET, ...body })).body;

export interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  type: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
}

export const deliveries = async () =>
  (
    await env.DB.prepare(
      `SELECT d.id, d.subscription_id, d.event_id, e.type, d.status, d.attempts, d.next_attempt_at, d.last_error
       FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id ORDER BY e.created_at, e.sequence, d.created_at`,
    ).all<DeliveryRow>()
  ).results;

/** Waits until there are `n` deliveries (emits run after the answer). */
export const deliveriesOf = (n: number) =>
  eventually(async () => {
    const d = await deliveries();
    return d.length >= n ? d : undefined;
  });

/** Runs the webhook consumer over these deliveries' messages, at `now`. */
export async function deliver(ids: string[], now = Date.now(), over: Partial<typeof env> = {}): Promise<void> {
  const batch = createMessageBatch<WebhookMessage>(
    "leadgate-webhooks",
    ids.map((deliveryId, i) => ({ id: `w${i}`, timestamp: new Date(), attempts: 1, body: { kind: "webhook_delivery", deliveryId } })),
  );
  const ctx = createExecutionContext();
  await handleWebhookBatch(batch as MessageBatch<unknown>, { ...env, ...over }, ctx, () => now);
  await waitOnExecutionContext(ctx);
}

export const hooksReceived = async (name = "hooks") => (await received(name)).filter((r) => r.kind === "post");

export const records = () => new Records(dbOf(env.DB));
