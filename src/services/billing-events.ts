// What the wallets and the books tell the rest of the exchange: a buyer's balance fell below its
// threshold, a buyer was paused for its balance or buys again, an invoice was issued. Each is a
// lead-independent event row (billing_events), a log line, and an event for the webhooks
// (buyer.balance_low, buyer.paused_for_balance, buyer.resumed, invoice.issued).
import type { Records } from "../db/records";
import { billingEvent } from "../events/bodies";
import { log } from "../lib/log";
import type { WalletNotice } from "../objects/buyer-wallet";
import type { Events } from "./events";

/** Where billing news goes: the records, and the event webhooks. */
export interface BillingSinks {
  records: Records;
  events: Pick<Events, "emit">;
}

export interface BillingEvent {
  buyerId: string;
  kind: "balance_low" | "paused_for_balance" | "resumed" | "invoice_issued";
  at: number;
  detail: Record<string, unknown>;
}

/** A buyer's balance crossed below its low-balance threshold. */
export async function onBalanceLow(sinks: BillingSinks, e: BillingEvent): Promise<void> {
  await record(sinks, e, "warn");
}

/** A billed buyer's balance can't cover its least price: it is not pinged until money arrives. */
export async function onBuyerPausedForBalance(sinks: BillingSinks, e: BillingEvent): Promise<void> {
  await record(sinks, e, "warn");
}

/** A buyer paused for its balance can buy again (a deposit, a top-up, a return). */
export async function onBuyerResumed(sinks: BillingSinks, e: BillingEvent): Promise<void> {
  await record(sinks, e, "info");
}

/** An invoice was issued for a buyer's period. */
export async function onInvoiceIssued(sinks: BillingSinks, e: BillingEvent): Promise<void> {
  await record(sinks, e, "info");
}

async function record(sinks: BillingSinks, e: BillingEvent, level: "info" | "warn"): Promise<void> {
  log(e.kind, { buyer_id: e.buyerId, ...e.detail }, level);
  await sinks.records.billing.recordEvents([e]);
  await sinks.events.emit([billingEvent(e)]);
}

/** The wallets' notices as events, each through its named function. */
export async function walletNotices(sinks: BillingSinks, buyerId: string, notices: WalletNotice[]): Promise<void> {
  for (const n of notices) {
    const e: BillingEvent = {
      buyerId,
      kind: n.kind,
      at: n.at,
      detail: { balance_cents: n.balanceCents, available_cents: n.availableCents, limit_cents: n.limitCents },
    };
    if (n.kind === "balance_low") await onBalanceLow(sinks, e);
    else if (n.kind === "paused_for_balance") await onBuyerPausedForBalance(sinks, e);
    else await onBuyerResumed(sinks, e);
  }
}
