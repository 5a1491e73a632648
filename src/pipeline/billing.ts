// Money in and out of the books, as the admin API and Stripe's webhook ask: a deposit, an adjustment,
// a payment to a source, a Stripe top-up, a buyer's billing settings, an invoice. Each books the
// ledger first (idempotent per key, refused inside an invoiced period), then tells the buyer's wallet
// to read the ledger again, so a buyer paused for its balance buys again at once.
import { adjustmentLegs, depositKey, depositLegs, paymentKey, sourcePaymentLegs, stripeKey, type AdjustmentKind } from "../billing/ledger";
import type { Period } from "../billing/money-text";
import { topUpOf, type StripeEvent } from "../billing/stripe";
import { walletSettingsOf, type BillingMode } from "../billing/wallet";
import type { BuyerBilling } from "../db/billing";
import type { Booked, Booking } from "../db/ledger";
import type { InvoiceRow } from "../db/schema";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import type { WalletView } from "../objects/buyer-wallet";
import type { Services } from "../services";
import { onInvoiceIssued } from "../services/billing-events";

/** The buyer's wallet reads the ledger again (billed buyers only); its view, or null for billing none. */
export async function walletAfterCredit(svc: Services, b: BuyerBilling): Promise<WalletView | null> {
  const settings = walletSettingsOf(b);
  return settings ? svc.wallets.credited(b.id, settings, b.leastPriceCents) : null;
}

export interface MoneyIn {
  amountCents: number;
  reference: string;
  at: number;
  by: string;
}

/** An admin records a buyer's payment: buyer +, cash −, once per reference. */
export async function deposit(svc: Services, b: BuyerBilling, m: MoneyIn): Promise<Booked> {
  const booked = await svc.records.ledger.book({
    key: depositKey(b.id, m.reference),
    kind: "deposit",
    legs: depositLegs(m.amountCents),
    buyerId: b.id,
    at: m.at,
    reference: m.reference,
    bookedBy: `admin:${m.by}`,
  });
  if (booked.result !== "period_closed") await walletAfterCredit(svc, b);
  return booked;
}

/** A credit, write-off or charge on a buyer's account, with its reason and who made it. */
export async function adjust(svc: Services, b: BuyerBilling, kind: AdjustmentKind, m: MoneyIn & { reason: string }): Promise<Booked> {
  const booking: Booking = {
    key: `adjust:${b.id}:${m.reference}`,
    kind,
    legs: adjustmentLegs(kind, m.amountCents),
    buyerId: b.id,
    at: m.at,
    reference: m.reference,
    memo: m.reason,
    bookedBy: `admin:${m.by}`,
  };
  const booked = await svc.records.ledger.book(booking);
  if (booked.result !== "period_closed") await walletAfterCredit(svc, b);
  return booked;
}

/** The exchange paid a source what it owed: source −, cash +, once per reference. */
export function payToSource(svc: Services, sourceId: string, m: MoneyIn): Promise<Booked> {
  return svc.records.ledger.book({
    key: paymentKey(sourceId, m.reference),
    kind: "payment",
    legs: sourcePaymentLegs(m.amountCents),
    sourceId,
    at: m.at,
    reference: m.reference,
    bookedBy: `admin:${m.by}`,
  });
}

/** A buyer's billing settings changed: its wallet reads the ledger under the new ones. */
export async function setBilling(
  svc: Services,
  id: string,
  s: { billing: BillingMode; creditLimitCents: number; lowBalanceCents: number | null },
): Promise<{ buyer: BuyerBilling; wallet: WalletView | null }> {
  await svc.records.billing.setBilling(id, s);
  const b = (await svc.records.billing.buyer(id))!;
  return { buyer: b, wallet: await walletAfterCredit(svc, b) };
}

export type StripeOutcome =
  | { outcome: "credited"; buyerId: string; amountCents: number }
  | { outcome: "duplicate" }
  | { outcome: "replayed" }
  | { outcome: "ignored"; reason: string }
  | { outcome: "unknown_buyer"; buyerId: string };

/**
 * A verified Stripe event: a top-up is booked once per payment (and the event once per id). The same
 * event signed at the same instant again is a replay (refused); signed again later, Stripe's
 * redelivery (answered 200, nothing booked).
 */
export async function stripeEvent(svc: Services, e: StripeEvent, signedAt: number, now: number): Promise<StripeOutcome> {
  const seen = await svc.records.billing.stripeEvent(e.id);
  if (seen) return seen.signedAt === signedAt ? { outcome: "replayed" } : { outcome: "duplicate" };
  const topUp = topUpOf(e);
  const b = "ignored" in topUp ? undefined : await svc.records.billing.buyer(topUp.buyerId);
  if (!("ignored" in topUp) && !b) return { outcome: "unknown_buyer", buyerId: topUp.buyerId };
  const credit = "ignored" in topUp ? null : { ...topUp, key: stripeKey(topUp.paymentId) };
  const fresh = await svc.records.billing.recordStripeEvent({ eventId: e.id, type: e.type, signedAt, at: now, credit });
  if (!fresh) return { outcome: "duplicate" };
  if ("ignored" in topUp) return { outcome: "ignored", reason: topUp.ignored };
  log("stripe_topup", { buyer_id: topUp.buyerId, amount_cents: topUp.amountCents, event: e.id });
  await walletAfterCredit(svc, b!);
  return { outcome: "credited", buyerId: topUp.buyerId, amountCents: topUp.amountCents };
}

export type Invoiced = { result: "issued"; invoice: InvoiceRow } | { result: "overlap" };

/** Closes a buyer's period into the next numbered invoice (read again if the ledger moved meanwhile). */
export async function issueInvoice(svc: Services, buyerId: string, period: Period, now: number): Promise<Invoiced> {
  for (let attempt = 0; ; attempt++) {
    const figures = await svc.records.invoices.figures(buyerId, period);
    const res = await svc.records.invoices.issue({ id: newId("inv"), buyerId, period, issuedAt: now, figures });
    if (res.result === "overlap") return res;
    if (res.result === "issued") {
      const inv = res.invoice;
      await onInvoiceIssued(svc, {
        buyerId,
        kind: "invoice_issued",
        at: now,
        detail: { invoice_id: inv.id, number: inv.number, closing_cents: inv.closingCents },
      });
      return res;
    }
    if (attempt >= 4) throw new Error("the ledger kept moving while the invoice was read");
  }
}
