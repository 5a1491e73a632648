// A retry round for a stored lead that is `pending`: taken with a compare-and-set (pending ->
// auctioning), so a redelivered message finds it taken or final and changes nothing; caps and buyer
// dedupe are idempotent per lead on top of that. Fallback tiers compete; contracts that answered
// for good do not. A lead that reaches a final state tells its source. A redacted lead is never
// posted: its journaled sales are recorded as the money they are, and nothing more is sent; a lead
// erased while the round was being set up (its posting permit refused) ends `erased`.
import { storedConsent } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import { ERASED_REASON, retryDelaySeconds } from "../lead/state";
import type { LeadRow } from "../db/schema";
import { log } from "../lib/log";
import type { Campaign, Rules, Source } from "../rules/model";
import type { Services } from "../services";
import { postingPermit } from "./permit";
import { notifyPostback } from "./postback";
import { recordJournaledSales } from "./recover";
import { retryRound } from "./round";
import { routeLead } from "./route";

type Next = { retryInS: number } | "done";

/** `{ retryInS }`: the lead needs another round after that many seconds; "done": it is final or was not ours to touch. */
export async function retryStoredLead(
  svc: Services,
  rules: Rules,
  leadId: string,
  delivery: number,
  defer: (p: Promise<unknown>) => void,
): Promise<Next> {
  const lead = await svc.records.lead(leadId);
  if (!lead || lead.status !== "pending") return "done"; // final already, or a redelivery
  const claimedAt = await svc.records.retries.claim(lead.id);
  if (claimedAt === null) return "done"; // another consumer took it
  try {
    return await takenRound(svc, rules, lead, delivery, defer);
  } catch (err) {
    // Taken but its outcome not recorded: give it back, so the queue's redelivery of this message
    // (which skips a lead that is not `pending`) runs it again instead of acking it as done. Only
    // while this claim still holds it: not if the round's record did commit, nor if the sweeper has
    // since handed it to another round.
    await svc.records.retries.handBack(lead.id, claimedAt, "retry round failed, retry scheduled").catch(() => false);
    throw err;
  }
}

async function takenRound(
  svc: Services,
  rules: Rules,
  lead: LeadRow,
  delivery: number,
  defer: (p: Promise<unknown>) => void,
): Promise<Next> {
  const campaign = rules.campaignsById.get(lead.campaignId);
  const source = rules.sourcesById.get(lead.sourceId);
  if (!campaign || !source) {
    await svc.records.transition(lead.id, "unsold", "campaign or source no longer active");
    return "done";
  }
  const data = JSON.parse(lead.data) as LeadData;
  const redacted = lead.redactedAt !== null;
  // A round that sold and died before its D1 write left its sales in the journal: record them, and
  // never sell the lead again.
  const journaled = lead.journal ? await svc.journal.sales(lead.journal, lead.id) : [];
  if (journaled.length > 0) {
    await recordJournaledSales(svc, rules, { id: lead.id, campaign, source, lead: data, roundNo: lead.attempts, redacted }, journaled);
    if (!redacted) await notifyPostback(svc, source, lead.id);
    return "done";
  }
  if (redacted) {
    await svc.records.transition(lead.id, "unsold", "personal data redacted before a sale");
    return "done";
  }
  return retryUnderPermit(svc, rules, { lead, campaign, source, data }, delivery, defer);
}

/** The round itself, under the lead's posting permit (refused: the lead is being erased). */
async function retryUnderPermit(
  svc: Services,
  rules: Rules,
  it: { lead: LeadRow; campaign: Campaign; source: Source; data: LeadData },
  delivery: number,
  defer: (p: Promise<unknown>) => void,
): Promise<Next> {
  const { lead, source } = it;
  // The lead keeps the variant it was assigned to, even if its experiment has ended since.
  const routed = routeLead(rules, it.campaign, lead.id, { experimentId: lead.experimentId, variant: lead.variant });
  const permit = postingPermit(svc, lead.journal, lead.id, routed.campaign);
  if (!(await permit.take())) {
    if (permit.erased) await svc.records.transition(lead.id, "erased", ERASED_REASON);
    else await svc.records.transition(lead.id, "pending", "journal unavailable, retry scheduled");
    return permit.erased ? "done" : { retryInS: retryDelaySeconds(it.campaign.retryBaseDelayS, delivery + 1) };
  }
  let round;
  try {
    round = await retryRound(
      svc,
      {
        id: lead.id,
        campaign: routed.campaign,
        source,
        lead: it.data,
        consent: storedConsent(lead.consent),
        createdAt: lead.createdAt,
        roundNo: lead.attempts + 1,
        journal: lead.journal,
      },
      routed.contracts,
      defer,
    );
    await svc.records.recordRound(round.record);
  } finally {
    await permit.release();
  }
  log("lead_retried", { lead_id: lead.id, delivery, status: round.status, ...round.result.summary });
  if (round.status !== "pending") {
    await notifyPostback(svc, source, lead.id);
    return "done";
  }
  return { retryInS: retryDelaySeconds(it.campaign.retryBaseDelayS, delivery + 1) };
}
