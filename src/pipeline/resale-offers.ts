// Resale offers outside a round: a returned lead's offer once its return is approved, an unsold
// lead's aged tiers when the dead-letter queue ends it (a round that ends a lead schedules them in its
// own record), the TrustedForm check-ins that keep a certificate claimable for a resale, and the
// recovery of a resale round whose worker died (its journaled sales recorded, else it ends unsold).
import { splitSales, sumSplits } from "../auction/pricing";
import { postRow } from "../auction/rows";
import type { ResaleRow } from "../db/schema";
import { storedConsent } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import { commitRecoveredSales } from "./recover";
import { log } from "../lib/log";
import { afterCheckIn, agedOffers, resaleSource, returnedOffer } from "../resale/policy";
import type { Rules } from "../rules/model";
import type { Services } from "../services";
import { onResale } from "./resale-hooks";

const certOf = (consent: string | null) => storedConsent(consent)?.trustedform_cert_url;

/** After an approved return: the lead's offer to other buyers, when its campaign resells returns. */
export async function offerReturnedLead(
  svc: Services,
  rules: Rules,
  ret: { id: string; lead_id: string; contract_id: string },
  now: number,
): Promise<void> {
  const lead = await svc.records.lead(ret.lead_id);
  const campaign = lead && rules.campaignsById.get(lead.campaignId);
  if (!lead || !campaign) return;
  const offer = returnedOffer(campaign, { now, returnId: ret.id, contractId: ret.contract_id, hasCert: Boolean(certOf(lead.consent)) });
  if (!offer || !(await svc.records.resale.schedule(lead.id, campaign.id, [offer], now))) return;
  await svc.records.recordEvents(lead.id, [
    { kind: "resale_scheduled", at: now, detail: { reason: "returned", return_id: ret.id, due_at: new Date(offer.dueAt).toISOString() } },
  ]);
}

/** A lead the dead-letter queue ended unsold: its campaign's aged tiers, as a round's record would schedule them. */
export async function offerAgedLead(svc: Services, rules: Rules, leadId: string, now: number): Promise<void> {
  const lead = await svc.records.lead(leadId);
  const campaign = lead && rules.campaignsById.get(lead.campaignId);
  if (!lead || !campaign) return;
  const offers = agedOffers(campaign, {
    createdAt: lead.createdAt,
    status: lead.status,
    soldExclusive: false,
    hasCert: Boolean(certOf(lead.consent)),
  });
  if (await svc.records.resale.schedule(lead.id, campaign.id, offers, now))
    await svc.records.recordEvents(lead.id, [
      { kind: "resale_scheduled", at: now, detail: { reason: "unsold", tier_days: offers.map((o) => o.tierDays) } },
    ]);
}

/**
 * Checks in (extends to 90 days) the certificates of leads with offers waiting, at most `limit` a run:
 * a buyer of a resale must still be able to claim the certificate, and TrustedForm deletes it after 72
 * hours unless it is checked in. A lead whose certificate can't be extended is not resold after that.
 */
export async function checkInCertificates(svc: Services, now: number, limit: number): Promise<number> {
  const due = await svc.records.resale.certChecksDue(limit);
  let extended = 0;
  await Promise.all(
    due.map(async (l) => {
      if (l.redacted_at !== null || l.cert_until !== null) return svc.records.resale.certChecked(l.id, null);
      const r = await svc.certCheckIn(certOf(l.consent));
      const verdict = afterCheckIn(r.outcome, Number(l.created_at), now);
      if (verdict.until) extended++;
      if (r.outcome !== "extended") log("cert_check_in_failed", { lead_id: l.id, outcome: r.outcome, detail: r.detail }, "warn");
      if (verdict.done) {
        await svc.records.resale.certChecked(l.id, verdict.until);
        await svc.records.recordEvents(l.id, [{ kind: "cert_check_in", at: now, detail: { outcome: r.outcome, detail: r.detail } }]);
      }
    }),
  );
  return extended;
}

/**
 * A resale round that never recorded (its worker died): sales its journal holds that the records
 * lack are recorded as the resale's (prices, payouts, cap commits, buyer claims); without any, the
 * offer ends unsold — never run again, so no buyer is sent the lead twice.
 */
export async function recoverResale(svc: Services, rules: Rules, offer: ResaleRow, now: number): Promise<void> {
  const lead = await svc.records.lead(offer.leadId);
  const source = lead && rules.sourcesById.get(lead.sourceId);
  const had = await svc.records.resale.history(offer.leadId, offer.returnedContractId);
  const journaled = lead?.journal ? await svc.journal.sales(lead.journal, lead.id) : [];
  const sales = journaled.filter((s) => !had.bought.has(s.contractId) && s.at >= (offer.startedAt ?? 0));
  if (!lead || !source || sales.length === 0) {
    const why = "interrupted: the round did not record";
    await svc.records.resale.finish(offer.id, offer.leadId, "unsold", why, now, {
      kind: "resale_ended",
      at: now,
      detail: { resale_id: offer.id, why },
    });
    return;
  }
  const splits = splitSales(
    resaleSource(source, lead.payoutCents - had.clawbackCents),
    sales.map((s) => s.priceCents),
  );
  const posts = sales.map((s, i) => ({
    ...postRow({ leadId: lead.id, round: offer.round }, s.contractId, {
      outcome: "accepted" as const,
      reason: "recovered from the lead's journal",
      httpStatus: null,
      latencyMs: 0,
      priceCents: s.priceCents,
      payoutCents: splits[i]!.payoutCents,
      buyerLeadId: s.buyerLeadId,
    }),
    resaleId: offer.id,
    createdAt: s.at,
  }));
  const campaign = rules.campaignsById.get(lead.campaignId);
  const fps = campaign && lead.redactedAt === null ? await svc.fingerprints(campaign, JSON.parse(lead.data) as LeadData) : [];
  await commitRecoveredSales(svc, rules, lead.id, fps, sales);
  const total = sumSplits(splits);
  await svc.records.resale.recordResale(
    {
      resaleId: offer.id,
      leadId: lead.id,
      round: offer.round,
      pings: [],
      posts,
      events: [{ kind: "resale", detail: { resale_id: offer.id, recovered_sales: sales.length, price_cents: total.priceCents } }],
      sold: sales.length,
      reason: null,
      priceCents: total.priceCents,
      payoutCents: total.payoutCents,
      marginCents: total.marginCents,
    },
    now,
  );
  log("resale_sales_recovered", { lead_id: lead.id, resale: offer.id, sales: sales.length }, "warn");
  for (const [i, s] of sales.entries())
    await onResale(svc, {
      resaleId: offer.id,
      leadId: lead.id,
      campaignId: lead.campaignId,
      sourceId: lead.sourceId,
      contractId: s.contractId,
      reason: offer.reason,
      tierDays: offer.tierDays,
      ...splits[i]!,
      buyerLeadId: s.buyerLeadId,
    }).catch(() => undefined);
}
