// A contract's post meter, kept in its CapLedger object: how the posts it received (the full lead
// was sent) ended, over its breaker window, and the pause it earns when it stops paying for what it
// receives (src/auction/breaker.ts, postTripReason). The cron's breaker judges the same posts from D1
// within a minute; the meter makes that immediate and bounded in posts, not in time.
import { postTripReason } from "../auction/breaker";
import type { BreakerSettings } from "../rules/model";
import type { Row } from "./sql-object";

export const POST_METER_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS post_outcomes (id TEXT PRIMARY KEY, outcome TEXT NOT NULL, at INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS post_outcomes_at ON post_outcomes (at)`,
  `CREATE TABLE IF NOT EXISTS pause (k INTEGER PRIMARY KEY CHECK (k = 1), since INTEGER NOT NULL, until INTEGER NOT NULL, reason TEXT NOT NULL)`,
];

export interface PostRecord {
  /** Unique per post (lead, round): a repeated report counts once. */
  postId: string;
  outcome: "accepted" | "rejected" | "error" | "timeout";
  settings: BreakerSettings;
  now?: number;
}

export interface PostPause {
  since: number;
  until: number;
  reason: string;
}

export class PostMeter {
  constructor(private readonly sql: SqlStorage) {}

  /**
   * One post that reached the buyer, and the contract's verdict on its posts in the breaker window: a
   * pause (until when, why) once it is not paying for what it receives, else null. Idempotent per post
   * id. Every isolate that posts to the contract hears the verdict with its next post, so a harvester
   * gets at most `minSamples` posts, plus those already in flight, before it is paused everywhere.
   */
  record(req: PostRecord, now: number): PostPause | null {
    this.sql.exec(`INSERT OR IGNORE INTO post_outcomes (id, outcome, at) VALUES (?, ?, ?)`, req.postId, req.outcome, now);
    this.sql.exec(`DELETE FROM post_outcomes WHERE at < ?`, now - req.settings.windowS * 1000);
    const paused = this.sql.exec<Row>(`SELECT since, until, reason FROM pause WHERE until > ?`, now).toArray()[0];
    if (paused) return { since: Number(paused.since), until: Number(paused.until), reason: String(paused.reason) };
    const counts = { posts: 0, accepted: 0, rejected: 0, postErrors: 0, postTimeouts: 0 };
    for (const r of this.sql.exec<Row>(`SELECT outcome, COUNT(*) AS n FROM post_outcomes GROUP BY outcome`)) {
      const n = Number(r.n);
      counts.posts += n;
      if (r.outcome === "accepted") counts.accepted += n;
      else if (r.outcome === "rejected") counts.rejected += n;
      else if (r.outcome === "error") counts.postErrors += n;
      else if (r.outcome === "timeout") counts.postTimeouts += n;
    }
    const reason = postTripReason(req.settings, counts);
    if (!reason) return null;
    const until = now + req.settings.cooldownS * 1000;
    this.sql.exec(`INSERT OR REPLACE INTO pause (k, since, until, reason) VALUES (1, ?, ?, ?)`, now, until, reason);
    // The window starts over after the pause: the probes that follow are judged on their own.
    this.sql.exec(`DELETE FROM post_outcomes`);
    return { since: now, until, reason };
  }

  reset(): void {
    this.sql.exec(`DELETE FROM post_outcomes`);
    this.sql.exec(`DELETE FROM pause`);
  }
}
