// The booking rules and the wallet's arithmetic (src/billing/), with property tests: money!
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { amountDue, invoiceTotals, type InvoiceLine } from "../../src/billing/invoice";
import {
  ADJUSTMENT_KINDS,
  adjustmentLegs,
  depositLegs,
  isAmount,
  isBalanced,
  returnLegs,
  saleLegs,
  sourcePaymentLegs,
  type Leg,
} from "../../src/billing/ledger";
import { csvCell, dollars, instant, period } from "../../src/billing/money-text";
import { topUpOf, signedAtOf } from "../../src/billing/stripe";
import { available, blockSize, crossedLow, judge, type WalletSettings } from "../../src/billing/wallet";

const cents = fc.integer({ min: 0, max: 100_000_000 });
const byParty = (legs: Leg[]) => Object.fromEntries(legs.map((l) => [l.party, l.amountCents]));

describe("booking rules", () => {
  it("property: every entry's legs sum to zero, and no leg is zero", () => {
    fc.assert(
      fc.property(cents, cents, fc.constantFrom(...ADJUSTMENT_KINDS), (a, b, kind) => {
        const [price, payout] = a >= b ? [a, b] : [b, a];
        for (const legs of [
          saleLegs(price, payout),
          returnLegs(price, payout),
          depositLegs(a),
          adjustmentLegs(kind, a),
          sourcePaymentLegs(a),
        ]) {
          expect(isBalanced(legs)).toBe(true);
          expect(legs.every((l) => l.amountCents !== 0 && Number.isSafeInteger(l.amountCents))).toBe(true);
        }
      }),
    );
  });

  it("property: a sale charges the buyer its price, pays the source its payout, keeps the margin; its full return undoes it", () => {
    fc.assert(
      fc.property(cents, cents, (a, b) => {
        const [price, payout] = a >= b ? [a, b] : [b, a];
        const sale = byParty(saleLegs(price, payout));
        expect(sale.buyer ?? 0).toBe(-price);
        expect(sale.source ?? 0).toBe(payout);
        expect(sale.house ?? 0).toBe(price - payout);
        const back = byParty(returnLegs(price, payout));
        for (const party of ["buyer", "source", "house"]) expect((sale[party] ?? 0) + (back[party] ?? 0)).toBe(0);
      }),
    );
  });

  it("a return without clawback costs the house the source's payout", () => {
    expect(byParty(returnLegs(2000, 0))).toEqual({ buyer: 2000, house: -2000 });
  });

  it("adjustments: credit and write-off give the buyer money at the house's cost, a charge takes it", () => {
    expect(byParty(adjustmentLegs("credit", 500))).toEqual({ buyer: 500, house: -500 });
    expect(byParty(adjustmentLegs("write_off", 500))).toEqual({ buyer: 500, house: -500 });
    expect(byParty(adjustmentLegs("charge", 500))).toEqual({ buyer: -500, house: 500 });
  });

  it("amounts are positive whole cents within the maximum", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 1e12, "100"]) expect(isAmount(bad)).toBe(false);
    expect(isAmount(1)).toBe(true);
  });
});

const settings = (mode: "prepaid" | "credit", creditLimitCents = 0): WalletSettings => ({
  mode,
  creditLimitCents,
  lowBalanceCents: null,
  epoch: 0,
});

describe("the wallet's arithmetic", () => {
  it("property: under any interleaving of takes and give-backs, a prepaid wallet never goes below zero and a credit wallet never past its limit", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("take" as const), cents: fc.integer({ min: 1, max: 6000 }) }),
      fc.record({ kind: fc.constant("commit" as const), i: fc.nat() }),
      fc.record({ kind: fc.constant("release" as const), i: fc.nat() }),
      fc.record({ kind: fc.constant("credit" as const), cents: fc.integer({ min: 1, max: 3000 }) }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom("prepaid" as const, "credit" as const),
        fc.integer({ min: 0, max: 20_000 }),
        fc.array(op, { maxLength: 80 }),
        (mode, limit, ops) => {
          const s = settings(mode, limit);
          let balance = 0;
          const holds: number[] = [];
          for (const o of ops) {
            if (o.kind === "take") {
              const inUse = holds.reduce((a, b) => a + b, 0);
              if (judge(balance, s, inUse, o.cents).ok) holds.push(o.cents);
            } else if (o.kind === "credit") balance += o.cents;
            else if (holds.length > 0) {
              const [h] = holds.splice(o.i % holds.length, 1);
              if (o.kind === "commit") balance -= h!;
            }
            const floor = mode === "credit" ? -limit : 0;
            expect(balance - holds.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(floor);
          }
        },
      ),
    );
  });

  it("a refusal is held when the holds are what stand in the way, spent when the balance is", () => {
    expect(judge(5000, settings("prepaid"), 3000, 3000)).toEqual({ ok: false, held: true });
    expect(judge(2000, settings("prepaid"), 0, 3000)).toEqual({ ok: false, held: false });
    expect(judge(-500, settings("credit", 1000), 0, 400)).toEqual({ ok: true });
    expect(available(-500, settings("credit", 1000), 100)).toBe(400);
  });

  it("property: a block is never more than is available, and at least what is wanted when that is available", () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000, max: 1_000_000 }), fc.integer({ min: 0, max: 100_000 }), (avail, want) => {
        const b = blockSize(avail, want);
        expect(b).toBeLessThanOrEqual(Math.max(0, avail));
        if (avail > 0) expect(b).toBeGreaterThanOrEqual(Math.min(avail, want));
      }),
    );
  });

  it("the low-balance threshold is crossed going down only", () => {
    expect(crossedLow(1000, 900, 950)).toBe(true);
    expect(crossedLow(900, 800, 950)).toBe(false);
    expect(crossedLow(900, 1000, 950)).toBe(false);
    expect(crossedLow(1000, 0, null)).toBe(false);
  });
});

