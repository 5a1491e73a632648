// POST /v1/billing/stripe — Stripe's webhook: a top-up through Checkout or a PaymentIntent credits the
// buyer it names. The Stripe-Signature header is verified with the official package
// (constructEventAsync with the SubtleCrypto provider, which runs on Workers) under
// STRIPE_WEBHOOK_SECRET; a bad or stale signature is a 400 and nothing is booked. Each event is
// credited once: the exact signed event again is a replay (409); Stripe's redelivery of an event it
// signed again is answered 200 without booking; other events are acknowledged and ignored.
import { createRoute, z } from "@hono/zod-openapi";
import { signedAtOf, StripeEventSchema } from "../../billing/stripe";
import { stripeEvent } from "../../pipeline/billing";
import { readBodyText } from "../body";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";

const MAX_EVENT_BYTES = 262_144;

const AnswerSchema = z
  .object({
    received: z.literal(true),
    outcome: z.enum(["credited", "duplicate", "ignored"]),
    buyer_id: z.string().nullable(),
    amount_cents: z.number().int().nullable(),
    reason: z.string().nullable().describe("why an event was ignored"),
  })
  .openapi("StripeWebhookAnswer");

export const stripeWebhookRoute = createRoute({
  method: "post",
  path: "/v1/billing/stripe",
  operationId: "stripeWebhook",
  tags: ["operations"],
  summary: "Stripe's webhook: paid Checkout Sessions and succeeded PaymentIntents top up the buyer they name",
  description:
    "Signed by Stripe (`Stripe-Signature`, under STRIPE_WEBHOOK_SECRET). The buyer is the Checkout Session's `client_reference_id` or the object's `metadata.buyer_id`; US dollars only. Credited once per payment and per event id.",
  security: [],
  responses: {
    200: { description: "Received", content: { "application/json": { schema: AnswerSchema } } },
    ...errorResponses(400, 404, 409, 413, 503),
  },
});

// Stripe's package is loaded when the first event arrives, not when the Worker starts: a cold isolate
// that never sees a webhook (nearly all of them) doesn't evaluate it.
const loadStripe = () => import("stripe");
let stripe: ReturnType<typeof loadStripe> | undefined;

export const billingStripe = router();

billingStripe.openapi(stripeWebhookRoute, async (c) => {
  const secret = c.var.config.STRIPE_WEBHOOK_SECRET;
  if (!secret)
    throw new ApiError(503, "gateway_misconfigured", "STRIPE_WEBHOOK_SECRET is not set: no top-up can be verified", [], {
      "retry-after": "60",
    });
  const payload = await readBodyText(c.req.raw, MAX_EVENT_BYTES);
  const header = c.req.header("stripe-signature") ?? "";
  const signedAt = signedAtOf(header);
  let verified: unknown;
  try {
    const { default: Stripe } = await (stripe ??= loadStripe());
    verified = await Stripe.webhooks.constructEventAsync(payload, header, secret, undefined, Stripe.createSubtleCryptoProvider());
  } catch {
    throw new ApiError(400, "bad_signature", "the Stripe-Signature header is missing, forged or too old: nothing booked");
  }
  const event = StripeEventSchema.safeParse(verified);
  if (!event.success || signedAt === null) throw new ApiError(400, "bad_signature", "not a Stripe event");
  const res = await stripeEvent(c.var.services, event.data, signedAt, Date.now());
  if (res.outcome === "replayed")
    throw new ApiError(409, "webhook_replayed", `event ${event.data.id} was delivered with this very signature before`);
  if (res.outcome === "unknown_buyer") throw new ApiError(404, "not_found", `no buyer "${res.buyerId.slice(0, 64)}": nothing booked`);
  return c.json(
    {
      received: true as const,
      outcome: res.outcome,
      buyer_id: res.outcome === "credited" ? res.buyerId : null,
      amount_cents: res.outcome === "credited" ? res.amountCents : null,
      reason: res.outcome === "ignored" ? res.reason : null,
    },
    200,
  );
});
