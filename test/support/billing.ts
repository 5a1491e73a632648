// Helpers for the billing suites: admin calls, Stripe events signed the way Stripe signs them, and the
// ledger read back.
import { env } from "cloudflare:workers";
import { ADMIN, gateway } from "./helpers";

export { ADMIN };
export const STRIPE_SECRET = "whsec_test_secret_0123456789";

export const admin = (path: string, method = "GET", body?: unknown) =>
  gateway(path, { method, headers: ADMIN, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

export const depositTo = (buyer: string, cents: number, reference: string, extra: Record<string, unknown> = {}) =>
  admin(`/admin/buyers/${buyer}/deposits`, "POST", { amount_cents: cents, reference, ...extra });

/** A Stripe event as Stripe would send it: the body and its Stripe-Signature header (the package's helper). */
export async function stripeDelivery(event: Record<string, unknown>, opts: { timestamp?: number; secret?: string } = {}) {
  const payload = JSON.stringify(event);
  // Loaded on first use: the package is large, and the suites that never sign an event don't need it.
  const { default: Stripe } = await import("stripe");
  const header = await Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: opts.secret ?? STRIPE_SECRET,
    timestamp: opts.timestamp ?? Math.floor(Date.now() / 1000),
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  return { payload, header };
}

export const sendStripe = (d: { payload: string; header: string }) =>
  gateway("/v1/billing/stripe", {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": d.header },
    body: d.payload,
  });

export const checkoutPaid = (id: string, buyer: string, cents: number, pi = `pi_${id}`) => ({
  id,
  object: "event",
  type: "checkout.session.completed",
  data: {
    object: {
      id: `cs_${id}`,
      object: "checkout.session",
      client_reference_id: buyer,
      amount_total: cents,
      currency: "usd",
      payment_status: "paid",
      payment_intent: pi,
    },
  },
});

/** Sum of an account's entries (or of all). */
export async function ledgerSum(account?: string): Promise<number> {
  const row = account
    ? await env.DB.prepare("SELECT COALESCE(SUM(amount_cents), 0) AS c FROM ledger_entries WHERE account = ?")
        .bind(account)
        .first<{ c: number }>()
    : await env.DB.prepare("SELECT COALESCE(SUM(amount_cents), 0) AS c FROM ledger_entries").first<{ c: number }>();
  return Number(row?.c ?? 0);
}
