// Billing in the records, beside the ledger (./ledger.ts): buyers' billing settings, the money events
// that belong to no lead (billing_events), the Stripe events received, and what a buyer's own console
// reads and switches (its contracts, purchases and returns).
import type { BillingMode } from "../billing/wallet";
import type { Db } from "./client";

export interface BuyerBilling {
  id: string;
  name: string;
  status: "active" | "paused";
  billing: BillingMode;
  creditLimitCents: number;
  lowBalanceCents: number | null;
  billingEpoch: number;
  /** The least price among its active contracts (what its wallet must cover to be pinged). */
  leastPriceCents: number;
}

const BUYER_BILLING = `SELECT b.id, b.name, b.status, b.billing, b.credit_limit_cents, b.low_balance_cents, b.billing_epoch,
  COALESCE((SELECT MIN(CASE WHEN c.pricing = 'fixed' AND c.fixed_price_cents IS NOT NULL THEN c.fixed_price_cents ELSE MAX(1, c.min_bid_cents) END)
            FROM contracts c WHERE c.buyer_id = b.id AND c.status = 'active'), 1) AS least
  FROM buyers b`;

type BillingRow = {
  id: string;
  name: string;
  status: "active" | "paused";
  billing: BillingMode;
  credit_limit_cents: number;
  low_balance_cents: number | null;
  billing_epoch: number;
  least: number;
};

const toBilling = (r: BillingRow): BuyerBilling => ({
  id: r.id,
  name: r.name,
  status: r.status,
  billing: r.billing,
  creditLimitCents: Number(r.credit_limit_cents),
  lowBalanceCents: r.low_balance_cents === null ? null : Number(r.low_balance_cents),
  billingEpoch: Number(r.billing_epoch),
  leastPriceCents: Number(r.least),
});

/** A buyer's billing settings (paused buyers too), or undefined when there is no such buyer. */
export async function buyer(db: Db, id: string): Promise<BuyerBilling | undefined> {
  const r = await db.$client.prepare(`${BUYER_BILLING} WHERE b.id = ?`).bind(id).first<BillingRow>();
  return r ? toBilling(r) : undefined;
}

export async function buyers(db: Db): Promise<BuyerBilling[]> {
  return (await db.$client.prepare(`${BUYER_BILLING} ORDER BY b.name`).all<BillingRow>()).results.map(toBilling);
}

/** Changes a buyer's billing (the trigger moves its epoch on when the mode or limit changes). */
export async function setBilling(
  db: Db,
  id: string,
  s: { billing: BillingMode; creditLimitCents: number; lowBalanceCents: number | null },
): Promise<void> {
  await db.$client
    .prepare(`UPDATE buyers SET billing = ?, credit_limit_cents = ?, low_balance_cents = ? WHERE id = ?`)
    .bind(s.billing, s.creditLimitCents, s.lowBalanceCents, id)
    .run();
}

export async function recordEvents(
  db: Db,
  events: { buyerId: string; kind: string; at: number; detail: Record<string, unknown> }[],
): Promise<void> {
  if (events.length === 0) return;
  await db.$client.batch(
    events.map((e) =>
      db.$client
        .prepare(`INSERT INTO billing_events (buyer_id, at, kind, detail) VALUES (?, ?, ?, ?)`)
        .bind(e.buyerId, e.at, e.kind, JSON.stringify(e.detail)),
    ),
  );
}

export interface BillingEventRow {
  buyer_id: string;
  at: number;
  kind: string;
  detail: string | null;
}

/** The latest money events (of one buyer, or all). */
export async function events(db: Db, buyerId: string | null, limit: number): Promise<BillingEventRow[]> {
  const res = await db.$client
    .prepare(`SELECT buyer_id, at, kind, detail FROM billing_events WHERE ?1 IS NULL OR buyer_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2`)
    .bind(buyerId, limit)
    .all<BillingEventRow>();
  return res.results;
}

/** A Stripe event seen before: when it was signed, and what it did. */
export async function stripeEvent(db: Db, eventId: string): Promise<{ signedAt: number; outcome: string } | undefined> {
  const r = await db.$client
    .prepare(`SELECT signed_at, outcome FROM stripe_events WHERE event_id = ?`)
    .bind(eventId)
    .first<{ signed_at: number; outcome: string }>();
  return r ? { signedAt: Number(r.signed_at), outcome: r.outcome } : undefined;
}

/**
 * Records a Stripe event and, for a top-up, books it (buyer +, cash −) in the same batch: the event
 * row is unique per event id and the entry per payment, so neither a redelivery nor the other event of
 * the same payment credits twice. False: the event was recorded already (nothing done).
 */
export async function recordStripeEvent(
  db: Db,
  e: {
    eventId: string;
    type: string;
    signedAt: number;
    at: number;
    credit: { buyerId: string; amountCents: number; key: string; paymentId: string } | null;
  },
): Promise<boolean> {
  const credit = e.credit;
  const statements = [
    db.$client
      .prepare(
        `INSERT INTO stripe_events (event_id, type, signed_at, received_at, outcome, buyer_id, amount_cents, entry_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .bind(
        e.eventId,
        e.type,
        e.signedAt,
        e.at,
        credit ? "credited" : "ignored",
        credit?.buyerId ?? null,
        credit?.amountCents ?? null,
        credit?.key ?? null,
      ),
  ];
  if (credit)
    statements.push(
      db.$client
        .prepare(
          `INSERT INTO ledger_entries (entry_key, account, amount_cents, kind, at, reference, booked_by)
           SELECT ?1, v.account, v.amount, 'topup', ?2, ?3, 'stripe' FROM (SELECT 'buyer:' || ?4 AS account, ?5 AS amount UNION ALL SELECT 'cash', -?5) AS v
           WHERE changes() > 0
           ON CONFLICT DO NOTHING`,
        )
        .bind(credit.key, e.at, credit.paymentId, credit.buyerId, credit.amountCents),
    );
  const [inserted] = await db.$client.batch(statements);
  return (inserted?.meta.changes ?? 0) > 0;
}

export async function sourceExists(db: Db, id: string): Promise<boolean> {
  return (await db.$client.prepare(`SELECT 1 AS x FROM sources WHERE id = ?`).bind(id).first()) !== null;
}
