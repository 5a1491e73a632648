// The events leadgate tells the rest of the business about (docs/API.md, Webhooks): one list, one
// line per type. Adding a type is adding its line here and an `emit` where it happens; subscriptions,
// the OpenAPI document and the docs' check read this list. Pure.
export interface EventTypeInfo {
  /** About one lead: numbered in the lead's sequence, and ordered per lead for each subscription. */
  lead: boolean;
  /** Subscriptions marked `include_pii` get the consumer's contact fields with it. */
  consumer: boolean;
  about: string;
}

export const EVENT_TYPES = {
  "lead.sold": { lead: true, consumer: true, about: "a lead ended sold: price, payout and who bought it" },
  "lead.unsold": { lead: true, consumer: true, about: "a lead ended unsold: no buyer took it, retries included" },
  "lead.rejected": { lead: true, consumer: true, about: "a lead was refused before any post: suppressed, or a pre-sale check failed" },
  "lead.erased": { lead: true, consumer: false, about: "the consumer was erased before the lead ended: it is never sold" },
  "lead.resold": { lead: true, consumer: true, about: "a returned or aged lead was sold again (one event per sale of a resale)" },
  "lead.returned": { lead: true, consumer: true, about: "a buyer (or an admin for it) returned a lead it bought" },
  "return.decided": { lead: true, consumer: false, about: "a return was approved or denied (automatically or by an admin)" },
  "buyer.paused": { lead: false, consumer: false, about: "a buyer's contract was paused by its circuit breaker or its post meter" },
  "buyer.balance_low": { lead: false, consumer: false, about: "a billed buyer's balance fell below its low-balance threshold" },
  "buyer.paused_for_balance": {
    lead: false,
    consumer: false,
    about: "a billed buyer can no longer pay its least price: it is not pinged until money arrives",
  },
  "buyer.resumed": { lead: false, consumer: false, about: "a buyer paused for its balance can buy again (a deposit, a top-up, a return)" },
  "invoice.issued": { lead: false, consumer: false, about: "an invoice was issued for a buyer's closed period" },
  "rule.changed": {
    lead: false,
    consumer: false,
    about: "a campaign, source, buyer, contract or experiment was changed: by the API, the console, or SQL run outside them",
  },
  "cap.reached": { lead: false, consumer: false, about: "a contract's count cap is used up for its window (once per window)" },
} as const satisfies Record<string, EventTypeInfo>;

export type EventType = keyof typeof EVENT_TYPES;
export const EVENT_TYPE_LIST = Object.keys(EVENT_TYPES) as [EventType, ...EventType[]];

/** Sent to one subscription when an admin asks (POST /admin/webhooks/{id}/test); nobody subscribes to it. */
export const TEST_EVENT = "webhook.test";

/** Does a subscription to `events` want this type? */
export const wants = (events: readonly string[], type: string): boolean => events.includes("*") || events.includes(type);

/** The consumer fields a subscription marked `include_pii` receives, and nothing else of the lead's body. */
export const CONSUMER_FIELDS = ["first_name", "last_name", "email", "phone", "street", "city", "state", "zip"] as const;

/** An event as emitted: what happened, to which lead, and its data (never consumer data). */
export interface EventInput {
  /** Derived from what happened (the same event emitted twice is stored once), or random for a test. */
  id: string;
  type: EventType | typeof TEST_EVENT;
  leadId: string | null;
  data: Record<string, unknown>;
  at: number;
}