describe("money as text, periods and invoices", () => {
  it("property: dollars are exact for any cents", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (c) => {
        const d = dollars(c);
        expect(d).toMatch(/^-?\d+\.\d{2}$/);
        expect(Math.round(Number(d) * 100)).toBe(c);
      }),
    );
  });

  it("CSV cells are quoted when needed and can't start a formula", () => {
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell(-12)).toBe("-12");
    expect(csvCell(null)).toBe("");
  });

  it("periods: dates, ISO date-times with a zone and epoch ms; from before to", () => {
    expect(period("2026-11-01", "2026-12-01")).toEqual({ from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 11, 1) });
    expect(instant("2026-11-01T10:00:00+02:00")).toBe(Date.UTC(2026, 10, 1, 8));
    expect(instant("2026-11-01T10:00:00")).toBeUndefined();
    expect(period("2026-12-01", "2026-11-01")).toMatchObject({ field: "to" });
    expect(period("soon", "2026-11-01")).toMatchObject({ field: "from" });
  });

  it("property: an invoice's closing balance is its opening less charges plus credits, payments and adjustments", () => {
    const line = fc.record({
      campaignId: fc.string(),
      campaign: fc.string(),
      leads: fc.nat(),
      chargesCents: cents,
      returns: fc.nat(),
      creditsCents: cents,
    });
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.array(line),
        cents,
        fc.integer({ min: -1e9, max: 1e9 }),
        (opening, lines: InvoiceLine[], pay, adj) => {
          const t = invoiceTotals(opening, lines, pay, adj);
          expect(t.closingCents).toBe(opening - t.chargesCents + t.creditsCents + pay + adj);
          expect(amountDue(t.closingCents)).toBe(t.closingCents < 0 ? -t.closingCents : 0);
        },
      ),
    );
  });
});

describe("Stripe events", () => {
  const session = (o: Record<string, unknown>) => ({
    id: "evt_1",
    type: "checkout.session.completed",
    data: {
      object: {
        id: "cs_1",
        object: "checkout.session",
        amount_total: 5000,
        currency: "usd",
        payment_status: "paid",
        payment_intent: "pi_1",
        ...o,
      },
    },
  });

  it("a paid session tops up the buyer it names, keyed by its PaymentIntent", () => {
    expect(topUpOf(session({ client_reference_id: "buy_a" }))).toEqual({ buyerId: "buy_a", amountCents: 5000, paymentId: "pi_1" });
    expect(topUpOf(session({ metadata: { buyer_id: "buy_b" } }))).toMatchObject({ buyerId: "buy_b" });
  });

  it("unpaid, other currencies, no buyer and other events are ignored, with why", () => {
    expect(topUpOf(session({ client_reference_id: "b", payment_status: "unpaid" }))).toEqual({ ignored: "payment_status unpaid" });
    expect(topUpOf(session({ client_reference_id: "b", currency: "eur" }))).toMatchObject({ ignored: expect.stringContaining("eur") });
    expect(topUpOf(session({}))).toMatchObject({ ignored: expect.stringContaining("no buyer") });
    expect(topUpOf({ id: "e", type: "customer.created", data: { object: {} } })).toEqual({ ignored: "event type customer.created" });
  });

  it("reads the signing time of a Stripe-Signature header", () => {
    expect(signedAtOf("t=1700000000,v1=abc")).toBe(1700000000);
    expect(signedAtOf("v1=abc")).toBeNull();
  });
});
