// One BuyerWallet per billed buyer (idFromName(buyer id)): the balance the auction trusts. A Durable
// Object runs one request at a time and its SQLite calls are synchronous, so lease() and reserve()
// check and take money in one step: under any concurrency a prepaid buyer never goes below zero and
// a credit buyer never past its limit.
//
// The balance is the ledger's (D1) as last read, less the spends committed here that the ledger has
// not booked yet; what may be spent is that (plus the credit limit) less the holds: posts in flight
// (reserve → commit | release) and blocks leased to isolates (lease → commitLeased per sale, the
// unspent part given back by returnLeased or when the block closes). The wallet reads the ledger
// again when first used, when its billing settings change (the epoch), after every credit
// (deposit, top-up, approved return, adjustment: refresh()) and at least every minute while in use,
// so money booked anywhere reaches the auction and the auction's spends are never counted twice.
// Every method is idempotent per spend key (sale:<lead>:<contract>).
import { blockSize, crossedLow, judge, type WalletSettings } from "../billing/wallet";
import { walletBook } from "../db/wallet-book";
import type { Env } from "../env";
import { SqlObject, type Row } from "./sql-object";
import { WalletStore, type WalletNotice, type WalletView } from "./wallet-store";

export type { WalletNotice, WalletView };

const REFRESH_MS = 60_000;
const DAY = 86_400_000;

export interface WalletCall {
  buyerId: string;
  settings: WalletSettings;
  /** The least price of the buyer's contracts: below it the buyer is paused for its balance. */
  needCents: number;
}

export type WalletRefusal = { ok: false; held: boolean; availableCents: number; retryAfter: number; notices: WalletNotice[] };

export type WalletLease =
  { ok: true; leaseId: string; cents: number; expiresAt: number; availableCents: number; notices: WalletNotice[] } | WalletRefusal;

export type WalletReservation = { ok: true; state: "held" | "committed"; notices: WalletNotice[] } | WalletRefusal;

