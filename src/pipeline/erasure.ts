// A consumer's erasure (POST /admin/consumers/erase), per person, not per identifier:
//  1. the person: the fingerprints given, then every fingerprint their leads share (a lead joins its
//     phone and email), to a fixed point, bounded; each is suppressed as soon as it is known, so a
//     lead stored meanwhile is either refused at intake or found by the next look;
//  2. the fence: every unfinished lead is marked erased in its journal, which waits out a round that
//     may still post it (src/objects/lead-journal.ts) and hands back its sales; from then on no post of
//     these leads starts;
//  3. the sales a round journaled but did not record are recorded (money, not more);
//  4. the unfinished leads end `erased`; every lead's body and free text are redacted;
//  5. the dedupe records of every fingerprint are removed (tombstoned against late writes);
//  6. the buyers that bought the consumer are told (signed deletion notices, off the wait), and the
//     free text is swept once more after any round in flight is over.
// Idempotent: a repeat finds nothing left to touch (the fingerprints are off the leads).
import type { Defer } from "../auction/ports";
import type { Fingerprint } from "../lead/fingerprints";
import type { ConsumerLead } from "../db/lifecycle";
import type { LeadData } from "../lead/fields";
import { ERASED_REASON, UNFINISHED_STATES } from "../lead/state";
import type { LeadStatus } from "../db/schema";
import { log } from "../lib/log";
import type { JournalSale } from "../objects/lead-journal";
import type { Rules } from "../rules/model";
import type { Services } from "../services";
import { notifyBuyers } from "./deletion-notice";
import { recordJournaledSales } from "./recover";

export interface ErasureReport {
  leadIds: string[];
  /** Leads whose bodies were redacted by this request. */
  leadsRedacted: number;
  /** Leads that were not finished and now are `erased`. */
  leadsErased: string[];
  /** Sales found in a journal and recorded (sold before the erasure, not yet on record). */
  salesRecorded: number;
  dedupeRecordsRemoved: number;
  suppressed: { kind: Fingerprint["kind"]; added: boolean }[];
  /** Deletion notices to buyers that bought the consumer, sent off the wait. */
  deletionNotices: number;
}

/** Closure passes at most: the second only finds leads stored while the first ran. */
const PASSES = 3;
/** The free text is swept again once any round in flight at the erasure is surely over. */
export const SWEEP_AFTER_S = 120;

/** The person's fingerprints, each suppressed as soon as it is known. */
async function personOf(svc: Services, given: Fingerprint[]) {
  const suppress = (fps: Fingerprint[]) => svc.records.suppress(fps.map((f) => ({ ...f, reason: "erasure request" })));
  let fps = given;
  let added = await suppress(given);
  for (let i = 0; i < PASSES; i++) {
    const closure = await svc.records.erasure.consumerClosure(fps);
    const fresh = closure.filter((f) => !fps.some((g) => g.hash === f.hash));
    if (fresh.length === 0) break;
    added = [...added, ...(await suppress(fresh))];
    fps = [...fps, ...fresh];
  }
  return { fps, suppressed: fps.map((f, i) => ({ kind: f.kind, added: added[i] ?? false })) };
}

const isUnfinished = (l: ConsumerLead) => UNFINISHED_STATES.includes(l.status as LeadStatus);

/** The fence (step 2) and the journaled sales not yet on record (step 3); returns how many it recorded. */
async function fenceAndRecord(svc: Services, rules: Rules, leads: ConsumerLead[]): Promise<number> {
  const unfinished = leads.filter((l) => isUnfinished(l) && l.journal !== null);
  const found = await Promise.all(unfinished.map((l) => svc.journal.erase(l.journal!, l.id)));
  const onRecord = await svc.records.lifecycle.salesOf(unfinished.map((l) => l.id));
  let recorded = 0;
  for (const [i, lead] of unfinished.entries()) {
    const late: JournalSale[] = found[i]!.sales.filter(
      (s) => !onRecord.some((p) => p.lead_id === lead.id && p.contract_id === s.contractId),
    );
    if (late.length === 0) continue;
    const campaign = rules.campaignsById.get(lead.campaign_id);
    const source = rules.sourcesById.get(lead.source_id);
    if (!campaign || !source) {
      log("erasure_sale_unrecorded", { lead_id: lead.id, sales: late.length, why: "campaign or source inactive" }, "error");
      continue;
    }
    const data = JSON.parse(lead.data) as LeadData;
    await recordJournaledSales(svc, rules, { id: lead.id, campaign, source, lead: data, roundNo: lead.attempts, redacted: true }, late);
    recorded += late.length;
  }
  return recorded;
}

export async function eraseConsumer(svc: Services, rules: Rules, given: Fingerprint[], defer: Defer): Promise<ErasureReport> {
  const { records } = svc;
  const { fps, suppressed } = await personOf(svc, given);
  const hashes = fps.map((f) => f.hash);
  const [leads, campaigns] = await Promise.all([records.lifecycle.leadsOfConsumer(hashes), records.lifecycle.campaignRetention()]);
  const leadIds = leads.map((l) => l.id);
  const salesRecorded = await fenceAndRecord(svc, rules, leads);

  const now = Date.now();
  // Paused campaigns too: their fields say what is not personal.
  const fields = new Map(campaigns.map((row) => [row.id, row.fields]));
  const leadsErased = await records.erasure.endUnfinished(leadIds, now);
  svc.events.leadsEnded(leadsErased);
  const leadsRedacted = await records.lifecycle.redactLeads(leads, (id) => fields.get(id), now, "erasure");
  await records.erasure.redactFreeText(leadIds);
  const dedupeRecordsRemoved = await svc.dedupe.forget(hashes);
  await records.scrubs.forget(hashes); // cached scrub results are keyed by the person's fingerprints
  await records.erasure.noteOnLeads(leadIds, "erased", { reason: ERASED_REASON }, now);

  const sales = await records.erasure.soldTo(leadIds);
  const notices = sales.map((s) => ({
    kind: "deletion_notice" as const,
    leadId: s.lead_id,
    contractId: s.contract_id,
    buyerLeadId: s.buyer_lead_id,
  }));
  if (notices.length > 0) defer(notifyBuyers(svc, notices));
  for (let i = 0; i < leadIds.length; i += 1000)
    defer(svc.enqueue([{ kind: "erasure_sweep", leadIds: leadIds.slice(i, i + 1000) }], SWEEP_AFTER_S));
  log("consumer_erased", { leads: leadIds.length, erased: leadsErased.length, notices: notices.length, sales_recorded: salesRecorded });
  return { leadIds, leadsRedacted, leadsErased, salesRecorded, dedupeRecordsRemoved, suppressed, deletionNotices: notices.length };
}
