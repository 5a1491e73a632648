// Client of the BuyerWallet objects, built like the caps client (./caps.ts) so that a billed buyer
// costs the seller no storage round trip:
// - blocks: money leased from a buyer's wallet ahead of time (while the pings are out); a post spends
//   from its isolate's block and reports the sale after the answer. Without a usable block a post
//   reserves with one round trip (as every retry round does). The wallet stays the authority: a
//   prepaid buyer never goes below zero, a credit buyer never past its limit.
// - what this isolate learned from refusals: a buyer whose balance can't cover its least price is
//   not pinged (the trace says why); when that memory ends the isolate asks the wallet again in the
//   background (a lease) instead of pinging, so the buyer comes back on its own after a top-up.
import { leastPrice, type WalletSettings } from "../billing/wallet";
import { saleKey } from "../billing/ledger";
import { dollars } from "../billing/money-text";
import { newId } from "../lib/ids";
import type { BuyerWallet, WalletNotice, WalletRefusal, WalletView } from "../objects/buyer-wallet";
import type { Contract } from "../rules/model";

export const WALLET_LEASE_MS = 5 * 60_000;
const BLOCK_MS = 60_000;
const BLOCK_SLACK_MS = 5_000;
/** How long a refusal keeps a buyer out before the isolate asks again: short while money is only held. */
const SHORT_MS = 2_000;
const HELD_MS = 200;

export type Billed = Pick<Contract, "id" | "buyerId" | "wallet" | "pricing" | "fixedPriceCents" | "minBidCents" | "maxBidCents">;

export type WalletHold =
  { ok: true; state: "held" | "committed"; commit(): Promise<void>; release(): Promise<void> } | { ok: false; limit: string };

/** What the wallets tell the rest of the gateway (low balance, paused, buying again): see ./billing-events.ts. */
export type NoticeSink = (buyerId: string, notices: WalletNotice[]) => Promise<void>;

interface Block {
  id: string;
  centsLeft: number;
  expiresAt: number;
}

interface Short {
  until: number;
  reason: string;
  availableCents: number;
}

// Per isolate, shared by every request it serves.
const blocks = new Map<string, Block>();
const leasing = new Map<string, Promise<void>>();
const short = new Map<string, Short>();
const lastPrice = new Map<string, number>();

export function forgetWallets(): void {
  blocks.clear();
  leasing.clear();
  short.clear();
  lastPrice.clear();
}

const done = async () => {};

export class WalletsClient {
  constructor(
    private readonly ns: DurableObjectNamespace<BuyerWallet>,
    private readonly sink: NoticeSink,
  ) {}

  private wallet(buyerId: string) {
    return this.ns.get(this.ns.idFromName(buyerId));
  }

  private call(c: Billed, settings: WalletSettings) {
    return { buyerId: c.buyerId, settings, needCents: leastPrice(c) };
  }

  /**
   * Why this isolate believes the buyer can't pay for this contract now (no round trip), or
   * undefined. When the belief is old, a lease is tried in the background (`defer`) and the buyer
   * stays out until it answers.
   */
  shortReason(c: Billed, now: number, defer: (p: Promise<unknown>) => void): string | undefined {
    if (!c.wallet) return undefined;
    const s = short.get(c.buyerId);
    if (!s) return undefined;
    const inBlock = this.usableBlock(c.buyerId, now)?.centsLeft ?? 0;
    if (inBlock >= leastPrice(c)) return undefined;
    if (now >= s.until && !leasing.has(c.buyerId)) this.lease(c.buyerId, [c], defer);
    return s.reason;
  }

  private usableBlock(buyerId: string, now: number): Block | undefined {
    const b = blocks.get(buyerId);
    return b && b.expiresAt - now > BLOCK_SLACK_MS ? b : undefined;
  }

  /** `need`: what was refused — the least price a lease must cover, or the price a post asked. */
  private learn(buyerId: string, res: WalletRefusal, need: number, what = "the minimum price"): void {
    const now = Date.now();
    const reason = res.held
      ? `balance held by posts in flight or other isolates ($${dollars(Math.max(0, res.availableCents))} free)`
      : `balance can't cover ${what} ($${dollars(Math.max(0, res.availableCents))} available, $${dollars(need)} needed)`;
    short.set(buyerId, { until: now + (res.held ? HELD_MS : SHORT_MS), reason: `wallet: ${reason}`, availableCents: res.availableCents });
  }

  /** Takes a block of money for each billed buyer among `contracts` without a usable one, while the pings are out. */
  prepare(contracts: Billed[], defer: (p: Promise<unknown>) => void): void {
    const now = Date.now();
    const byBuyer = new Map<string, Billed[]>();
    for (const c of contracts) if (c.wallet) byBuyer.set(c.buyerId, [...(byBuyer.get(c.buyerId) ?? []), c]);
    for (const [buyerId, cs] of byBuyer) {
      if (leasing.has(buyerId) || (short.get(buyerId)?.until ?? 0) > now) continue;
      const b = this.usableBlock(buyerId, now);
      if (b && b.centsLeft >= Math.min(...cs.map(leastPrice)) && b.expiresAt - now > BLOCK_MS / 2) continue;
      this.lease(buyerId, cs, defer);
    }
  }

