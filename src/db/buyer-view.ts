// What a buyer's own console reads and switches (src/console/buyer-view.ts): the keys its contracts
// sign with (its login), its contracts and the pause it may set on them, the leads it bought with
// their returns, one lead's trace as far as it concerns the buyer, and its returns.
import type { Db } from "./client";

/** Every contract's signing keys with its buyer: a buyer logs in to its console with one of them. */
export async function contractKeys(db: Db, buyerId: string | null): Promise<{ buyerId: string; keys: string[] }[]> {
  const res = await db.$client
    .prepare(`SELECT buyer_id, secret, secret_next FROM contracts WHERE ?1 IS NULL OR buyer_id = ?1`)
    .bind(buyerId)
    .all<{ buyer_id: string; secret: string; secret_next: string | null }>();
  return res.results.map((r) => ({ buyerId: r.buyer_id, keys: [r.secret, ...(r.secret_next ? [r.secret_next] : [])] }));
}

export interface BuyerContract {
  id: string;
  name: string;
  campaign: string;
  status: "active" | "paused";
  pausedByBuyer: boolean;
}

export async function contractsOf(db: Db, buyerId: string): Promise<BuyerContract[]> {
  const res = await db.$client
    .prepare(
      `SELECT c.id, c.name, COALESCE(m.slug, c.campaign_id) AS campaign, c.status, c.paused_by_buyer FROM contracts c LEFT JOIN campaigns m ON m.id = c.campaign_id WHERE c.buyer_id = ? ORDER BY c.name`,
    )
    .bind(buyerId)
    .all<{ id: string; name: string; campaign: string; status: "active" | "paused"; paused_by_buyer: number }>();
  return res.results.map((r) => ({
    id: r.id,
    name: r.name,
    campaign: r.campaign,
    status: r.status,
    pausedByBuyer: Number(r.paused_by_buyer) === 1,
  }));
}

/**
 * The buyer pauses one of its active contracts, or resumes one it paused itself (never one an admin
 * paused). True when it changed.
 */
export async function setOwnPause(db: Db, buyerId: string, contractId: string, pause: boolean): Promise<boolean> {
  const res = await db.$client
    .prepare(
      pause
        ? `UPDATE contracts SET status = 'paused', paused_by_buyer = 1 WHERE id = ? AND buyer_id = ? AND status = 'active'`
        : `UPDATE contracts SET status = 'active', paused_by_buyer = 0 WHERE id = ? AND buyer_id = ? AND status = 'paused' AND paused_by_buyer = 1`,
    )
    .bind(contractId, buyerId)
    .run();
  return res.meta.changes > 0;
}

export interface BoughtLead {
  lead_id: string;
  contract_id: string;
  campaign: string;
  price_cents: number;
  at: number;
  buyer_lead_id: string | null;
  return_status: string | null;
}

/** The leads the buyer bought, newest first, with the state of their return if any. */
export async function bought(db: Db, buyerId: string, limit: number): Promise<BoughtLead[]> {
  const res = await db.$client
    .prepare(
      `SELECT p.lead_id, p.contract_id, COALESCE(m.slug, l.campaign_id) AS campaign, p.price_cents, p.created_at AS at, p.buyer_lead_id,
              (SELECT r.status FROM returns r WHERE r.lead_id = p.lead_id AND r.contract_id = p.contract_id) AS return_status
       FROM posts p JOIN contracts c ON c.id = p.contract_id JOIN leads l ON l.id = p.lead_id LEFT JOIN campaigns m ON m.id = l.campaign_id
       WHERE c.buyer_id = ? AND p.outcome = 'accepted' ORDER BY p.created_at DESC LIMIT ?`,
    )
    .bind(buyerId, limit)
    .all<BoughtLead>();
  return res.results;
}

export interface BuyerReturn {
  id: string;
  lead_id: string;
  contract_id: string;
  reason: string;
  status: string;
  price_cents: number;
  created_at: number;
  decided_at: number | null;
}

export async function returnsOf(db: Db, buyerId: string, limit: number): Promise<BuyerReturn[]> {
  const res = await db.$client
    .prepare(
      `SELECT r.id, r.lead_id, r.contract_id, r.reason, r.status, r.price_cents, r.created_at, r.decided_at FROM returns r JOIN contracts c ON c.id = r.contract_id
       WHERE c.buyer_id = ? ORDER BY r.created_at DESC LIMIT ?`,
    )
    .bind(buyerId, limit)
    .all<BuyerReturn>();
  return res.results;
}

export interface BuyerTraceRow {
  kind: "ping" | "post";
  contract_id: string;
  outcome: string;
  reason: string | null;
  cents: number | null;
  latency_ms: number | null;
  at: number;
}

/**
 * A lead's trace as far as it concerns this buyer: its own contracts' pings and posts (no other
 * buyer's bid, no consumer data), and the lead's status. Null unless one of its contracts was posted it.
 */
export async function leadTrace(db: Db, buyerId: string, leadId: string): Promise<{ status: string; rows: BuyerTraceRow[] } | null> {
  const [lead, rows] = await db.$client.batch<Record<string, unknown>>([
    db.$client
      .prepare(
        `SELECT l.status FROM leads l WHERE l.id = ?1 AND EXISTS (SELECT 1 FROM posts p JOIN contracts c ON c.id = p.contract_id WHERE p.lead_id = ?1 AND c.buyer_id = ?2)`,
      )
      .bind(leadId, buyerId),
    db.$client
      .prepare(
        `SELECT 'ping' AS kind, g.contract_id, g.outcome, g.reason, g.bid_cents AS cents, g.latency_ms, g.created_at AS at FROM pings g JOIN contracts c ON c.id = g.contract_id WHERE g.lead_id = ?1 AND c.buyer_id = ?2
         UNION ALL
         SELECT 'post', p.contract_id, p.outcome, p.reason, p.price_cents, p.latency_ms, p.created_at FROM posts p JOIN contracts c ON c.id = p.contract_id WHERE p.lead_id = ?1 AND c.buyer_id = ?2
         ORDER BY at`,
      )
      .bind(leadId, buyerId),
  ]);
  const status = lead!.results[0]?.status;
  if (status === undefined) return null;
  return { status: String(status), rows: rows!.results as unknown as BuyerTraceRow[] };
}
