// The offers made to publishers that ping leadgate (POST /v1/pings): the bids their ping collected,
// held until the offer expires or its post (POST /v1/posts) takes it. A pool per location, like the
// journals: the publisher's post usually reaches the same colo, and the offer's id names its book.
// `take` is atomic (one request at a time), so an offer is posted at most once.
import type { HeldBid } from "../auction/bids";
import type { PingRow } from "../db/schema";
import type { Env } from "../env";
import { SqlObject, type Row } from "./sql-object";

export interface Offer {
  pingId: string;
  sourceId: string;
  campaignId: string;
  /** The lead id the post will store the lead under (the pings are recorded with it). */
  leadId: string;
  /** The ping-safe fields the publisher sent: the post must carry the same. */
  fields: Record<string, unknown>;
  bids: HeldBid[];
  pings: PingRow[];
  payoutCents: number;
  expiresAt: number;
}

export type TakeResult = { ok: true; offer: Offer } | { ok: false; error: "unknown" | "expired" | "used" };

export class PingBook extends SqlObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, [
      `CREATE TABLE IF NOT EXISTS offers (
        ping_id TEXT PRIMARY KEY, source_id TEXT NOT NULL, body TEXT NOT NULL, expires_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0)`,
    ]);
  }

  async hold(offer: Offer): Promise<void> {
    this.sql.exec(
      `INSERT OR IGNORE INTO offers (ping_id, source_id, body, expires_at) VALUES (?, ?, ?, ?)`,
      offer.pingId,
      offer.sourceId,
      JSON.stringify(offer),
      offer.expiresAt,
    );
    // Kept a day past expiry, so a late post is told `expired`, not `unknown`.
    await this.alarmAt.atMost(offer.expiresAt + 86_400_000);
  }

  /** The offer for this source's post, marked used; a foreign source is told `unknown`. */
  async take(pingId: string, sourceId: string, now = Date.now()): Promise<TakeResult> {
    const row = this.sql.exec<Row>(`SELECT source_id, body, expires_at, used FROM offers WHERE ping_id = ?`, pingId).toArray()[0];
    if (!row || row.source_id !== sourceId) return { ok: false, error: "unknown" };
    if (Number(row.used) === 1) return { ok: false, error: "used" };
    if (Number(row.expires_at) <= now) return { ok: false, error: "expired" };
    this.sql.exec(`UPDATE offers SET used = 1 WHERE ping_id = ?`, pingId);
    return { ok: true, offer: JSON.parse(String(row.body)) as Offer };
  }

  override async alarm(): Promise<void> {
    this.alarmAt.fired();
    const now = Date.now();
    this.sql.exec(`DELETE FROM offers WHERE expires_at <= ?`, now - 86_400_000);
    const next = this.sql.exec<Row>(`SELECT MIN(expires_at) AS at FROM offers`).one().at;
    if (next !== null) await this.alarmAt.atMost(Number(next) + 86_400_000);
  }
}
