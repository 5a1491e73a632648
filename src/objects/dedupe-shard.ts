// Dedupe records, sharded by consumer fingerprint (a hash of a normalized phone or email) so no
// single object is hot. One record says: under `key` (campaign:ID, buyer:ID or contract:ID) this
// consumer was claimed by `ref` (a lead id) until `expires_at`. Claims are atomic (one request at a
// time, synchronous SQLite) and idempotent per ref. Expired records are purged by alarm, so
// storage is bounded by the traffic inside the longest window.
//
// Two kinds of short-lived record keep the seller's wait at one round trip (docs/ARCHITECTURE.md):
// - a *tentative* campaign claim, made by the intake in parallel for every fingerprint and confirmed
//   (given its full window) once the lead holds all of them; a lead that meets another's tentative
//   claim knows it is racing an identical lead rather than meeting an earlier one;
// - a *hold* on the buyer keys a lead may be posted to, placed by the same call, so the post needs no
//   buyer-level claim of its own: a key held by one lead counts as taken for every other lead until
//   the hold is released (after the round) or turned into a claim (a sale).
//
// Erasure removes every record of a fingerprint and leaves a tombstone for an hour (longer than any
// round): a round that was in flight when its consumer was erased settles its holds after the
// erasure, and those writes must not bring the consumer back. Writes for a tombstoned fingerprint are
// dropped (a claim succeeds without being kept); the fingerprint is the peppered hash the suppression
// list keeps anyway.
import type { Env } from "../env";
import { SqlObject, type Row } from "./sql-object";

export interface ClaimRequest {
  key: string;
  fingerprint: string;
  ref: string;
  windowS: number;
  /** Tentative: expires after `windowS` unless confirmed with the full window. */
  tentative?: boolean;
  now?: number;
}

export type ClaimResult = { ok: true } | { ok: false; ref: string; tentative: boolean };

export interface IntakeCheck {
  /** The lead asking: its own holds never count against it. */
  ref: string;
  /** The campaign claim (tentative), or null when the campaign does not dedupe. */
  claim: Omit<ClaimRequest, "fingerprint" | "now" | "ref"> | null;
  fingerprint: string;
  /** Count the lead's own buyer claims as taken (a recovered round must not sell twice to a buyer). */
  ownClaimsCount?: boolean;
  /** Buyer keys to report as taken by another lead. */
  keys: string[];
  /** Buyer keys to hold for this lead (those not taken), for `holdS` seconds. */
  hold: { keys: string[]; holdS: number } | null;
}

export interface IntakeAnswer {
  claim: ClaimResult | null;
  /** Keys among `keys` claimed or held by another lead. */
  held: string[];
}

interface Holder {
  ref: string;
  tentative: boolean;
}

/** How long an erased fingerprint's records stay refused (any round in flight at the erasure is over by then). */
export const TOMBSTONE_MS = 3_600_000;

