// What the wallets and the books tell the rest of the exchange: a buyer's balance fell below its
// threshold, a buyer was paused for its balance or buys again, an invoice was issued. Each is a
// lead-independent event row (billing_events) and a log line now; the named functions below are
// where the webhooks will be wired (one per event kind).
import type { Records } from "../db/records";
import { log } from "../lib/log";
import type { WalletNotice } from "../objects/buyer-wallet";

export interface BillingEvent {
  buyerId: string;
  kind: "balance_low" | "paused_for_balance" | "resumed" | "invoice_issued";
  at: number;
  detail: Record<string, unknown>;
}

/** A buyer's balance crossed below its low-balance threshold. Webhook: to wire at merge. */
export async function onBalanceLow(records: Records, e: BillingEvent): Promise<void> {
  await record(records, e, "warn");
}

/** A billed buyer's balance can't cover its least price: it is not pinged until money arrives. Webhook: to wire. */
export async function onBuyerPausedForBalance(records: Records, e: BillingEvent): Promise<void> {
  await record(records, e, "warn");
}

/** A buyer paused for its balance can buy again (a deposit, a top-up, a return). Webhook: to wire. */
export async function onBuyerResumed(records: Records, e: BillingEvent): Promise<void> {
  await record(records, e, "info");
}

/** An invoice was issued for a buyer's period. Webhook: to wire at merge. */
export async function onInvoiceIssued(records: Records, e: BillingEvent): Promise<void> {
  await record(records, e, "info");
}

async function record(records: Records, e: BillingEvent, level: "info" | "warn"): Promise<void> {
  log(e.kind, { buyer_id: e.buyerId, ...e.detail }, level);
  await records.billing.recordEvents([e]);
}

/** The wallets' notices as events, each through its named function. */
export async function walletNotices(records: Records, buyerId: string, notices: WalletNotice[]): Promise<void> {
  for (const n of notices) {
    const e: BillingEvent = {
      buyerId,
      kind: n.kind,
      at: n.at,
      detail: { balance_cents: n.balanceCents, available_cents: n.availableCents, limit_cents: n.limitCents },
    };
    if (n.kind === "balance_low") await onBalanceLow(records, e);
    else if (n.kind === "paused_for_balance") await onBuyerPausedForBalance(records, e);
    else await onBuyerResumed(records, e);
  }
}
