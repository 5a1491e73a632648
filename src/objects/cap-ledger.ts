// One CapLedger per buyer contract: hourly, daily and monthly lead counts and daily and monthly
// spend, in windows of the buyer's time zone. A Durable Object runs one request at a time and
// SQLite calls are synchronous, so reserve() checks and takes headroom atomically: concurrency can
// never push a contract over its cap.
//
// reserve -> commit (sale) or release (anything else). A reservation whose worker died mid-post
// expires by alarm and gives its headroom back. Every method is idempotent per reservation id
// (lead id), so a redelivered queue message changes nothing.
import type { Env } from "../env";
import { SqlObject, type Row } from "./sql-object";
import type { Caps } from "../rules/compile";
import { capWindows } from "../lib/time";

export interface ReserveRequest {
  reservationId: string;
  caps: Caps;
  timezone: string;
  priceCents: number;
  leaseMs: number;
  /** The instant whose cap windows count (defaults to now). */
  now?: number;
}

export type CapLimit = "cap_hour" | "cap_day" | "cap_month" | "budget_day" | "budget_month";
export type ReserveResult =
  | { ok: true; state: "held" | "committed" }
  | { ok: false; limit: CapLimit; /** When the limiting window ends (epoch ms, upper bound). */ retryAfter: number };

export interface WindowUsage {
  window: string;
  count: number;
  spendCents: number;
}

export interface Headroom {
  hour: WindowUsage;
  day: WindowUsage;
  month: WindowUsage;
  caps: Caps;
  held: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export class CapLedger extends SqlObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, [
      `CREATE TABLE IF NOT EXISTS usage (window TEXT PRIMARY KEY, count INTEGER NOT NULL, spend INTEGER NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS reservations (
        id TEXT PRIMARY KEY, price INTEGER NOT NULL, windows TEXT NOT NULL,
        state TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
    ]);
  }

  private usage(window: string): WindowUsage {
    const row = this.sql.exec<Row>(`SELECT count, spend FROM usage WHERE window = ?`, window).toArray()[0];
    return { window, count: Number(row?.count ?? 0), spendCents: Number(row?.spend ?? 0) };
  }

  private add(windows: string[], count: number, spend: number): void {
    for (const w of windows)
      this.sql.exec(
        `INSERT INTO usage (window, count, spend) VALUES (?, ?, ?)
         ON CONFLICT(window) DO UPDATE SET count = count + excluded.count, spend = spend + excluded.spend`,
        w,
        count,
        spend,
      );
  }

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    const now = req.now ?? Date.now();
    const existing = this.sql.exec<Row>(`SELECT state FROM reservations WHERE id = ?`, req.reservationId).toArray()[0];
    if (existing?.state === "held" || existing?.state === "committed")
      return { ok: true, state: existing.state as "held" | "committed" };

    const w = capWindows(now, req.timezone);
    const [h, d, m] = [this.usage(`h:${w.hour}`), this.usage(`d:${w.day}`), this.usage(`m:${w.month}`)];
    const c = req.caps;
    const limit: CapLimit | undefined =
      c.hour !== null && h.count + 1 > c.hour ? "cap_hour"
      : c.day !== null && d.count + 1 > c.day ? "cap_day"
      : c.month !== null && m.count + 1 > c.month ? "cap_month"
      : c.budgetDayCents !== null && d.spendCents + req.priceCents > c.budgetDayCents ? "budget_day"
      : c.budgetMonthCents !== null && m.spendCents + req.priceCents > c.budgetMonthCents ? "budget_month"
      : undefined;
    if (limit) {
      const span = limit === "cap_hour" ? HOUR : limit === "cap_day" || limit === "budget_day" ? DAY : 31 * DAY;
      return { ok: false, limit, retryAfter: now + span };
    }
    const windows = [h.window, d.window, m.window];
    // `now` picks the windows (a controllable clock); the lease runs on the real clock, like its alarm.
    const leaseEnd = Date.now() + req.leaseMs;
    this.add(windows, 1, req.priceCents);
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
    this.add(JSON.parse(String(row.windows)) as string[], -1, -Number(row.price));
    this.sql.exec(`UPDATE reservations SET state = 'released' WHERE id = ?`, reservationId);
    return true;
  }

  async headroom(caps: Caps, timezone: string, now = Date.now()): Promise<Headroom> {
    const w = capWindows(now, timezone);
    const held = Number(this.sql.exec<Row>(`SELECT COUNT(*) AS n FROM reservations WHERE state = 'held'`).one().n);
    return { hour: this.usage(`h:${w.hour}`), day: this.usage(`d:${w.day}`), month: this.usage(`m:${w.month}`), caps, held };
  }

  /** Expires stale leases and prunes old windows and reservations, so storage stays bounded. */
  override async alarm(): Promise<void> {
    this.alarmAt.fired();
    const now = Date.now();
    const expired = this.sql.exec<Row>(`SELECT id FROM reservations WHERE state = 'held' AND expires_at <= ?`, now).toArray();
    for (const r of expired) this.releaseHeld(String(r.id));
    // Settled reservations are kept for a day (idempotency of late redeliveries), then dropped.
    this.sql.exec(`DELETE FROM reservations WHERE state != 'held' AND expires_at <= ?`, now - DAY);
    const oldMonth = capWindows(now - 62 * DAY, "UTC").month;
    this.sql.exec(`DELETE FROM usage WHERE (window LIKE 'h:%' OR window LIKE 'd:%') AND substr(window, 3, 10) < ?`, capWindows(now - 3 * DAY, "UTC").day);
    this.sql.exec(`DELETE FROM usage WHERE window LIKE 'm:%' AND substr(window, 3, 7) < ?`, oldMonth);
    const next = this.sql.exec<Row>(`SELECT MIN(expires_at) AS at FROM reservations WHERE state = 'held'`).one().at;
    const settled = this.sql.exec<Row>(`SELECT COUNT(*) AS n FROM reservations WHERE state != 'held'`).one().n;
    if (next !== null) await this.alarmAt.atMost(Number(next));
    else if (Number(settled) > 0) await this.alarmAt.atMost(now + DAY);
  }
}
