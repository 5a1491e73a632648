// One CapLedger per buyer contract: hourly, daily and monthly lead counts and daily and monthly
// spend, in windows of the buyer's time zone. A Durable Object runs one request at a time and
// SQLite calls are synchronous, so reserve() checks and takes headroom atomically: concurrency can
// never push a contract over its cap.
//
// reserve -> commit (sale) or release (anything else). A reservation whose worker died mid-post
// expires by alarm and gives its headroom back. Every method is idempotent per reservation id
// (lead id), so a redelivered queue message changes nothing.
//
// Leases keep the post free of a round trip: an isolate takes a small block of headroom (a few
// leads, and a slice of the budget) ahead of time, counted as used until it is closed; it spends
// units locally and reports each sale (commitLeased). When the lease expires, what was not spent is
// given back. Count caps are never exceeded, because a lease is headroom taken.
import type { Env } from "../env";
import { SqlObject, type Row } from "./sql-object";
import type { Caps } from "../rules/model";
import { CapWindows } from "./cap-windows";
import { PostMeter, POST_METER_SCHEMA, type PostPause, type PostRecord } from "./post-meter";
import { capWindowCutoffs, capWindows } from "../lib/time";
import { bindingLimit, DAY, leaseSize, refusal, salesOnly, type CapLimit, type Refusal, type WindowUsage } from "./cap-math";

export type * from "./cap-types";
import type { Headroom, LeaseRequest, LeaseResult, ReserveRequest, ReserveResult, SaleReport, WindowHeadroom } from "./cap-types";

