// The journal of sales. The moment a buyer accepts a post, the sale is written here before any
// further I/O. Journals are a pool per location (named after the colo that took the lead, like the
// relays), and a Durable Object is created near the first request that names it, so this costs a
// local round trip to an object that is already warm — not one to the database's primary, nor the
// creation of an object per lead. The lead row remembers which journal its rounds write to; the
// recovery path (retry queue, cron sweeper) reads it before anything else: a lead whose worker died
// after a sale and before its D1 write is recorded as sold to exactly those buyers, never auctioned
// again. Entries are kept 7 days, then pruned by alarm.
//
// The journal is also the fence between an erasure and a round in flight (docs/ARCHITECTURE.md,
// "Erasure and a round in flight"): a round takes a *posting permit* for its lead before its first
// post (once per round, while its pings are out) and gives it back once its records are written; an
// erasure marks the lead erased here, which refuses every later permit, and waits for an open one to
// be given back (or to expire) before it reads the lead's sales. So no post of the lead starts after
// the erasure is recorded, and the posts that did start are in the journal when the erasure looks.
import type { Env } from "../env";
import { SqlObject, type Row } from "./sql-object";

export interface JournalSale {
  contractId: string;
  priceCents: number;
  buyerLeadId: string | null;
  /** The cap block the unit came from (the recovery commits it there), or null. */
  leaseId: string | null;
  at: number;
}

const KEEP_MS = 7 * 24 * 3_600_000;

/** What an erasure finds once no round of the lead can post any more. */
export interface ErasedLead {
  sales: JournalSale[];
  /** How long it waited for a round's permit to be given back (0: none was open). */
  waitedMs: number;
}

export class LeadJournal extends SqlObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, [
      `CREATE TABLE IF NOT EXISTS sales (
        lead_id TEXT NOT NULL, contract_id TEXT NOT NULL, price INTEGER NOT NULL, buyer_lead_id TEXT,
        lease_id TEXT, at INTEGER NOT NULL, PRIMARY KEY (lead_id, contract_id))`,
      `CREATE INDEX IF NOT EXISTS sales_at ON sales (at)`,
      `CREATE TABLE IF NOT EXISTS permits (lead_id TEXT PRIMARY KEY, until INTEGER NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS erased (lead_id TEXT PRIMARY KEY, at INTEGER NOT NULL)`,
    ]);
  }

  /** Erasures waiting for a lead's permit to be given back (in memory: they are requests in flight here). */
  private readonly waiting = new Map<string, (() => void)[]>();

  /**
   * A round may post this lead until `until` (epoch ms), unless it was erased. Idempotent per lead: a
   * later round of the same lead renews it.
   */
  async openPosting(leadId: string, until: number): Promise<boolean> {
    if (this.sql.exec<Row>(`SELECT 1 FROM erased WHERE lead_id = ?`, leadId).toArray().length > 0) return false;
    this.sql.exec(`INSERT OR REPLACE INTO permits (lead_id, until) VALUES (?, ?)`, leadId, until);
    await this.alarmAt.atMost(until);
    return true;
  }

  /** The round is over and its records are written: an erasure waiting on it may go on. */
  async closePosting(leadId: string): Promise<void> {
    this.sql.exec(`DELETE FROM permits WHERE lead_id = ?`, leadId);
    for (const wake of this.waiting.get(leadId) ?? []) wake();
    this.waiting.delete(leadId);
  }

  /**
   * Marks the lead erased (no permit from now on), waits until no round holds one (given back, or
   * expired: a round that died), and returns the lead's sales. Idempotent.
   */
  async erase(leadId: string, now = Date.now()): Promise<ErasedLead> {
    this.sql.exec(`INSERT OR IGNORE INTO erased (lead_id, at) VALUES (?, ?)`, leadId, now);
    await this.alarmAt.atMost(now + KEEP_MS);
    const open = this.sql.exec<Row>(`SELECT until FROM permits WHERE lead_id = ?`, leadId).toArray()[0];
    const until = open ? Number(open.until) : 0;
    const started = Date.now();
    if (until > started) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, until - started);
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        this.waiting.set(leadId, [...(this.waiting.get(leadId) ?? []), wake]);
      });
    }
    return { sales: await this.sales(leadId), waitedMs: Date.now() - started };
  }

  /** Records an accepted post. Idempotent per lead and contract (a redelivered write changes nothing). */
  async recordSale(leadId: string, sale: JournalSale): Promise<void> {
    this.sql.exec(
      `INSERT OR IGNORE INTO sales (lead_id, contract_id, price, buyer_lead_id, lease_id, at) VALUES (?, ?, ?, ?, ?, ?)`,
      leadId,
      sale.contractId,
      sale.priceCents,
      sale.buyerLeadId,
      sale.leaseId,
      sale.at,
    );
    await this.alarmAt.atMost(sale.at + KEEP_MS);
  }

  async sales(leadId: string): Promise<JournalSale[]> {
    return this.sql
      .exec<Row>(`SELECT contract_id, price, buyer_lead_id, lease_id, at FROM sales WHERE lead_id = ? ORDER BY at, contract_id`, leadId)
      .toArray()
      .map((r) => ({
        contractId: String(r.contract_id),
        priceCents: Number(r.price),
        buyerLeadId: r.buyer_lead_id === null ? null : String(r.buyer_lead_id),
        leaseId: r.lease_id === null ? null : String(r.lease_id),
        at: Number(r.at),
      }));
  }

  override async alarm(): Promise<void> {
    this.alarmAt.fired();
    const now = Date.now();
    this.sql.exec(`DELETE FROM sales WHERE at <= ?`, now - KEEP_MS);
    this.sql.exec(`DELETE FROM erased WHERE at <= ?`, now - KEEP_MS);
    this.sql.exec(`DELETE FROM permits WHERE until <= ?`, now);
    const next = this.sql
      .exec<Row>(
        `SELECT MIN(at) AS at FROM (SELECT MIN(at) + ${KEEP_MS} AS at FROM sales UNION ALL SELECT MIN(at) + ${KEEP_MS} FROM erased
         UNION ALL SELECT MIN(until) FROM permits)`,
      )
      .one().at;
    if (next !== null) await this.alarmAt.atMost(Number(next));
  }
}
