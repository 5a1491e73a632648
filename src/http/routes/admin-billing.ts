// Money in and billing settings, for admins: a buyer's billing mode, credit limit and low-balance
// threshold; deposits and adjustments on its account; payments to a source; a buyer's balance as the
// ledger and its wallet see it. Amounts are integer cents; every booking is idempotent per reference
// and refused inside a period an invoice closed (docs/ADMIN.md, Billing).
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ADJUSTMENT_KINDS, MAX_AMOUNT_CENTS } from "../../billing/ledger";
import { instant } from "../../billing/money-text";
import type { BuyerBilling } from "../../db/billing";
import type { Booked } from "../../db/ledger";
import type { WalletView } from "../../objects/buyer-wallet";
import { adjust, deposit, payToSource, setBilling, type MoneyIn } from "../../pipeline/billing";
import { router, type AppEnv } from "../context";
import { ApiError, errorResponses } from "../errors";

const cents = z.number().int("whole cents, no fractions").positive("more than zero").max(MAX_AMOUNT_CENTS);
const when = z
  .string()
  .max(40)
  .optional()
  .describe("when it is booked (a date, an ISO date-time with a zone, or epoch ms); now if left out");

const MoneyInSchema = z.object({
  amount_cents: cents,
  reference: z.string().min(1).max(100).describe("your reference (a bank transfer's, a check number): booked once per reference"),
  booked_at: when,
  by: z.string().min(1).max(100).optional().describe("who recorded it"),
});
const AdjustmentSchema = MoneyInSchema.extend({
  kind: z.enum(ADJUSTMENT_KINDS).describe("credit or write_off: money to the buyer (from the house); charge: money from it"),
  reason: z.string().min(1).max(500),
  by: z.string().min(1).max(100).describe("who made it"),
});
const BillingSchema = z.object({
  billing: z.enum(["none", "prepaid", "credit"]),
  credit_limit_cents: z.number().int().nonnegative().max(MAX_AMOUNT_CENTS).default(0),
  low_balance_cents: z.number().int().nonnegative().max(MAX_AMOUNT_CENTS).nullable().default(null),
});

const WalletSchema = z
  .object({
    available_cents: z.number().int().describe("what the auction may still spend: balance (+ credit limit) − held − leased"),
    held_cents: z.number().int().describe("held by posts in flight"),
    leased_cents: z.number().int().describe("leased to gateway isolates and not spent yet"),
    low: z.boolean(),
    paused_for_balance: z.boolean().describe("its balance can't cover its least price: not pinged"),
  })
  .nullable()
  .describe("null when billing is none (the auction never checks it)");

export const BalanceSchema = z
  .object({
    buyer_id: z.string(),
    billing: z.enum(["none", "prepaid", "credit"]),
    credit_limit_cents: z.number().int(),
    low_balance_cents: z.number().int().nullable(),
    balance_cents: z.number().int().describe("the ledger's balance: negative means the buyer owes"),
    credit_used_cents: z.number().int().describe("credit buyers: how much of the limit is used"),
    wallet: WalletSchema,
  })
  .openapi("BuyerBalance");

const BookingSchema = z
  .object({
    entry_key: z.string(),
    booked: z.boolean().describe("false: this reference was booked before (nothing booked again)"),
    amount_cents: z.number().int(),
    balance: BalanceSchema.nullable().describe("the buyer's balance after it (null for a source payment)"),
  })
  .openapi("Booking");

const idParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});
const json = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { "application/json": { schema } } } });
const answered = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const post = <S extends z.ZodType>(path: string, operationId: string, summary: string, schema: S) =>
  createRoute({
    method: "post",
    path,
    operationId,
    tags: ["admin"],
    summary,
    security: [{ AdminToken: [] }],
    request: { params: idParam, ...json(schema) },
    responses: { 200: answered(BookingSchema, "Booked (or booked before)"), ...errorResponses(401, 404, 409, 422, 503) },
  });

export const depositRoute = post(
  "/admin/buyers/{id}/deposits",
  "createDeposit",
  "Record a buyer's payment (credits its account)",
  MoneyInSchema,
);
export const adjustmentRoute = post(
  "/admin/buyers/{id}/adjustments",
  "createAdjustment",
  "A credit, write-off or charge on a buyer's account",
  AdjustmentSchema,
);
export const sourcePaymentRoute = post(
  "/admin/sources/{id}/payments",
  "createSourcePayment",
  "Record a payment made to a source (lowers what it is owed)",
  MoneyInSchema,
);

export const billingRoute = createRoute({
  method: "put",
  path: "/admin/buyers/{id}/billing",
  operationId: "setBuyerBilling",
  tags: ["admin"],
  summary: "A buyer's billing mode (none, prepaid, credit), credit limit and low-balance threshold",
  security: [{ AdminToken: [] }],
  request: { params: idParam, ...json(BillingSchema) },
  responses: { 200: answered(BalanceSchema, "Its balance under the new settings"), ...errorResponses(401, 404, 422, 503) },
});