export class BuyerWallet extends SqlObject {
  private readonly store = new WalletStore(this.sql);
  private refreshing: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, WalletStore.SCHEMA);
  }

  /** The clock of leases and the alarm; tests replace it. */
  clock: () => number = () => Date.now();

  /** Reads the ledger again when it never did, the settings moved on, or the last read is old. */
  private async fresh(call: WalletCall, force = false): Promise<void> {
    const s = this.store.state();
    this.store.settle(call.buyerId, call.settings);
    const stale = s === null || call.settings.epoch > s.epoch || this.clock() - s.refreshedAt > REFRESH_MS;
    if (force || stale) await this.refreshOnce(call.buyerId);
  }

  /** One read of the ledger at a time; the spends committed meanwhile stay unbooked (never counted twice). */
  private refreshOnce(buyerId: string): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const { balanceCents, booked } = await walletBook(this.env.DB, buyerId, this.store.unbookedKeys());
        this.store.refreshed(balanceCents, booked, this.clock());
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private refusal(call: WalletCall, held: boolean): WalletRefusal {
    const now = this.clock();
    const notices = held ? [] : this.store.pausedIfShort(call.needCents, now);
    return {
      ok: false,
      held,
      availableCents: this.store.available(),
      retryAfter: held ? (this.store.nextExpiry() ?? now + 1000) : now + 5000,
      notices,
    };
  }

  /** A block of money for an isolate: at least `wantCents` if available, else a quarter of what is. */
  async lease(call: WalletCall & { leaseId: string; wantCents: number; leaseMs: number }): Promise<WalletLease> {
    await this.fresh(call);
    const verdict = judge(this.store.balance(), call.settings, this.store.inUse(), call.needCents);
    if (!verdict.ok) return this.refusal(call, verdict.held);
    const avail = this.store.available();
    const cents = blockSize(avail, Math.max(call.wantCents, call.needCents));
    const expiresAt = this.clock() + call.leaseMs;
    this.sql.exec(
      `INSERT OR IGNORE INTO leases (id, cents, used, state, expires_at) VALUES (?, ?, 0, 'open', ?)`,
      call.leaseId,
      cents,
      expiresAt,
    );
    await this.alarmAt.atMost(expiresAt);
    return {
      ok: true,
      leaseId: call.leaseId,
      cents,
      expiresAt,
      availableCents: avail - cents,
      notices: this.store.resumedIfCovered(call.needCents, this.clock()),
    };
  }

  /** Money for one post (no usable block, or a retry round): held until commit or release. */
  async reserve(
    call: WalletCall & { key: string; cents: number; leaseMs: number; giveBack?: { leaseId: string; cents: number } },
  ): Promise<WalletReservation> {
    // The caller's block too small for this price is handed back first, so it can't hold the money this needs.
    if (call.giveBack) await this.returnLeased(call.giveBack.leaseId, call.giveBack.cents);
    const existing = this.sql.exec<Row>(`SELECT state FROM spends WHERE key = ?`, call.key).toArray()[0];
    if (existing?.state === "held" || existing?.state === "committed")
      return { ok: true, state: existing.state as "held" | "committed", notices: [] };
    await this.fresh(call);
    const verdict = judge(this.store.balance(), call.settings, this.store.inUse(), call.cents);
    if (!verdict.ok) return this.refusal(call, verdict.held);
    const expiresAt = this.clock() + call.leaseMs;
    this.sql.exec(
      `INSERT OR REPLACE INTO spends (key, cents, state, lease_id, booked, expires_at, at) VALUES (?, ?, 'held', NULL, 0, ?, ?)`,
      call.key,
      call.cents,
      expiresAt,
      this.clock(),
    );
    await this.alarmAt.atMost(expiresAt);
    return { ok: true, state: "held", notices: [] };
  }

  /** A held reservation became a sale. Idempotent. */
  async commit(key: string): Promise<WalletNotice[]> {
    const row = this.sql.exec<Row>(`SELECT state FROM spends WHERE key = ?`, key).toArray()[0];
    if (row?.state !== "held") return [];
    const before = this.store.balance();
    this.sql.exec(`UPDATE spends SET state = 'committed', expires_at = ? WHERE key = ?`, this.clock() + DAY, key);
    return this.afterSpend(before);
  }

  /**
   * A sale spent from a block (or recovered from a journal: `leaseId` ""). Idempotent per key. A block
   * closed or unknown still counts the sale: it happened.
   */
  async commitLeased(leaseId: string, key: string, cents: number): Promise<WalletNotice[]> {
    if (this.sql.exec<Row>(`SELECT 1 FROM spends WHERE key = ? AND state = 'committed'`, key).toArray().length > 0) return [];
    const before = this.store.balance();
    const lease = this.sql.exec<Row>(`SELECT state FROM leases WHERE id = ?`, leaseId).toArray()[0];
    if (lease?.state === "open") this.sql.exec(`UPDATE leases SET used = used + ? WHERE id = ?`, cents, leaseId);
    this.sql.exec(
      `INSERT OR REPLACE INTO spends (key, cents, state, lease_id, booked, expires_at, at) VALUES (?, ?, 'committed', ?, 0, ?, ?)`,
      key,
      cents,
      lease?.state === "open" ? leaseId : null,
      this.clock() + DAY,
      this.clock(),
    );
    return this.afterSpend(before);
  }

  private async afterSpend(before: number): Promise<WalletNotice[]> {
    const after = this.store.balance();
    // Unbooked spends are confirmed by the next read of the ledger.
    await this.alarmAt.atMost(this.clock() + REFRESH_MS);
    const s = this.store.state();
    return s && crossedLow(before, after, s.lowBalanceCents) ? this.store.lowNotice(this.clock()) : [];
  }

  /** Gives a held reservation back. Idempotent; a committed sale is never released. */
  async release(key: string): Promise<void> {
    this.sql.exec(`UPDATE spends SET state = 'released', expires_at = ? WHERE key = ? AND state = 'held'`, this.clock() + DAY, key);
  }

  /** Unspent money of an open block handed back before it closes (its isolate took a newer one). */
  async returnLeased(leaseId: string, cents: number): Promise<void> {
    this.sql.exec(`UPDATE leases SET cents = cents - MIN(MAX(?, 0), cents - used) WHERE id = ? AND state = 'open'`, cents, leaseId);
  }

  /** Reads the ledger now (money was booked for this buyer) and says whether it may buy again. */
  async refresh(call: WalletCall): Promise<{ view: WalletView; notices: WalletNotice[] }> {
    await this.fresh(call, true);
    return { view: this.store.view(), notices: this.store.resumedIfCovered(call.needCents, this.clock()) };
  }

  /** The wallet as it stands (the console, the admin API). */
  async view(call: WalletCall): Promise<WalletView> {
    await this.fresh(call);
    return this.store.view();
  }

  /** Forgets everything (tests that reseed their buyers); the next call reads the ledger again. */
  async reset(): Promise<void> {
    for (const t of ["wallet", "spends", "leases"]) this.sql.exec(`DELETE FROM ${t}`);
  }

  /** Closes expired blocks and reservations, confirms unbooked spends, prunes what is settled. */
  override async alarm(): Promise<void> {
    this.alarmAt.fired();
    const now = this.clock();
    this.sql.exec(`UPDATE leases SET state = 'closed' WHERE state = 'open' AND expires_at <= ?`, now);
    this.sql.exec(`UPDATE spends SET state = 'released' WHERE state = 'held' AND expires_at <= ?`, now);
    this.sql.exec(`DELETE FROM leases WHERE state = 'closed' AND expires_at <= ?`, now - DAY);
    // Booked spends are in the ledger's balance: once released or booked and old, they go.
    this.sql.exec(`DELETE FROM spends WHERE (state = 'released' OR booked = 1) AND expires_at <= ?`, now);
    const s = this.store.state();
    if (s && this.store.unbookedKeys().length > 0) await this.refreshOnce(s.buyerId).catch(() => {});
    const next = this.store.nextExpiry();
    if (this.store.unbookedKeys().length > 0) await this.alarmAt.atMost(Math.min(next ?? Infinity, now + REFRESH_MS));
    else if (next !== null) await this.alarmAt.atMost(next);
    else if (Number(this.sql.exec<Row>(`SELECT COUNT(*) AS n FROM spends`).one().n) > 0) await this.alarmAt.atMost(now + DAY);
  }
}
