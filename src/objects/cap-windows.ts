// A CapLedger's counts in SQLite: usage per cap window (sales, posts in flight and leased units alike),
// and how much of it is headroom in use rather than sales (held reservations, unspent lease units).
import type { WindowUsage } from "./cap-math";
import type { Row } from "./sql-object";

export class CapWindows {
  constructor(private readonly sql: SqlStorage) {}

  usage(window: string): WindowUsage {
    const row = this.sql.exec<Row>(`SELECT count, spend FROM usage WHERE window = ?`, window).toArray()[0];
    return { window, count: Number(row?.count ?? 0), spendCents: Number(row?.spend ?? 0) };
  }

  add(windows: string[], count: number, spend: number): void {
    for (const w of windows)
      this.sql.exec(
        `INSERT INTO usage (window, count, spend) VALUES (?, ?, ?)
         ON CONFLICT(window) DO UPDATE SET count = count + excluded.count, spend = spend + excluded.spend`,
        w,
        count,
        spend,
      );
  }

  /** Headroom in use in a window: held reservations, and the unspent units and cents of open leases. */
  heldIn(window: string): { count: number; cents: number } {
    const r = this.sql
      .exec<Row>(
        `SELECT COUNT(*) AS n, COALESCE(SUM(price), 0) AS c FROM reservations, json_each(reservations.windows) WHERE state = 'held' AND json_each.value = ?`,
        window,
      )
      .one();
    const l = this.sql
      .exec<Row>(
        `SELECT COALESCE(SUM(units - used_units), 0) AS n, COALESCE(SUM(CASE WHEN cents IS NULL THEN 0 ELSE cents - used_cents END), 0) AS c
         FROM leases, json_each(leases.windows) WHERE state = 'open' AND json_each.value = ?`,
        window,
      )
      .one();
    return { count: Number(r.n) + Number(l.n), cents: Number(r.c) + Number(l.c) };
  }

  /** When the earliest held reservation or open lease ends (and headroom may come back), or null. */
  nextExpiry(): number | null {
    const at = this.sql
      .exec<Row>(
        `SELECT MIN(at) AS at FROM (SELECT MIN(expires_at) AS at FROM reservations WHERE state = 'held' UNION ALL SELECT MIN(expires_at) FROM leases WHERE state = 'open')`,
      )
      .one().at;
    return at === null ? null : Number(at);
  }
}