export class CapLedger extends SqlObject {
  private readonly meter = new PostMeter(this.sql);
  private readonly store = new CapWindows(this.sql);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, [
      `CREATE TABLE IF NOT EXISTS usage (window TEXT PRIMARY KEY, count INTEGER NOT NULL, spend INTEGER NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS reservations (
        id TEXT PRIMARY KEY, price INTEGER NOT NULL, windows TEXT NOT NULL,
        state TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS leases (
        id TEXT PRIMARY KEY, windows TEXT NOT NULL, units INTEGER NOT NULL, cents INTEGER,
        used_units INTEGER NOT NULL DEFAULT 0, used_cents INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
      ...POST_METER_SCHEMA,
    ]);
  }

  /**
   * A refusal that says whether sales fill the cap (sold out for the window) or headroom in use does
   * (posts in flight, blocks leased to isolates): then it may free up when the earliest of them ends.
   */
  private refuse(limit: CapLimit, caps: Caps, [h, d, m]: WindowUsage[], price: number, now: number): Refusal {
    const sold = [h!, d!, m!].map((u) => salesOnly(u, this.store.heldIn(u.window)));
    if (bindingLimit(caps, sold[0]!, sold[1]!, sold[2]!, price)) return refusal(limit, now);
    return refusal(limit, now, this.store.nextExpiry() ?? now + 1000);
  }

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    const now = req.now ?? Date.now();
    const existing = this.sql.exec<Row>(`SELECT state FROM reservations WHERE id = ?`, req.reservationId).toArray()[0];
    if (existing?.state === "held" || existing?.state === "committed") return { ok: true, state: existing.state as "held" | "committed" };

    const w = capWindows(now, req.timezone);
    const [h, d, m] = [this.store.usage(`h:${w.hour}`), this.store.usage(`d:${w.day}`), this.store.usage(`m:${w.month}`)];
    const limit = bindingLimit(req.caps, h, d, m, req.priceCents);
    if (limit) return this.refuse(limit, req.caps, [h, d, m], req.priceCents, now);
    const windows = [h.window, d.window, m.window];
    // `now` picks the windows (a controllable clock); the lease runs on the real clock, like its alarm.
    const leaseEnd = Date.now() + req.leaseMs;
    this.store.add(windows, 1, req.priceCents);
    this.sql.exec(
      `INSERT OR REPLACE INTO reservations (id, price, windows, state, expires_at) VALUES (?, ?, ?, 'held', ?)`,
      req.reservationId,
      req.priceCents,
      JSON.stringify(windows),
      leaseEnd,
    );
    await this.alarmAt.atMost(leaseEnd);
    return { ok: true, state: "held" };
  }

  /**
   * A block of headroom for an isolate: up to `units` leads (at most a quarter of what the tightest
   * count cap has left, at least one), and a quarter of the tightest budget's remainder.
   */
  async lease(req: LeaseRequest): Promise<LeaseResult> {
    const now = req.now ?? Date.now();
    const w = capWindows(now, req.timezone);
    const [h, d, m] = [this.store.usage(`h:${w.hour}`), this.store.usage(`d:${w.day}`), this.store.usage(`m:${w.month}`)];
    const limit = bindingLimit(req.caps, h, d, m, 1);
    if (limit) return this.refuse(limit, req.caps, [h, d, m], 1, now);
    const { units, cents } = leaseSize(req.caps, h, d, m, req.units);
    const windows = [h.window, d.window, m.window];
    const expiresAt = Date.now() + req.leaseMs;
    this.store.add(windows, units, cents ?? 0);
    this.sql.exec(
      `INSERT INTO leases (id, windows, units, cents, state, expires_at) VALUES (?, ?, ?, ?, 'open', ?)`,
      req.leaseId,
      JSON.stringify(windows),
      units,
      cents,
      expiresAt,
    );
    await this.alarmAt.atMost(expiresAt);
    return { ok: true, leaseId: req.leaseId, units, cents, windows, expiresAt };
  }

  /**
   * A sale made from a lease. Idempotent per reservation id. If the lease was already closed (its
   * worker stalled past the lease) or is unknown (a recovered sale whose own reservation expired),
   * the sale is still counted: it happened.
   */
  async commitLeased(leaseId: string, reservationId: string, priceCents: number, timezone: string, now = Date.now()): Promise<void> {
    const done = this.sql.exec<Row>(`SELECT 1 FROM reservations WHERE id = ? AND state = 'committed'`, reservationId).toArray()[0];
    if (done) return;
    const lease = this.sql.exec<Row>(`SELECT windows, cents, state FROM leases WHERE id = ?`, leaseId).toArray()[0];
    let windows: string[];
    if (lease && lease.state === "open") {
      windows = JSON.parse(String(lease.windows)) as string[];
      this.sql.exec(`UPDATE leases SET used_units = used_units + 1, used_cents = used_cents + ? WHERE id = ?`, priceCents, leaseId);
      // A lease without a budget slice counted no spend up front.
      if (lease.cents === null) this.store.add(windows, 0, priceCents);
    } else {
      const w = capWindows(now, timezone);
      windows = lease ? (JSON.parse(String(lease.windows)) as string[]) : [`h:${w.hour}`, `d:${w.day}`, `m:${w.month}`];
      this.store.add(windows, 1, priceCents);
    }
    this.sql.exec(
      `INSERT OR REPLACE INTO reservations (id, price, windows, state, expires_at) VALUES (?, ?, ?, 'committed', ?)`,
      reservationId,
      priceCents,
      JSON.stringify(windows),
      Date.now(),
    );
  }

  /**
   * Unspent units of an open lease handed back before it closes (its isolate took a newer block
   * meanwhile): the headroom is free for everyone at once, not when the old block expires. Never
   * more than the lease has unspent; units still in flight are not the isolate's to return.
   */
  async returnLeased(leaseId: string, units: number, cents: number): Promise<void> {
    const lease = this.sql
      .exec<Row>(`SELECT windows, units, used_units, cents, used_cents, state FROM leases WHERE id = ?`, leaseId)
      .toArray()[0];
    if (!lease || lease.state !== "open") return;
    const n = Math.max(0, Math.min(units, Number(lease.units) - Number(lease.used_units)));
    const c = lease.cents === null ? 0 : Math.max(0, Math.min(cents, Number(lease.cents) - Number(lease.used_cents)));
    if (n === 0 && c === 0) return;
    this.sql.exec(
      `UPDATE leases SET units = units - ?, cents = CASE WHEN cents IS NULL THEN NULL ELSE cents - ? END WHERE id = ?`,
      n,
      c,
      leaseId,
    );
    this.store.add(JSON.parse(String(lease.windows)) as string[], -n, -c);
  }

  /** Closes a lease: what was not spent goes back to the windows it was taken from. Idempotent. */
  private closeLease(leaseId: string): void {
    const row = this.sql
      .exec<Row>(`SELECT windows, units, cents, used_units, used_cents, state FROM leases WHERE id = ?`, leaseId)
      .toArray()[0];
    if (!row || row.state !== "open") return;
    const unusedCents = row.cents === null ? 0 : Math.max(0, Number(row.cents) - Number(row.used_cents));
    this.store.add(JSON.parse(String(row.windows)) as string[], -(Number(row.units) - Number(row.used_units)), -unusedCents);
    this.sql.exec(`UPDATE leases SET state = 'closed' WHERE id = ?`, leaseId);
  }

  /** Turns a held reservation into a sale. Idempotent; false if there was nothing to commit. */
  async commit(reservationId: string): Promise<boolean> {
    const row = this.sql.exec<Row>(`SELECT state FROM reservations WHERE id = ?`, reservationId).toArray()[0];
    if (!row) return false;
    if (row.state === "committed") return true;
    if (row.state !== "held") return false;
    this.sql.exec(`UPDATE reservations SET state = 'committed' WHERE id = ?`, reservationId);
    return true;
  }

  /** Gives a held reservation's headroom back. Idempotent; a committed sale is never released. */
  async release(reservationId: string): Promise<boolean> {
    return this.releaseHeld(reservationId);
  }

  private releaseHeld(reservationId: string): boolean {
    const row = this.sql.exec<Row>(`SELECT state, price, windows FROM reservations WHERE id = ?`, reservationId).toArray()[0];
    if (!row || row.state !== "held") return false;
    this.store.add(JSON.parse(String(row.windows)) as string[], -1, -Number(row.price));
    this.sql.exec(`UPDATE reservations SET state = 'released' WHERE id = ?`, reservationId);
    return true;
  }

  /**
   * Usage of the current windows. `count`/`spendCents` are what is taken (sales, posts in flight and
   * unspent lease units), `sold`/`soldCents` the sales alone.
   */
  async headroom(caps: Caps, timezone: string, now = Date.now()): Promise<Headroom> {
    const w = capWindows(now, timezone);
    const held = Number(this.sql.exec<Row>(`SELECT COUNT(*) AS n FROM reservations WHERE state = 'held'`).one().n);
    const leased = Number(this.sql.exec<Row>(`SELECT COALESCE(SUM(units - used_units), 0) AS n FROM leases WHERE state = 'open'`).one().n);
    const window = (name: string): WindowHeadroom => {
      const u = this.store.usage(name);
      const inUse = this.store.heldIn(name);
      return { ...u, sold: u.count - inUse.count, soldCents: u.spendCents - inUse.cents };
    };
    return { hour: window(`h:${w.hour}`), day: window(`d:${w.day}`), month: window(`m:${w.month}`), caps, held, leased };
  }

  /**
   * A batch of what an isolate reports after the fact (src/services/cap-reports.ts): sales spent from
   * its blocks, and posts that reached the buyer. One call for many leads; the verdict on the posts.
   */
  async report(batch: { sales: SaleReport[]; posts: PostRecord[] }): Promise<PostPause | null> {
    for (const s of batch.sales) await this.commitLeased(s.leaseId, s.reservationId, s.priceCents, s.timezone, s.at);
    let verdict: PostPause | null = null;
    for (const p of batch.posts) verdict = this.meter.record(p, p.now ?? this.clock()) ?? verdict;
    return verdict;
  }

  /** Forgets the post meter (its window and any pause): for tests that reseed their buyers. */
  async resetPostMeter(): Promise<void> {
    this.meter.reset();
  }

  /** Usage windows the retention rule (`capWindowCutoffs`, lib/time.ts) says are done with. */
  pruneWindows(now: number): void {
    const cut = capWindowCutoffs(now);
    this.sql.exec(`DELETE FROM usage WHERE (window LIKE 'h:%' OR window LIKE 'd:%') AND substr(window, 3, 10) < ?`, cut.day);
    this.sql.exec(`DELETE FROM usage WHERE window LIKE 'm:%' AND substr(window, 3, 7) < ?`, cut.month);
  }

  /** The alarm's clock; tests replace it to run maintenance at an injected instant. */
  clock: () => number = () => Date.now();

  /** Expires stale leases and prunes old windows and reservations, so storage stays bounded. */
  override async alarm(): Promise<void> {
    this.alarmAt.fired();
    const now = this.clock();
    const expired = this.sql.exec<Row>(`SELECT id FROM reservations WHERE state = 'held' AND expires_at <= ?`, now).toArray();
    for (const r of expired) this.releaseHeld(String(r.id));
    const leases = this.sql.exec<Row>(`SELECT id FROM leases WHERE state = 'open' AND expires_at <= ?`, now).toArray();
    for (const l of leases) this.closeLease(String(l.id));
    this.sql.exec(`DELETE FROM leases WHERE state = 'closed' AND expires_at <= ?`, now - DAY);
    // Settled reservations are kept for a day (idempotency of late redeliveries), then dropped.
    this.sql.exec(`DELETE FROM reservations WHERE state != 'held' AND expires_at <= ?`, now - DAY);
    this.pruneWindows(now);
    const next = this.sql
      .exec<Row>(
        `SELECT MIN(at) AS at FROM (SELECT MIN(expires_at) AS at FROM reservations WHERE state = 'held' UNION ALL SELECT MIN(expires_at) FROM leases WHERE state = 'open')`,
      )
      .one().at;
    const settled = this.sql
      .exec<Row>(`SELECT (SELECT COUNT(*) FROM reservations WHERE state != 'held') + (SELECT COUNT(*) FROM leases) AS n`)
      .one().n;
    if (next !== null) await this.alarmAt.atMost(Number(next));
    else if (Number(settled) > 0) await this.alarmAt.atMost(now + DAY);
  }
}