export const balanceRoute = createRoute({
  method: "get",
  path: "/admin/buyers/{id}/balance",
  operationId: "getBuyerBalance",
  tags: ["admin"],
  summary: "A buyer's balance: the ledger's, and what its wallet lets the auction spend",
  security: [{ AdminToken: [] }],
  request: { params: idParam },
  responses: { 200: answered(BalanceSchema, "The balance"), ...errorResponses(401, 404, 503) },
});

export async function buyerOr404(c: Context<AppEnv>, id: string): Promise<BuyerBilling> {
  const b = await c.var.services.records.billing.buyer(id);
  if (!b) throw new ApiError(404, "not_found", `no buyer "${id.slice(0, 64)}"`);
  return b;
}

/** The booking time asked for (now by default): readable, and not in the future. */
function bookedAt(text: string | undefined, now: number): number {
  if (text === undefined) return now;
  const at = instant(text);
  if (at === undefined)
    throw new ApiError(422, "validation_failed", "booked_at is not valid", [
      { path: "booked_at", message: "a date, an ISO date-time with a zone, or epoch ms" },
    ]);
  if (at > now)
    throw new ApiError(422, "validation_failed", "booked_at is in the future", [
      { path: "booked_at", message: "may not be in the future" },
    ]);
  return at;
}

export function balanceOf(b: BuyerBilling, balanceCents: number, w: WalletView | null) {
  return {
    buyer_id: b.id,
    billing: b.billing,
    credit_limit_cents: b.creditLimitCents,
    low_balance_cents: b.lowBalanceCents,
    balance_cents: balanceCents,
    credit_used_cents: b.billing === "credit" ? Math.min(b.creditLimitCents, Math.max(0, -balanceCents)) : 0,
    wallet: w && {
      available_cents: w.availableCents,
      held_cents: w.heldCents,
      leased_cents: w.leasedCents,
      low: w.low,
      paused_for_balance: w.paused,
    },
  };
}

async function balanceNow(c: Context<AppEnv>, b: BuyerBilling) {
  const { services } = c.var;
  const settings =
    b.billing === "none"
      ? null
      : { mode: b.billing, creditLimitCents: b.creditLimitCents, lowBalanceCents: b.lowBalanceCents, epoch: b.billingEpoch };
  const [ledger, wallet] = await Promise.all([
    services.records.ledger.balance(`buyer:${b.id}`),
    settings ? services.wallets.view(b.id, settings, b.leastPriceCents) : null,
  ]);
  return balanceOf(b, ledger, wallet);
}

function bookingAnswer(key: string, booked: Booked, amountCents: number) {
  if (booked.result === "period_closed")
    throw new ApiError(409, "period_closed", "that date falls in a period an invoice has closed: book it today instead");
  if (booked.result === "exists" && booked.amountCents !== amountCents)
    throw new ApiError(409, "already_booked", `reference booked before with ${booked.amountCents} cents`, [
      { path: "reference", message: "already used" },
    ]);
  return { entry_key: key, booked: booked.result === "booked", amount_cents: amountCents };
}

const moneyIn = (body: z.infer<typeof MoneyInSchema>, now: number): MoneyIn => ({
  amountCents: body.amount_cents,
  reference: body.reference,
  at: bookedAt(body.booked_at, now),
  by: body.by ?? "admin",
});

export const adminBilling = router();

adminBilling.openapi(depositRoute, async (c) => {
  const b = await buyerOr404(c, c.req.valid("param").id);
  const body = c.req.valid("json");
  const booked = await deposit(c.var.services, b, moneyIn(body, Date.now()));
  return c.json({ ...bookingAnswer(`deposit:${b.id}:${body.reference}`, booked, body.amount_cents), balance: await balanceNow(c, b) }, 200);
});

adminBilling.openapi(adjustmentRoute, async (c) => {
  const b = await buyerOr404(c, c.req.valid("param").id);
  const body = c.req.valid("json");
  const booked = await adjust(c.var.services, b, body.kind, { ...moneyIn(body, Date.now()), reason: body.reason });
  return c.json({ ...bookingAnswer(`adjust:${b.id}:${body.reference}`, booked, body.amount_cents), balance: await balanceNow(c, b) }, 200);
});

adminBilling.openapi(sourcePaymentRoute, async (c) => {
  const id = c.req.valid("param").id;
  if (!(await c.var.services.records.billing.sourceExists(id))) throw new ApiError(404, "not_found", `no source "${id.slice(0, 64)}"`);
  const body = c.req.valid("json");
  const booked = await payToSource(c.var.services, id, moneyIn(body, Date.now()));
  return c.json({ ...bookingAnswer(`payment:${id}:${body.reference}`, booked, body.amount_cents), balance: null }, 200);
});

adminBilling.openapi(billingRoute, async (c) => {
  const id = c.req.valid("param").id;
  await buyerOr404(c, id);
  const body = c.req.valid("json");
  const { buyer } = await setBilling(c.var.services, id, {
    billing: body.billing,
    creditLimitCents: body.credit_limit_cents,
    lowBalanceCents: body.low_balance_cents,
  });
  return c.json(await balanceNow(c, buyer), 200);
});

adminBilling.openapi(balanceRoute, async (c) => c.json(await balanceNow(c, await buyerOr404(c, c.req.valid("param").id)), 200));
