// The events' bodies, built from what happened: plain data in, an event out (ids, statuses, money in
// cents, reasons), never the consumer's data, which only a subscription marked for it gets, added at
// delivery (./delivery.ts). Ids are derived from what happened, so emitting the same thing twice (a
// redelivered message, two isolates learning one cap) is one event. Pure.
import type { LeadSummary } from "../lead/response";
import type { EventInput, EventType } from "./catalog";

const iso = (ms: number) => new Date(ms).toISOString();
/** An event id from what it is about: readable, and safe in a header or a URL. */
export const eventId = (subject: string, type: string) => `evt_${subject.replace(/[^A-Za-z0-9_.:-]/g, "_")}.${type}`;

const FINAL: Partial<Record<string, EventType>> = {
  sold: "lead.sold",
  unsold: "lead.unsold",
  rejected: "lead.rejected",
  erased: "lead.erased",
};

/** The event of a lead's final state (none for duplicates, or while it is not final). */
export function leadEndedEvent(s: LeadSummary, now: number): EventInput | null {
  const { lead } = s;
  const type = FINAL[lead.status];
  if (!type) return null;
  const at = lead.finalAt ?? now;
  return {
    id: eventId(lead.id, type),
    type,
    leadId: lead.id,
    at,
    data: {
      lead_id: lead.id,
      status: lead.status,
      campaign_id: lead.campaignId,
      source_id: lead.sourceId,
      reason: lead.reason,
      price_cents: lead.priceCents,
      payout_cents: lead.payoutCents,
      margin_cents: lead.marginCents,
      buyers: s.sales.map((x) => ({ contract_id: x.contractId, buyer_id: x.buyerId, buyer: x.buyerName, price_cents: x.priceCents })),
      retries: lead.attempts,
      received_at: iso(lead.createdAt),
      final_at: iso(at),
    },
  };
}

/** A return as events see it. */
export interface ReturnFacts {
  id: string;
  lead_id: string;
  contract_id: string;
  status: "pending" | "approved" | "denied";
  reason: string;
  price_cents: number;
  clawback_cents: number;
}

/** Who a contract belongs to. */
export interface ContractFacts {
  id: string;
  buyerId: string;
  buyerName: string;
}

/** A return was filed: `lead.returned`, and `return.decided` too when the rules approved it at once. */
export function returnFiledEvents(r: ReturnFacts, c: ContractFacts, by: "buyer" | "admin", at: number): EventInput[] {
  const returned: EventInput = {
    id: eventId(r.id, "lead.returned"),
    type: "lead.returned",
    leadId: r.lead_id,
    at,
    data: {
      return_id: r.id,
      lead_id: r.lead_id,
      contract_id: r.contract_id,
      buyer_id: c.buyerId,
      buyer: c.buyerName,
      reason: r.reason,
      status: r.status,
      requested_by: by,
      price_cents: r.price_cents,
      clawback_cents: r.clawback_cents,
    },
  };
  return r.status === "pending" ? [returned] : [returned, returnDecidedEvent(r, true, at)];
}

/** A return's decision: approved (the buyer credited, the source's payout taken back) or denied. */
export function returnDecidedEvent(r: ReturnFacts, automatic: boolean, at: number): EventInput {
  const approved = r.status === "approved";
  return {
    id: eventId(r.id, "return.decided"),
    type: "return.decided",
    leadId: r.lead_id,
    at,
    data: {
      return_id: r.id,
      lead_id: r.lead_id,
      contract_id: r.contract_id,
      status: r.status,
      credit_cents: approved ? r.price_cents : 0,
      clawback_cents: approved ? r.clawback_cents : 0,
      automatic,
    },
  };
}

