// A BuyerWallet's state in its SQLite: the ledger balance last read and the settings, the spends
// (held reservations, committed sales not yet booked in the ledger) and the blocks leased to
// isolates; the sums the wallet judges with, and the notices it raises (low balance, paused for
// its balance, buying again).
import { available, spendable, type WalletSettings } from "../billing/wallet";
import type { Row } from "./sql-object";

export interface WalletNotice {
  kind: "balance_low" | "paused_for_balance" | "resumed";
  balanceCents: number;
  availableCents: number;
  /** The threshold crossed (balance_low) or the least price it must cover (paused, resumed). */
  limitCents: number | null;
  at: number;
}

export interface WalletView {
  mode: WalletSettings["mode"];
  creditLimitCents: number;
  lowBalanceCents: number | null;
  /** The ledger's balance less the sales it has not booked yet. */
  balanceCents: number;
  availableCents: number;
  /** Held by posts in flight. */
  heldCents: number;
  /** Leased to isolates and not spent yet. */
  leasedCents: number;
  low: boolean;
  paused: boolean;
  refreshedAt: number;
}

export interface WalletState extends WalletSettings {
  buyerId: string;
  book: number;
  refreshedAt: number;
  low: boolean;
  paused: boolean;
}

export class WalletStore {
  static readonly SCHEMA = [
    `CREATE TABLE IF NOT EXISTS wallet (
      k INTEGER PRIMARY KEY CHECK (k = 1), buyer_id TEXT NOT NULL, book INTEGER NOT NULL DEFAULT 0, epoch INTEGER NOT NULL,
      mode TEXT NOT NULL, credit_limit INTEGER NOT NULL, low_balance INTEGER, refreshed_at INTEGER NOT NULL DEFAULT 0,
      low INTEGER NOT NULL DEFAULT 0, paused INTEGER NOT NULL DEFAULT 0)`,
    `CREATE TABLE IF NOT EXISTS spends (
      key TEXT PRIMARY KEY, cents INTEGER NOT NULL, state TEXT NOT NULL, lease_id TEXT, booked INTEGER NOT NULL DEFAULT 0,
      expires_at INTEGER NOT NULL, at INTEGER NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS leases (id TEXT PRIMARY KEY, cents INTEGER NOT NULL, used INTEGER NOT NULL, state TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
  ];

  constructor(private readonly sql: SqlStorage) {}

  state(): WalletState | null {
    const r = this.sql.exec<Row>(`SELECT * FROM wallet WHERE k = 1`).toArray()[0];
    if (!r) return null;
    return {
      buyerId: String(r.buyer_id),
      book: Number(r.book),
      epoch: Number(r.epoch),
      mode: r.mode === "credit" ? "credit" : "prepaid",
      creditLimitCents: Number(r.credit_limit),
      lowBalanceCents: r.low_balance === null ? null : Number(r.low_balance),
      refreshedAt: Number(r.refreshed_at),
      low: Number(r.low) === 1,
      paused: Number(r.paused) === 1,
    };
  }

  /** Takes the settings of a call unless the wallet knows newer ones (a higher epoch). */
  settle(buyerId: string, s: WalletSettings): void {
    this.sql.exec(
      `INSERT INTO wallet (k, buyer_id, epoch, mode, credit_limit, low_balance) VALUES (1, ?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (k) DO UPDATE SET epoch = ?2, mode = ?3, credit_limit = ?4, low_balance = ?5 WHERE ?2 >= epoch`,
      buyerId,
      s.epoch,
      s.mode,
      s.creditLimitCents,
      s.lowBalanceCents,
    );
  }

  unbookedKeys(): string[] {
    return this.sql
      .exec<Row>(`SELECT key FROM spends WHERE state = 'committed' AND booked = 0`)
      .toArray()
      .map((r) => String(r.key));
  }

  /** The ledger was read: its balance, and which spends it has booked (no longer taken off it here). */
  refreshed(bookCents: number, booked: string[], now: number): void {
    this.sql.exec(`UPDATE wallet SET book = ?, refreshed_at = ? WHERE k = 1`, bookCents, now);
    this.sql.exec(`UPDATE spends SET booked = 1 WHERE key IN (SELECT value FROM json_each(?))`, JSON.stringify(booked));
    const s = this.state();
    if (s && s.low && (s.lowBalanceCents === null || this.balance() >= s.lowBalanceCents))
      this.sql.exec(`UPDATE wallet SET low = 0 WHERE k = 1`);
  }

  balance(): number {
    const book = Number(this.sql.exec<Row>(`SELECT COALESCE(MAX(book), 0) AS b FROM wallet`).one().b);
    const unbooked = Number(
      this.sql.exec<Row>(`SELECT COALESCE(SUM(cents), 0) AS c FROM spends WHERE state = 'committed' AND booked = 0`).one().c,
    );
    return book - unbooked;
  }

  private held(): number {
    return Number(this.sql.exec<Row>(`SELECT COALESCE(SUM(cents), 0) AS c FROM spends WHERE state = 'held'`).one().c);
  }

  private leased(): number {
    return Number(this.sql.exec<Row>(`SELECT COALESCE(SUM(cents - used), 0) AS c FROM leases WHERE state = 'open'`).one().c);
  }

  inUse(): number {
    return this.held() + this.leased();
  }

  available(): number {
    const s = this.state();
    return s ? available(this.balance(), s, this.inUse()) : 0;
  }

  nextExpiry(): number | null {
    const at = this.sql
      .exec<Row>(
        `SELECT MIN(at) AS at FROM (SELECT MIN(expires_at) AS at FROM spends WHERE state = 'held' UNION ALL SELECT MIN(expires_at) FROM leases WHERE state = 'open')`,
      )
      .one().at;
    return at === null ? null : Number(at);
  }

  private notice(kind: WalletNotice["kind"], limitCents: number | null, at: number): WalletNotice {
    return { kind, balanceCents: this.balance(), availableCents: this.available(), limitCents, at };
  }

  lowNotice(at: number): WalletNotice[] {
    const s = this.state();
    if (!s || s.low) return [];
    this.sql.exec(`UPDATE wallet SET low = 1 WHERE k = 1`);
    return [this.notice("balance_low", s.lowBalanceCents, at)];
  }

  /** The balance can't cover the least price: paused for it (one notice until it buys again). */
  pausedIfShort(needCents: number, at: number): WalletNotice[] {
    const s = this.state();
    if (!s || s.paused || spendable(this.balance(), s) >= needCents) return [];
    this.sql.exec(`UPDATE wallet SET paused = 1 WHERE k = 1`);
    return [this.notice("paused_for_balance", needCents, at)];
  }

  /** Paused, and the balance covers the least price again: buying again. */
  resumedIfCovered(needCents: number, at: number): WalletNotice[] {
    const s = this.state();
    if (!s?.paused || spendable(this.balance(), s) < needCents) return [];
    this.sql.exec(`UPDATE wallet SET paused = 0 WHERE k = 1`);
    return [this.notice("resumed", needCents, at)];
  }

  view(): WalletView {
    const s = this.state();
    return {
      mode: s?.mode ?? "prepaid",
      creditLimitCents: s?.creditLimitCents ?? 0,
      lowBalanceCents: s?.lowBalanceCents ?? null,
      balanceCents: this.balance(),
      availableCents: this.available(),
      heldCents: this.held(),
      leasedCents: this.leased(),
      low: s?.low ?? false,
      paused: s?.paused ?? false,
      refreshedAt: s?.refreshedAt ?? 0,
    };
  }
}
