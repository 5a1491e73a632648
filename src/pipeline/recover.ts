// Recovery of sales a dying worker could not record: a lead found in its journal to have been sold
// is recorded as sold to exactly those buyers — prices, payouts, cap commits and buyer dedupe claims
// — and is never auctioned again. The retry consumer calls this before any new round, and an erasure
// after it has fenced off the lead's rounds. A redacted lead's sales are recorded as the money they
// are (prices, payouts, cap commits) and nothing more: no buyer dedupe claims for a consumer who is
// gone. Each recovered post row carries the time the buyer accepted it (the journal's), not the time
// it was found.
import { splitSales, sumSplits } from "../auction/pricing";
import { postRow } from "../auction/rows";
import type { RoundRecord } from "../db/records";
import type { PostRow } from "../db/schema";
import { buyerDedupeKeys, type Fingerprint } from "../lead/fingerprints";
import type { LeadData } from "../lead/fields";
import { log } from "../lib/log";
import type { JournalSale } from "../objects/lead-journal";
import type { Campaign, Rules, Source } from "../rules/model";
import type { Services } from "../services";

export interface RecoveredLead {
  id: string;
  campaign: Campaign;
  source: Source;
  lead: LeadData;
  /** The round its sales are recorded under: the lead's last one (its row's `attempts`). */
  roundNo: number;
  /** Its personal fields are gone (retention or erasure): record the money, send and claim nothing. */
  redacted?: boolean;
}

/**
 * What a dead worker would have done after its sales (a live round's or a resale's): commit the caps
 * and wallets, claim the buyers (none when `fps` is empty: the consumer is gone).
 */
export async function commitRecoveredSales(
  svc: Services,
  rules: Rules,
  leadId: string,
  fps: Fingerprint[],
  sales: { contractId: string; priceCents: number; leaseId: string | null }[],
): Promise<void> {
  const contracts = sales.map((s) => rules.contractsById.get(s.contractId)).filter((c) => c !== undefined);
  await Promise.all([
    ...sales.map((s) => {
      const c = rules.contractsById.get(s.contractId);
      return c
        ? Promise.all([svc.caps.commitRecovered(c, leadId, s.priceCents, s.leaseId), svc.wallets.commitRecovered(c, leadId, s.priceCents)])
        : undefined;
    }),
    ...(fps.length === 0 ? [] : buyerDedupeKeys(contracts)).map((key) => {
      const c = contracts.find((x) => x.dedupeKey === key)!;
      return svc.dedupe.claimForBuyer(fps, key, leadId, c.dedupeWindowS);
    }),
  ]);
}

export async function recordJournaledSales(svc: Services, rules: Rules, lead: RecoveredLead, sales: JournalSale[]): Promise<void> {
  const splits = splitSales(
    lead.source,
    sales.map((s) => s.priceCents),
  );
  const posts: PostRow[] = sales.map((s, i) => ({
    ...postRow({ leadId: lead.id, round: lead.roundNo }, s.contractId, {
      outcome: "accepted",
      reason: "recovered from the lead's journal",
      httpStatus: null,
      latencyMs: 0,
      priceCents: s.priceCents,
      payoutCents: splits[i]!.payoutCents,
      buyerLeadId: s.buyerLeadId,
    }),
    createdAt: s.at,
  }));
  const total = sumSplits(splits);
  const record: RoundRecord = {
    leadId: lead.id,
    pings: [],
    posts,
    events: [
      { kind: "recovered_sales", detail: { sales: sales.length } },
      { kind: "final", detail: { status: "sold", reason: null, price_cents: total.priceCents } },
    ],
    status: "sold",
    reason: null,
    priceCents: total.priceCents,
    payoutCents: total.payoutCents,
    marginCents: total.marginCents,
    attempts: lead.roundNo,
  };
  const fps = lead.redacted ? [] : await svc.fingerprints(lead.campaign, lead.lead);
  await commitRecoveredSales(svc, rules, lead.id, fps, sales);
  await svc.records.recordRound(record);
  log("lead_sales_recovered", { lead_id: lead.id, sales: sales.length, price_cents: total.priceCents }, "warn");
}
