// Events for the rest of the business (docs/API.md, Webhooks): `emit` stores an event and a delivery
// per subscription that wants it, then queues the deliveries (src/queues/webhook-consumer.ts sends
// them). The pipeline calls it after its records are written, off the seller's wait; it never
// throws, so a failure here costs an event, never a lead. An isolate remembers which event types any
// active subscription wants (for RULES_TTL_MS): with no subscriber, emitting costs nothing.
import { leadEndedEvent } from "../events/bodies";
import { wants, type EventInput } from "../events/catalog";
import { queueDelayS } from "../events/delivery";
import type { Records } from "../db/records";
import { errorText, log } from "../lib/log";
import type { WebhookMessage } from "./webhook-queue";

type Defer = (p: Promise<unknown>) => void;

let cache: { at: number; lists: string[][] } | undefined;

/** Forgets the isolate's view of the subscriptions (after an admin changes them; between tests). */
export function forgetSubscriptions(): void {
  cache = undefined;
}

export class Events {
  constructor(
    private readonly records: Records,
    private readonly queue: Queue<WebhookMessage>,
    private readonly ttlMs: number,
    private readonly defer: Defer,
  ) {}

  /** Whether some active subscription wants this type (isolate cache, one small read per RULES_TTL_MS). */
  private async wanted(type: string, now: number): Promise<boolean> {
    if (!cache || now - cache.at >= this.ttlMs) {
      const lists = (await this.records.webhooks.activeEventLists()).map((l) => JSON.parse(l) as string[]);
      cache = { at: now, lists };
    }
    return cache.lists.some((l) => wants(l, type));
  }

  /** Stores the events some subscription wants and queues their deliveries. Never rejects. */
  async emit(events: EventInput[], now = Date.now()): Promise<void> {
    try {
      const wanted: EventInput[] = [];
      for (const e of events) if (await this.wanted(e.type, now)) wanted.push(e);
      if (wanted.length === 0) return;
      const deliveries = await this.records.webhookDeliveries.store(wanted, now);
      await this.enqueue(deliveries.map((d) => d.id));
    } catch (err) {
      log("events_emit_failed", { events: events.map((e) => e.id), error: errorText(err) }, "error");
    }
  }

  /** `emit` after the answer: the events are built (and emitted) in the background. */
  later(events: EventInput[] | Promise<EventInput[]>): void {
    this.defer(
      Promise.resolve(events).then(
        (e) => this.emit(e),
        () => undefined,
      ),
    );
  }

  /** A lead reached its final state (sold, unsold, rejected, erased): its event, from the stored lead. Never rejects. */
  async leadEnded(leadId: string, now = Date.now()): Promise<void> {
    try {
      const types = ["lead.sold", "lead.unsold", "lead.rejected", "lead.erased"];
      let any = false;
      for (const t of types) any ||= await this.wanted(t, now);
      if (!any) return;
      const summary = await this.records.summary(leadId);
      const event = summary && leadEndedEvent(summary, now);
      if (event) await this.emit([event], now);
    } catch (err) {
      log("events_emit_failed", { lead_id: leadId, error: errorText(err) }, "error");
    }
  }

  /** Several leads ended (an erasure): their events, after the answer. */
  leadsEnded(leadIds: string[]): void {
    for (const id of leadIds) this.defer(this.leadEnded(id));
  }

  /** A test event to one subscription, whatever it subscribes to. */
  async test(event: EventInput, subscriptionId: string, now = Date.now()): Promise<string | null> {
    const [delivery] = await this.records.webhookDeliveries.store([event], now, subscriptionId);
    if (delivery) await this.enqueue([delivery.id]);
    return delivery?.id ?? null;
  }

  /** Queues deliveries to be attempted at `at` (now by default); a wait over 12 h comes back early and is chained. */
  async enqueue(deliveryIds: string[], at?: number, now = Date.now()): Promise<void> {
    const delaySeconds = at === undefined ? 0 : queueDelayS(at, now);
    for (let i = 0; i < deliveryIds.length; i += 100)
      await this.queue.sendBatch(
        deliveryIds.slice(i, i + 100).map((deliveryId) => ({
          body: { kind: "webhook_delivery" as const, deliveryId },
          ...(delaySeconds > 0 ? { delaySeconds } : {}),
        })),
      );
  }
}
