// Dedupe records, sharded by consumer fingerprint (a hash of a normalized phone or email) so no
// single object is hot. One record says: under `key` (campaign:ID, buyer:ID or contract:ID) this
// consumer was claimed by `ref` (a lead id) until `expires_at`. Claims are atomic (one request at a
// time, synchronous SQLite) and idempotent per ref. Expired records are purged by alarm, so
// storage is bounded by the traffic inside the longest window.
import type { Env } from "../env";
import { SqlObject, type Row } from "./sql-object";

export interface ClaimRequest {
  key: string;
  fingerprint: string;
  ref: string;
  windowS: number;
  now?: number;
}

export type ClaimResult = { ok: true } | { ok: false; ref: string };

export class DedupeShard extends SqlObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, [
      `CREATE TABLE IF NOT EXISTS seen (
        key TEXT NOT NULL, fp TEXT NOT NULL, ref TEXT NOT NULL, expires_at INTEGER NOT NULL,
        PRIMARY KEY (key, fp))`,
      `CREATE INDEX IF NOT EXISTS seen_expiry ON seen (expires_at)`,
    ]);
  }

  private live(key: string, fp: string, now: number): string | undefined {
    const row = this.sql.exec<Row>(`SELECT ref FROM seen WHERE key = ? AND fp = ? AND expires_at > ?`, key, fp, now).toArray()[0];
    return row ? String(row.ref) : undefined;
  }

  /** Claims a fingerprint under a key unless another ref holds it inside its window. */
  async claim(req: ClaimRequest): Promise<ClaimResult> {
    const now = req.now ?? Date.now();
    const holder = this.live(req.key, req.fingerprint, now);
    if (holder !== undefined && holder !== req.ref) return { ok: false, ref: holder };
    if (holder === undefined) {
      const expiresAt = now + req.windowS * 1000;
      this.sql.exec(
        `INSERT OR REPLACE INTO seen (key, fp, ref, expires_at) VALUES (?, ?, ?, ?)`,
        req.key,
        req.fingerprint,
        req.ref,
        expiresAt,
      );
      await this.alarmAt.atMost(expiresAt);
    }
    return { ok: true };
  }

  /**
   * The campaign-level claim and the buyer-level look-up of ingestion in one round trip: claims
   * `claim` and returns which of `keys` already hold this fingerprint for another ref.
   */
  async claimAndCheck(claim: ClaimRequest | null, fingerprint: string, keys: string[], now = Date.now()): Promise<{ claim: ClaimResult | null; held: string[] }> {
    const result = claim ? await this.claim({ ...claim, now }) : null;
    const held: string[] = [];
    for (const key of keys) {
      const holder = this.live(key, fingerprint, now);
      if (holder !== undefined && holder !== claim?.ref) held.push(key);
    }
    return { claim: result, held };
  }

  /** Drops a claim held by `ref` (a post that did not sell). */
  async release(key: string, fingerprint: string, ref: string): Promise<void> {
    this.sql.exec(`DELETE FROM seen WHERE key = ? AND fp = ? AND ref = ?`, key, fingerprint, ref);
  }

  async size(): Promise<number> {
    return Number(this.sql.exec<Row>(`SELECT COUNT(*) AS n FROM seen`).one().n);
  }

  override async alarm(): Promise<void> {
    this.alarmAt.fired();
    const now = Date.now();
    this.sql.exec(`DELETE FROM seen WHERE expires_at <= ?`, now);
    const next = this.sql.exec<Row>(`SELECT MIN(expires_at) AS at FROM seen`).one().at;
    if (next !== null) await this.alarmAt.atMost(Number(next));
  }
}