  private lease(buyerId: string, cs: Billed[], defer: (p: Promise<unknown>) => void): void {
    const c = cs[0]!;
    const need = Math.min(...cs.map(leastPrice));
    const want = Math.max(lastPrice.get(buyerId) ?? 0, ...cs.map((x) => x.maxBidCents ?? leastPrice(x)));
    const taking = this.wallet(buyerId)
      .lease({ ...this.call(c, c.wallet!), needCents: need, leaseId: newId("wl"), wantCents: want, leaseMs: BLOCK_MS })
      .then(async (res) => {
        await this.sink(buyerId, res.notices);
        if (!res.ok) return this.learn(buyerId, res, need);
        const old = blocks.get(buyerId);
        if (old && old.centsLeft > 0)
          defer(
            this.wallet(buyerId)
              .returnLeased(old.id, old.centsLeft)
              .catch(() => {}),
          );
        blocks.set(buyerId, { id: res.leaseId, centsLeft: res.cents, expiresAt: res.expiresAt });
        short.delete(buyerId);
      })
      .catch(() => {}) // no block: posts reserve one by one
      .finally(() => leasing.delete(buyerId));
    leasing.set(buyerId, taking);
    defer(taking);
  }

  /** Money for one post at `priceCents`: from the isolate's block in a live round, else one reservation. */
  async reserve(c: Billed, leadId: string, priceCents: number, live?: { postMs: number }): Promise<WalletHold> {
    if (!c.wallet) return { ok: true, state: "held", commit: done, release: done };
    lastPrice.set(c.buyerId, Math.max(priceCents, lastPrice.get(c.buyerId) ?? 0));
    const key = saleKey(leadId, c.id);
    if (live) {
      // A block being taken is waited for only when the one in hand can't pay: a renewal costs no wait.
      const now = this.fromBlock(c, key, priceCents, live.postMs);
      if (now) return now;
      await leasing.get(c.buyerId);
      const hold = this.fromBlock(c, key, priceCents, live.postMs);
      if (hold) return hold;
    }
    const wallet = this.wallet(c.buyerId);
    // This isolate's block can't pay this price: what it has left goes back with the reservation.
    const b = blocks.get(c.buyerId);
    const giveBack = b && b.centsLeft > 0 ? { leaseId: b.id, cents: b.centsLeft } : undefined;
    if (b) b.centsLeft = 0;
    const res = await wallet.reserve({ ...this.call(c, c.wallet), key, cents: priceCents, leaseMs: WALLET_LEASE_MS, giveBack });
    await this.sink(c.buyerId, res.notices);
    if (!res.ok) {
      this.learn(c.buyerId, res, priceCents, "its last price");
      // A post's reason names the limit only (the reasons are counted per contract in the rollups).
      const limit = res.held ? "held by posts in flight" : c.wallet.mode === "credit" ? "credit limit reached" : "prepaid balance too low";
      return { ok: false, limit: `wallet: ${limit}` };
    }
    return {
      ok: true,
      state: res.state,
      commit: async () => this.sink(c.buyerId, await wallet.commit(key)),
      release: () => wallet.release(key),
    };
  }

  private fromBlock(c: Billed, key: string, priceCents: number, postMs: number): WalletHold | undefined {
    const b = blocks.get(c.buyerId);
    if (!b || b.centsLeft < priceCents || Date.now() + postMs + BLOCK_SLACK_MS >= b.expiresAt) return undefined;
    b.centsLeft -= priceCents;
    const wallet = this.wallet(c.buyerId);
    return {
      ok: true,
      state: "held",
      commit: async () => this.sink(c.buyerId, await wallet.commitLeased(b.id, key, priceCents)),
      release: async () => {
        // Back to its block while the block is this isolate's; a replaced block gets it back in the wallet.
        if (blocks.get(c.buyerId) !== b) return wallet.returnLeased(b.id, priceCents);
        b.centsLeft += priceCents;
      },
    };
  }

  /** A sale found in a lead's journal (its worker died before reporting it): counted once. */
  async commitRecovered(c: Billed, leadId: string, priceCents: number): Promise<void> {
    if (!c.wallet) return;
    await this.sink(c.buyerId, await this.wallet(c.buyerId).commitLeased("", saleKey(leadId, c.id), priceCents));
  }

  /**
   * Money was booked for this buyer (a deposit, a top-up, a return, an adjustment): its wallet reads
   * the ledger again, and this isolate forgets what refusals taught it.
   */
  async credited(buyerId: string, settings: WalletSettings, needCents: number): Promise<WalletView> {
    short.delete(buyerId);
    const res = await this.wallet(buyerId).refresh({ buyerId, settings, needCents });
    await this.sink(buyerId, res.notices);
    return res.view;
  }

  view(buyerId: string, settings: WalletSettings, needCents: number): Promise<WalletView> {
    return this.wallet(buyerId).view({ buyerId, settings, needCents });
  }
}
