// Where other features hear of a resale. `onResale` runs once per sale a resale round (or its
// recovery) recorded, after the record is written: billing's ledger entries for the sale are wired
// here when the ledger lands, and webhooks and exports emit their `lead.resold` event here. Until then
// it does nothing; it must never throw into the round (the money is already recorded).
import type { ResaleReason } from "../resale/policy";
import type { Services } from "../services";

/** One sale of a resale: the same lead sold again, with its own post row and payout. */
export interface ResaleSale {
  resaleId: string;
  leadId: string;
  campaignId: string;
  sourceId: string;
  contractId: string;
  reason: ResaleReason;
  /** The aged tier's days (0: a returned lead's resale). */
  tierDays: number;
  priceCents: number;
  payoutCents: number;
  marginCents: number;
  buyerLeadId: string | null;
}

export async function onResale(svc: Services, sale: ResaleSale): Promise<void> {
  // Wired at merge: billing (svc's ledger: debit the buyer, credit the source), webhooks (lead.resold).
  void svc;
  void sale;
}
