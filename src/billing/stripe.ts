// Which Stripe events are top-ups, pure: a paid Checkout Session or a succeeded PaymentIntent in US
// dollars, naming the buyer by the session's client_reference_id or the object's metadata.buyer_id.
// A top-up is keyed by its PaymentIntent (a Checkout payment also sends payment_intent.succeeded:
// both map to one entry, credited once). Everything else is ignored, with why.
import * as z from "zod";

const Metadata = z.record(z.string(), z.string()).nullish();

const Session = z.object({
  id: z.string(),
  object: z.literal("checkout.session"),
  client_reference_id: z.string().nullish(),
  metadata: Metadata,
  amount_total: z.number().int().nullish(),
  currency: z.string().nullish(),
  payment_status: z.string(),
  payment_intent: z.union([z.string(), z.object({ id: z.string() })]).nullish(),
});

const Intent = z.object({
  id: z.string(),
  object: z.literal("payment_intent"),
  metadata: Metadata,
  amount_received: z.number().int(),
  currency: z.string(),
});

export const StripeEventSchema = z.object({ id: z.string().min(1).max(255), type: z.string(), data: z.object({ object: z.unknown() }) });
export type StripeEvent = z.infer<typeof StripeEventSchema>;

export type TopUp = { buyerId: string; amountCents: number; paymentId: string } | { ignored: string };

const SESSION_EVENTS = new Set(["checkout.session.completed", "checkout.session.async_payment_succeeded"]);

export function topUpOf(e: StripeEvent): TopUp {
  if (SESSION_EVENTS.has(e.type)) {
    const s = Session.safeParse(e.data.object);
    if (!s.success) return { ignored: "not a readable Checkout Session" };
    if (s.data.payment_status !== "paid") return { ignored: `payment_status ${s.data.payment_status}` };
    const pi = typeof s.data.payment_intent === "string" ? s.data.payment_intent : (s.data.payment_intent?.id ?? s.data.id);
    return credit(s.data.client_reference_id ?? s.data.metadata?.buyer_id, s.data.amount_total ?? 0, s.data.currency ?? "", pi);
  }
  if (e.type === "payment_intent.succeeded") {
    const i = Intent.safeParse(e.data.object);
    if (!i.success) return { ignored: "not a readable PaymentIntent" };
    return credit(i.data.metadata?.buyer_id, i.data.amount_received, i.data.currency, i.data.id);
  }
  return { ignored: `event type ${e.type}` };
}

function credit(buyerId: string | null | undefined, amountCents: number, currency: string, paymentId: string): TopUp {
  if (!buyerId) return { ignored: "no buyer named (client_reference_id or metadata.buyer_id)" };
  if (currency.toLowerCase() !== "usd") return { ignored: `currency ${currency || "unknown"}: the ledger is in US cents` };
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) return { ignored: "no amount" };
  return { buyerId, amountCents, paymentId };
}

/** The `t` (signing time, epoch seconds) of a Stripe-Signature header, or null. */
export function signedAtOf(header: string): number | null {
  const m = /(?:^|,)\s*t=(\d{1,12})(?:,|$)/.exec(header);
  return m ? Number(m[1]) : null;
}
