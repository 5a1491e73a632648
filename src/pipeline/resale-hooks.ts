// Where other features hear of a resale. `onResale` runs once per sale a resale round (or its
// recovery) recorded, after the record is written (the ledger books the sale in that same batch, as a
// live round's): webhooks emit their `lead.resold` event here. It must never throw into the round.
import { leadResoldEvent } from "../events/bodies";
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
  await svc.events.emit([leadResoldEvent(sale, Date.now())]);
}
