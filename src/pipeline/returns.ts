// Returns: a buyer (or an admin for it) sends back a lead it bought. The contract's rules decide
// (src/returns/policy.ts); an approved return credits the buyer its price and, per the source's
// setting, takes the source's payout back. One return per lead and contract (a unique index: a
// retried request can't return twice), and the cap holds under concurrent returns (the insert itself
// checks it); every step is in the lead's trace. An approved return offers the lead again when its
// campaign resells returns (src/pipeline/resale-offers.ts).
import type { ReturnRow } from "../db/returns";
import { returnDecidedEvent, returnFiledEvents } from "../events/bodies";
import type { LeadEvent } from "../db/records";
import { newId } from "../lib/ids";
import { capReached, decideReturn, type ReturnRefusal } from "../returns/policy";
import type { Contract, Rules } from "../rules/model";
import type { Services } from "../services";
import { walletAfterCredit } from "./billing";
import { offerReturnedLead } from "./resale-offers";

export type { ReturnRow } from "../db/returns";

export class ReturnRefused extends Error {
  constructor(readonly refusal: ReturnRefusal) {
    super(refusal.message);
  }
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
  const grounds = await svc.records.returns.judgedOn(req.leadId, req.contract.id, now);
  const decision = decideReturn(req.contract.returns, {
    reason: req.reason,
    soldAt: req.sale.soldAt,
    now,
    purchases30d: grounds.purchases30d,
    returns30d: grounds.returns30d,
    alreadyReturned: grounds.alreadyReturned,
    priceCents: req.sale.priceCents,
    payoutCents: req.sale.payoutCents,
    clawback: rules.sourcesById.get(grounds.lead?.sourceId ?? "")?.returnClawback ?? true,
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
  const origin = { sourceId: grounds.lead?.sourceId ?? "", campaignId: grounds.lead?.campaignId ?? "" };
  // The check above read the counts before this return was stored; requests filed at the same moment
  // all read the same counts. The insert applies the cap and the one-per-lead rule again, atomically.
  const filed = await svc.records.returns.file(
    row,
    { ...origin, note: req.note, requestedBy: req.by, capBps: req.contract.returns.capBps },
    now,
  );
  if (filed === "already_returned")
    throw new ReturnRefused({ status: 409, code: "already_returned", message: "this lead was already returned under this contract" });
  if (filed === "cap_reached") throw new ReturnRefused(capReached(req.contract.returns.capBps));
  await svc.records.recordEvents(req.leadId, filedEvents(row, req.by, now));
  if (row.status === "approved") await creditWallet(svc, req.contract.buyerId);
  if (row.status === "approved") await offerReturnedLead(svc, rules, row, now);
  svc.events.later(returnFiledEvents(row, req.contract, req.by, now));
  return row;
}

/** An approved return was booked to the buyer: its wallet reads the ledger again (billed buyers). */
async function creditWallet(svc: Services, buyerId: string | undefined): Promise<void> {
  const b = buyerId ? await svc.records.billing.buyer(buyerId) : undefined;
  if (b) await walletAfterCredit(svc, b);
}

/** A filed return in the lead's trace: requested, and approved when the rules approved it at once. */
function filedEvents(row: ReturnRow, by: "buyer" | "admin", now: number): LeadEvent[] {
  return [
    { kind: "return_requested", at: now, detail: { return_id: row.id, contract: row.contract_id, reason: row.reason, by } },
    ...(row.status === "approved"
      ? [
          {
            kind: "return_approved",
            at: now,
            detail: { return_id: row.id, credit_cents: row.price_cents, clawback_cents: row.clawback_cents, automatic: true },
          },
        ]
      : []),
  ];
}

/** An admin's decision on a pending return: compare-and-set, so deciding twice changes nothing. */
export async function decidePendingReturn(
  svc: Services,
  rules: Rules,
  id: string,
  status: "approved" | "denied",
  now = Date.now(),
): Promise<ReturnRow | "not_found" | "already_decided"> {
  const row = await svc.records.returns.decide(id, status, now);
  if (!row) return (await svc.records.returns.exists(id)) ? "already_decided" : "not_found";
  await svc.records.recordEvents(row.lead_id, [
    {
      kind: `return_${status}`,
      at: now,
      detail: { return_id: id, ...(status === "approved" ? { credit_cents: row.price_cents, clawback_cents: row.clawback_cents } : {}) },
    },
  ]);
  if (status === "approved") await creditWallet(svc, await svc.records.returns.buyerOfContract(row.contract_id));
  if (status === "approved") await offerReturnedLead(svc, rules, row, now);
  svc.events.later([returnDecidedEvent(row, false, now)]);
  return row;
}