export class DedupeShard extends SqlObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, [
      `CREATE TABLE IF NOT EXISTS seen (
        key TEXT NOT NULL, fp TEXT NOT NULL, ref TEXT NOT NULL, expires_at INTEGER NOT NULL,
        PRIMARY KEY (key, fp))`,
      `CREATE INDEX IF NOT EXISTS seen_expiry ON seen (expires_at)`,
      `CREATE TABLE IF NOT EXISTS holds (
        fp TEXT NOT NULL, ref TEXT NOT NULL, keys TEXT NOT NULL, expires_at INTEGER NOT NULL,
        PRIMARY KEY (fp, ref))`,
      `CREATE TABLE IF NOT EXISTS erased (fp TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)`,
    ]);
    this.addColumn("seen", "tentative", "INTEGER NOT NULL DEFAULT 0");
  }

  /**
   * Who else holds `key` for this fingerprint: a claim, or a hold placed by another lead's intake.
   */
  private holder(key: string, fp: string, now: number, self: string): Holder | undefined {
    const row = this.sql
      .exec<Row>(`SELECT ref, tentative FROM seen WHERE key = ? AND fp = ? AND expires_at > ?`, key, fp, now)
      .toArray()[0];
    if (row && row.ref !== self) return { ref: String(row.ref), tentative: Number(row.tentative) === 1 };
    const hold = this.sql
      .exec<Row>(
        `SELECT ref FROM holds, json_each(holds.keys) WHERE fp = ? AND expires_at > ? AND ref != ? AND json_each.value = ? LIMIT 1`,
        fp,
        now,
        self,
        key,
      )
      .toArray()[0];
    return hold ? { ref: String(hold.ref), tentative: true } : undefined;
  }

  /** Which of `keys` another lead claims or holds for this fingerprint: two queries, whatever the count. */
  private heldByOthers(keys: string[], fp: string, now: number, self: string, ownClaims = false): string[] {
    if (keys.length === 0) return [];
    const held = new Set<string>();
    const claimed = this.sql.exec<Row>(
      `SELECT key, ref FROM seen WHERE fp = ? AND expires_at > ? AND key IN (SELECT value FROM json_each(?))`,
      fp,
      now,
      JSON.stringify(keys),
    );
    for (const r of claimed) if (ownClaims || r.ref !== self) held.add(String(r.key));
    const holds = this.sql.exec<Row>(
      `SELECT DISTINCT j.value AS key FROM holds, json_each(holds.keys) AS j WHERE fp = ? AND expires_at > ? AND ref != ?`,
      fp,
      now,
      self,
    );
    for (const r of holds) held.add(String(r.key));
    return keys.filter((k) => held.has(k));
  }

  /** The fingerprint was erased within the hour: nothing is recorded for it. */
  private erased(fp: string, now: number): boolean {
    return this.sql.exec<Row>(`SELECT 1 FROM erased WHERE fp = ? AND expires_at > ?`, fp, now).toArray().length > 0;
  }

  /** Claims a fingerprint under a key unless another ref claims or holds it inside its window. */
  async claim(req: ClaimRequest): Promise<ClaimResult> {
    const now = req.now ?? Date.now();
    if (this.erased(req.fingerprint, now)) return { ok: true };
    const other = this.holder(req.key, req.fingerprint, now, req.ref);
    if (other) return { ok: false, ...other };
    const mine = this.sql
      .exec<Row>(`SELECT 1 FROM seen WHERE key = ? AND fp = ? AND ref = ? AND expires_at > ?`, req.key, req.fingerprint, req.ref, now)
      .toArray()[0];
    if (!mine) {
      const expiresAt = now + req.windowS * 1000;
      this.sql.exec(
        `INSERT OR REPLACE INTO seen (key, fp, ref, expires_at, tentative) VALUES (?, ?, ?, ?, ?)`,
        req.key,
        req.fingerprint,
        req.ref,
        expiresAt,
        req.tentative ? 1 : 0,
      );
      await this.alarmAt.atMost(expiresAt);
    }
    return { ok: true };
  }

  /**
   * Everything the intake asks of one fingerprint in one round trip: the tentative campaign claim,
   * which buyer keys another lead already took, and holds on the rest.
   */
  async intake(req: IntakeCheck, now = Date.now()): Promise<IntakeAnswer> {
    const { ref } = req;
    const claim = req.claim ? await this.claim({ ...req.claim, ref, fingerprint: req.fingerprint, tentative: true, now }) : null;
    const held = this.heldByOthers(req.keys, req.fingerprint, now, ref, req.ownClaimsCount);
    if (req.hold && req.hold.keys.length > 0 && !this.erased(req.fingerprint, now)) {
      const free = req.hold.keys.filter((k) => !held.includes(k));
      const expiresAt = now + req.hold.holdS * 1000;
      this.sql.exec(
        `INSERT OR REPLACE INTO holds (fp, ref, keys, expires_at) VALUES (?, ?, ?, ?)`,
        req.fingerprint,
        ref,
        JSON.stringify(free),
        expiresAt,
      );
      await this.alarmAt.atMost(expiresAt);
    }
    return { claim, held };
  }

  /** Gives a tentative claim its full window: the lead holds every fingerprint. Idempotent. */
  async confirm(key: string, fingerprint: string, ref: string, windowS: number, now = Date.now()): Promise<boolean> {
    const expiresAt = now + windowS * 1000;
    const done =
      this.sql.exec(`UPDATE seen SET tentative = 0, expires_at = ? WHERE key = ? AND fp = ? AND ref = ?`, expiresAt, key, fingerprint, ref)
        .rowsWritten > 0;
    if (done) await this.alarmAt.atMost(expiresAt);
    return done;
  }

  /** Drops a claim held by `ref` (a post that did not sell, a lead that lost the race). */
  async release(key: string, fingerprint: string, ref: string): Promise<void> {
    this.sql.exec(`DELETE FROM seen WHERE key = ? AND fp = ? AND ref = ?`, key, fingerprint, ref);
  }

  /**
   * The round is over: the buyer keys it sold to become claims for their windows and its holds are
   * dropped, in one step, so no other lead can slip in between. Idempotent.
   */
  async settleHolds(fingerprint: string, ref: string, sold: { key: string; windowS: number }[], now = Date.now()): Promise<void> {
    for (const s of this.erased(fingerprint, now) ? [] : sold) {
      const expiresAt = now + s.windowS * 1000;
      this.sql.exec(
        `INSERT OR REPLACE INTO seen (key, fp, ref, expires_at, tentative) VALUES (?, ?, ?, ?, 0)`,
        s.key,
        fingerprint,
        ref,
        expiresAt,
      );
      await this.alarmAt.atMost(expiresAt);
    }
    this.sql.exec(`DELETE FROM holds WHERE fp = ? AND ref = ?`, fingerprint, ref);
  }

  /**
   * Erasure: every claim and hold of this fingerprint, gone, and a tombstone that keeps late writes
   * out for TOMBSTONE_MS. Returns how many records it removed.
   */
  async forget(fingerprint: string, now = Date.now()): Promise<number> {
    const claims = this.sql.exec(`DELETE FROM seen WHERE fp = ?`, fingerprint).rowsWritten;
    const holds = this.sql.exec(`DELETE FROM holds WHERE fp = ?`, fingerprint).rowsWritten;
    this.sql.exec(`INSERT OR REPLACE INTO erased (fp, expires_at) VALUES (?, ?)`, fingerprint, now + TOMBSTONE_MS);
    await this.alarmAt.atMost(now + TOMBSTONE_MS);
    return claims + holds;
  }

  async size(): Promise<number> {
    return Number(this.sql.exec<Row>(`SELECT (SELECT COUNT(*) FROM seen) + (SELECT COUNT(*) FROM holds) AS n`).one().n);
  }

  /** Drops claims and holds that expired by `now` (the alarm's work; tests call it with their own clock). */
  purge(now: number): void {
    this.sql.exec(`DELETE FROM seen WHERE expires_at <= ?`, now);
    this.sql.exec(`DELETE FROM holds WHERE expires_at <= ?`, now);
    this.sql.exec(`DELETE FROM erased WHERE expires_at <= ?`, now);
  }

  override async alarm(): Promise<void> {
    this.alarmAt.fired();
    this.purge(Date.now());
    const next = this.sql
      .exec<Row>(
        `SELECT MIN(at) AS at FROM (SELECT MIN(expires_at) AS at FROM seen UNION ALL SELECT MIN(expires_at) FROM holds
         UNION ALL SELECT MIN(expires_at) FROM erased)`,
      )
      .one().at;
    if (next !== null) await this.alarmAt.atMost(Number(next));
  }
}
