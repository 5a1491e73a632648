// What one auction is about, as every entry point receives it: the lead and its consent, the
// campaign and contracts as routed for it (a variant's settings, if any), and the round's number.
import type { ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import type { Campaign, Contract, Source } from "../rules/model";

export interface Lot {
  leadId: string;
  /** The round's number: 0 for the live round (a seller's ping and post too), n for the nth retry. */
  round: number;
  campaign: Campaign;
  source: Source;
  /** The contracts that may compete. */
  contracts: Contract[];
  lead: LeadData;
  /** The consent evidence: posted with the lead; its TrustedForm ping URL goes in pings. */
  consent: ConsentRecord | null;
  /** A resale round (src/pipeline/resale.ts): why the lead is offered again and how old it is; the post says so. */
  resale?: { reason: "returned" | "unsold" | "sold"; ageDays: number };
}

/** The live round spends cap headroom from the isolate's blocks; a retry round reserves its own. */
export const isLive = (lot: Pick<Lot, "round">) => lot.round === 0;
