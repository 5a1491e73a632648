// The BuyerWallet object under concurrency (issue #25): tiny balances, 16 posts at once through
// reservations and leased blocks in any mix — a prepaid wallet never spends more than it holds, a
// credit wallet never more than its limit, and the ledger's booking of a spend is never counted twice.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { WalletSettings } from "../../src/billing/wallet";

let run = 0;

async function bookDeposit(buyerId: string, cents: number) {
  await env.DB.batch([
    env.DB.prepare("INSERT INTO ledger_entries (entry_key, account, amount_cents, kind, at) VALUES (?, ?, ?, 'deposit', 0)").bind(
      `deposit:${buyerId}:t`,
      `buyer:${buyerId}`,
      cents,
    ),
    env.DB.prepare("INSERT INTO ledger_entries (entry_key, account, amount_cents, kind, at) VALUES (?, 'cash', ?, 'deposit', 0)").bind(
      `deposit:${buyerId}:t`,
      -cents,
    ),
  ]);
}

const post = fc.record({ cents: fc.integer({ min: 1, max: 4000 }), viaLease: fc.boolean(), sells: fc.boolean() });

describe("BuyerWallet at 16-way concurrency", () => {
  it("property: tiny balances, 16 posts at once: never below zero (prepaid) or past the limit (credit)", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("prepaid" as const, "credit" as const),
        fc.integer({ min: 0, max: 6000 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.array(post, { minLength: 16, maxLength: 16 }),
        async (mode, deposit, limit, posts) => {
          const buyerId = `buy_prop_${run++}_${Date.now()}`;
          if (deposit > 0) await bookDeposit(buyerId, deposit);
          const settings: WalletSettings = { mode, creditLimitCents: mode === "credit" ? limit : 0, lowBalanceCents: null, epoch: 1 };
          const call = { buyerId, settings, needCents: 1 };
          const w = env.BUYER_WALLET.get(env.BUYER_WALLET.idFromName(buyerId));
          const spent = await Promise.all(
            posts.map(async (p, i) => {
              const key = `sale:ld_${i}:ct`;
              if (p.viaLease) {
                const l = await w.lease({ ...call, leaseId: `wl_${i}`, wantCents: p.cents, leaseMs: 60_000 });
                if (!l.ok || l.cents < p.cents) return 0;
                if (p.sells) await w.commitLeased(l.leaseId, key, p.cents);
                return p.sells ? p.cents : 0;
              }
              const r = await w.reserve({ ...call, key, cents: p.cents, leaseMs: 60_000 });
              if (!r.ok) return 0;
              if (p.sells) await w.commit(key);
              else await w.release(key);
              return p.sells ? p.cents : 0;
            }),
          );
          const total = spent.reduce((a, b) => a + b, 0);
          const floor = mode === "credit" ? -limit : 0;
          expect(deposit - total).toBeGreaterThanOrEqual(floor);
          const view = await w.view(call);
          expect(view.balanceCents).toBe(deposit - total);
          expect(view.availableCents).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 12 },
    );
  });

  it("a spend the ledger has booked is taken off once: the wallet reads the ledger and keeps the balance", async () => {
    const buyerId = `buy_book_${Date.now()}`;
    await bookDeposit(buyerId, 5000);
    const call = { buyerId, settings: { mode: "prepaid" as const, creditLimitCents: 0, lowBalanceCents: 1000, epoch: 1 }, needCents: 1 };
    const w = env.BUYER_WALLET.get(env.BUYER_WALLET.idFromName(buyerId));
    expect((await w.reserve({ ...call, key: "sale:l1:ct", cents: 4500, leaseMs: 60_000 })).ok).toBe(true);
    const notices = await w.commit("sale:l1:ct");
    expect(notices.map((n) => n.kind)).toEqual(["balance_low"]);
    expect((await w.view(call)).balanceCents).toBe(500);
    // The round's records book the sale: the next read of the ledger sees it there, not twice.
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO ledger_entries (entry_key, account, amount_cents, kind, at) VALUES ('sale:l1:ct', ?, -4500, 'sale', 1)",
      ).bind(`buyer:${buyerId}`),
      env.DB.prepare(
        "INSERT INTO ledger_entries (entry_key, account, amount_cents, kind, at) VALUES ('sale:l1:ct', 'house', 4500, 'sale', 1)",
      ),
    ]);
    expect((await w.refresh(call)).view.balanceCents).toBe(500);
    expect((await w.reserve({ ...call, key: "sale:l2:ct", cents: 600, leaseMs: 60_000 })).ok).toBe(false);
  });
});
