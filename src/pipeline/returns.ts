// Returns: a buyer (or an admin for it) sends back a lead it bought. The contract's rules decide
// (src/returns/policy.ts); an approved return credits the buyer its price and, per the source's
// setting, takes the source's payout back. One return per lead and contract (a unique index: a
// retried request can't return twice); every step is in the lead's trace.
import type { Db } from "../db/client";
import { newId } from "../lib/ids";
import { decideReturn, type ReturnRefusal } from "../returns/policy";
import type { Contract, Rules } from "../rules/model";
import type { Services } from "../services";

const DAY = 86_400_000;

export interface ReturnRow {
  id: string;
  lead_id: string;
  contract_id: string;
  status: "pending" | "approved" | "denied";
  reason: string;
  price_cents: number;
  clawback_cents: number;
}

export class ReturnRefused extends Error {
  constructor(readonly refusal: ReturnRefusal) {
    super(refusal.message);
  }
}

async function counts30d(db: Db, contractId: string, now: number): Promise<{ purchases: number; returns: number }> {
  const [p, r] = await db.$client.batch<{ n: number }>([
    db.$client
      .prepare(`SELECT COUNT(*) AS n FROM posts WHERE contract_id = ? AND outcome = 'accepted' AND created_at >= ?`)
      .bind(contractId, now - 30 * DAY),
    db.$client
      .prepare(`SELECT COUNT(*) AS n FROM returns WHERE contract_id = ? AND status != 'denied' AND created_at >= ?`)
      .bind(contractId, now - 30 * DAY),
  ]);
  return { purchases: Number(p!.results[0]?.n ?? 0), returns: Number(r!.results[0]?.n ?? 0) };
}

export async function fileReturn(
  svc: Services,
  rules: Rules,
  req: {
    leadId: string;
    contract: Contract;
    sale: { priceCents: number; payoutCents: number; soldAt: number };
    reason: string;
    note: string | null;
    by: "buyer" | "admin";
  },
  now = Date.now(),
): Promise<ReturnRow> {
  const db = svc.records.db;
  const lead = await db.$client
    .prepare(`SELECT source_id, campaign_id FROM leads WHERE id = ?`)
    .bind(req.leadId)
    .first<{ source_id: string; campaign_id: string }>();
  const existing = await db.$client
    .prepare(`SELECT 1 AS x FROM returns WHERE lead_id = ? AND contract_id = ?`)
    .bind(req.leadId, req.contract.id)
    .first();
  const { purchases, returns } = await counts30d(db, req.contract.id, now);
  const decision = decideReturn(req.contract.returns, {
    reason: req.reason,
    soldAt: req.sale.soldAt,
    now,
    purchases30d: purchases,
    returns30d: returns,
    alreadyReturned: existing !== null,
    priceCents: req.sale.priceCents,
    payoutCents: req.sale.payoutCents,
    clawback: rules.sourcesById.get(lead?.source_id ?? "")?.returnClawback ?? true,
  });
  if (!decision.ok) throw new ReturnRefused(decision);
  const row: ReturnRow = {
    id: newId("rt"),
    lead_id: req.leadId,
    contract_id: req.contract.id,
    status: decision.status,
    reason: req.reason,
    price_cents: decision.priceCents,
    clawback_cents: decision.clawbackCents,
  };
  const inserted = await db.$client
    .prepare(
      `INSERT INTO returns (id, lead_id, contract_id, source_id, campaign_id, reason, note, status, requested_by, price_cents, clawback_cents, created_at, decided_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    )
    .bind(
      row.id,
      row.lead_id,
      row.contract_id,
      lead?.source_id ?? "",
      lead?.campaign_id ?? "",
      row.reason,
      req.note,
      row.status,
      req.by,
      row.price_cents,
      row.clawback_cents,
      now,
      row.status === "approved" ? now : null,
    )
    .run();
  // Two requests at once: the unique index lets exactly one in.
  if (!inserted.meta.changes)
    throw new ReturnRefused({ status: 409, code: "already_returned", message: "this lead was already returned under this contract" });
  await svc.records.recordEvents(req.leadId, [
    { kind: "return_requested", at: now, detail: { return_id: row.id, contract: row.contract_id, reason: row.reason, by: req.by } },
    ...(row.status === "approved"
      ? [
          {
            kind: "return_approved",
            at: now,
            detail: { return_id: row.id, credit_cents: row.price_cents, clawback_cents: row.clawback_cents, automatic: true },
          },
        ]
      : []),
  ]);
  return row;
}

/** An admin's decision on a pending return: compare-and-set, so deciding twice changes nothing. */
export async function decidePendingReturn(
  svc: Services,
  id: string,
  status: "approved" | "denied",
  now = Date.now(),
): Promise<ReturnRow | "not_found" | "already_decided"> {
  const db = svc.records.db;
  const row = await db.$client
    .prepare(
      `UPDATE returns SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending' RETURNING id, lead_id, contract_id, status, reason, price_cents, clawback_cents`,
    )
    .bind(status, now, id)
    .first<ReturnRow>();
  if (!row) {
    const exists = await db.$client.prepare(`SELECT 1 AS x FROM returns WHERE id = ?`).bind(id).first();
    return exists ? "already_decided" : "not_found";
  }
  await svc.records.recordEvents(row.lead_id, [
    {
      kind: `return_${status}`,
      at: now,
      detail: { return_id: id, ...(status === "approved" ? { credit_cents: row.price_cents, clawback_cents: row.clawback_cents } : {}) },
    },
  ]);
  return row;
}