/** A contract paused: by the cron's circuit breaker, or at once by its post meter. One event per pause. */
export function buyerPausedEvent(
  c: ContractFacts,
  pause: { since: number; until: number | null; reason: string | null },
  by: "circuit_breaker" | "post_meter",
): EventInput {
  return {
    id: eventId(`${c.id}.${pause.since}`, "buyer.paused"),
    type: "buyer.paused",
    leadId: null,
    at: pause.since,
    data: {
      contract_id: c.id,
      buyer_id: c.buyerId,
      buyer: c.buyerName,
      by,
      reason: pause.reason,
      since: iso(pause.since),
      until: pause.until === null ? null : iso(pause.until),
    },
  };
}

/** A contract's count cap used up for its window: one event per contract, cap and window. */
export function capReachedEvent(
  c: { id: string; buyerId: string | null },
  cap: { limit: string; window: string; timezone: string; max: number | null },
  at: number,
): EventInput {
  return {
    id: eventId(`${c.id}.${cap.limit}.${cap.window}`, "cap.reached"),
    type: "cap.reached",
    leadId: null,
    at,
    data: {
      contract_id: c.id,
      buyer_id: c.buyerId,
      limit: cap.limit,
      cap: cap.max,
      window: cap.window,
      timezone: cap.timezone,
    },
  };
}

/** A buyer's money: its balance ran low, it was paused for it or resumed, an invoice was issued. One event per occurrence. */
export function billingEvent(e: {
  buyerId: string;
  kind: "balance_low" | "paused_for_balance" | "resumed" | "invoice_issued";
  at: number;
  detail: Record<string, unknown>;
}): EventInput {
  const type = e.kind === "invoice_issued" ? "invoice.issued" : (`buyer.${e.kind}` as const);
  // An invoice is one event whenever it is told; a wallet's notice is one per buyer, kind and moment.
  const subject = e.kind === "invoice_issued" ? String(e.detail.invoice_id) : `${e.buyerId}.${e.at}`;
  return { id: eventId(subject, type), type, leadId: null, at: e.at, data: { buyer_id: e.buyerId, ...e.detail, at: iso(e.at) } };
}

/** One sale of a resale: the lead sold again, to whom, at what price, and why it was offered. */
export function leadResoldEvent(
  s: {
    resaleId: string;
    leadId: string;
    campaignId: string;
    sourceId: string;
    contractId: string;
    reason: string;
    tierDays: number;
    priceCents: number;
    payoutCents: number;
    marginCents: number;
  },
  at: number,
): EventInput {
  return {
    id: eventId(`${s.resaleId}.${s.contractId}`, "lead.resold"),
    type: "lead.resold",
    leadId: s.leadId,
    at,
    data: {
      lead_id: s.leadId,
      resale_id: s.resaleId,
      campaign_id: s.campaignId,
      source_id: s.sourceId,
      contract_id: s.contractId,
      reason: s.reason,
      tier_days: s.tierDays,
      price_cents: s.priceCents,
      payout_cents: s.payoutCents,
      margin_cents: s.marginCents,
      sold_at: iso(at),
    },
  };
}

/** A change to the rules, from the audit trail (what and who; the row itself is at GET /admin/audit). */
export function ruleChangedEvent(c: {
  id: number;
  at: number;
  actor: string;
  via: string;
  tableName: string;
  rowId: string;
  action: string;
  version: number | null;
}): EventInput {
  return {
    id: eventId(`rule_change_${c.id}`, "rule.changed"),
    type: "rule.changed",
    leadId: null,
    at: c.at,
    data: {
      change_id: c.id,
      table: c.tableName,
      row_id: c.rowId,
      action: c.action,
      version: c.version,
      actor: c.actor,
      via: c.via,
      at: iso(c.at),
    },
  };
}

/** The test event an admin sends one subscription. */
export const testEvent = (id: string, subscriptionId: string, at: number): EventInput => ({
  id,
  type: "webhook.test",
  leadId: null,
  at,
  data: { subscription_id: subscriptionId, message: "a test event from leadgate: answer 2xx to acknowledge it" },
});
