// One LeadJournal per lead that sold, named by the lead id. The moment a buyer accepts a post, the
// sale is written here before any further I/O: a Durable Object is created near the first request
// that names it — the edge that took the lead — so this costs a local round trip, not one to the
// database's primary. The recovery path (retry queue, cron sweeper) reads it before anything else:
// a lead whose worker died after a sale and before its D1 write is recorded as sold to exactly
// those buyers, never auctioned again. Kept for 7 days, then deleted by alarm.
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
        contract_id TEXT PRIMARY KEY, price INTEGER NOT NULL, buyer_lead_id TEXT, lease_id TEXT, at INTEGER NOT NULL)`,
    ]);
  }

  /** Records an accepted post. Idempotent per contract (a redelivered write changes nothing). */
  async recordSale(sale: JournalSale): Promise<void> {
    this.sql.exec(
      `INSERT OR IGNORE INTO sales (contract_id, price, buyer_lead_id, lease_id, at) VALUES (?, ?, ?, ?, ?)`,
      sale.contractId,
      sale.priceCents,
      sale.buyerLeadId,
      sale.leaseId,
      sale.at,
    );
    await this.alarmAt.atMost(sale.at + KEEP_MS);
  }

  async sales(): Promise<JournalSale[]> {
    return this.sql
      .exec<Row>(`SELECT contract_id, price, buyer_lead_id, lease_id, at FROM sales ORDER BY at, contract_id`)
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
    await this.ctx.storage.deleteAll();
  }
}
