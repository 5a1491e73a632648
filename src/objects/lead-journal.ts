// The journal of sales. The moment a buyer accepts a post, the sale is written here before any
// further I/O. Journals are a pool per location (named after the colo that took the lead, like the
// relays), and a Durable Object is created near the first request that names it, so this costs a
// local round trip to an object that is already warm — not one to the database's primary, nor the
// creation of an object per lead. The lead row remembers which journal its rounds write to; the
// recovery path (retry queue, cron sweeper) reads it before anything else: a lead whose worker died
// after a sale and before its D1 write is recorded as sold to exactly those buyers, never auctioned
// again. Entries are kept 7 days, then pruned by alarm.
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

export class LeadJournal extends SqlObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, [
      `CREATE TABLE IF NOT EXISTS sales (
        lead_id TEXT NOT NULL, contract_id TEXT NOT NULL, price INTEGER NOT NULL, buyer_lead_id TEXT,
        lease_id TEXT, at INTEGER NOT NULL, PRIMARY KEY (lead_id, contract_id))`,
      `CREATE INDEX IF NOT EXISTS sales_at ON sales (at)`,
    ]);
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
    const next = this.sql.exec<Row>(`SELECT MIN(at) AS at FROM sales`).one().at;
    if (next !== null) await this.alarmAt.atMost(Number(next) + KEEP_MS);
  }
}
