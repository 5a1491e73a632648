// Webhook subscriptions as an admin manages them (src/http/routes/admin-webhooks.ts): created with
// the caller's secret or a generated one, changed (a new secret keeps the old one signing for a day,
// so the receiver can switch without losing a delivery), paused and resumed (resuming queues what
// waited). Every change is seen by this isolate at once and by the others within RULES_TTL_MS.
import type { SubscriptionChange } from "../db/webhooks";
import type { WebhookSubscriptionRow } from "../db/schema";
import { newId, randomSecret } from "../lib/ids";
import { forgetSubscriptions } from "./events";
import type { Services } from ".";

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_MS = 24 * 3_600_000;

type Svc = Pick<Services, "records" | "events">;

export interface NewSubscriptionInput {
  url: string;
  events: string[];
  secret?: string;
  includePii: boolean;
  description: string | null;
}

/** The subscription and its secret (shown once). */
export async function createSubscription(svc: Svc, input: NewSubscriptionInput, now = Date.now()) {
  const secret = input.secret ?? randomSecret("whsec_");
  const row = await svc.records.webhooks.create(
    {
      id: newId("wh"),
      url: input.url,
      events: JSON.stringify(input.events),
      secret,
      includePii: input.includePii,
      description: input.description,
    },
    now,
  );
  forgetSubscriptions();
  return { row, secret };
}

export interface ChangeInput {
  url?: string;
  events?: string[];
  includePii?: boolean;
  description?: string | null;
  status?: "active" | "paused";
  /** A new secret: the given one, or a generated one (`true`). */
  secret?: string | true;
}

/** The changed subscription (null: none), and its new secret when one was generated. */
export async function changeSubscription(svc: Svc, id: string, ch: ChangeInput, now = Date.now()) {
  const secret = ch.secret === true ? randomSecret("whsec_") : ch.secret;
  const change: SubscriptionChange = {
    ...(ch.url !== undefined ? { url: ch.url } : {}),
    ...(ch.events !== undefined ? { events: JSON.stringify(ch.events) } : {}),
    ...(ch.includePii !== undefined ? { includePii: ch.includePii } : {}),
    ...(ch.description !== undefined ? { description: ch.description } : {}),
    ...(ch.status !== undefined ? { status: ch.status } : {}),
    ...(secret !== undefined ? { secret: { value: secret, previousUntil: now + ROTATION_MS } } : {}),
  };
  const row = await svc.records.webhooks.update(id, change, now);
  forgetSubscriptions();
  if (row && ch.status === "active") await resumeDeliveries(svc, row, now);
  return { row, secret: ch.secret === true ? secret : undefined };
}

/** A resumed subscription's deliveries that waited are due now. */
async function resumeDeliveries(svc: Svc, row: WebhookSubscriptionRow, now: number): Promise<void> {
  const due = await svc.records.webhookDeliveries.resume(row.id, now, 1000);
  await svc.events.enqueue(due);
}

export async function deleteSubscription(svc: Svc, id: string): Promise<boolean> {
  const gone = await svc.records.webhooks.remove(id);
  forgetSubscriptions();
  return gone;
}
