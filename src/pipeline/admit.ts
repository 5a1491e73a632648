// Admission to intake: a valid lead gets its id (a seller's post: the one its ping reserved), its
// fingerprints, its routing (experiment variant) and consent record, and a unit of its source's daily
// quota; then the row it is stored as, and the lead as its live round sees it.
import type { HeldBids } from "../auction/bids";
import type { Defer } from "../auction/ports";
import type { Consent, ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import { buyerDedupeKeys, type Fingerprint } from "../lead/fingerprints";
import { sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";
import type { Campaign, Rules, Source } from "../rules/model";
import type { Services } from "../services";
import type { StoredLead } from "./round";
import { routeLead, type Route } from "./route";
import { takeQuota, type QuotaUnit } from "./verdict";

export interface Submission {
  campaign: Campaign;
  source: Source;
  lead: LeadData;
  consent: Consent | null;
  meta: Record<string, string | null>;
  /** Namespaced by channel ("server:…", "browser:…"), or null. */
  idempotencyKey: string | null;
  /** A seller's post: its ping's offer — the lead id it reserved, and the bids and pings it collected. */
  offer?: { leadId: string } & HeldBids;
}

/** A lead admitted to intake: what every step reads. */
export interface Admitted {
  sub: Submission;
  leadId: string;
  receivedAt: number;
  fps: Fingerprint[];
  requestHash: string | null;
  route: Route;
  /** The buyer keys the intake holds for the round: every contract of the campaign with a window. */
  buyerKeys: string[];
  journal: string;
  consent: ConsentRecord | null;
  quota: QuotaUnit | null;
}

/** The lead's id, fingerprints, routing and consent record; a unit of its source's daily quota. */
export async function admit(svc: Services, rules: Rules, sub: Submission, defer: Defer): Promise<Admitted> {
  const { campaign } = sub;
  const leadId = sub.offer?.leadId ?? newId("ld");
  const receivedAt = Date.now();
  const fps = await svc.fingerprints(campaign, sub.lead);
  const requestHash = sub.idempotencyKey === null ? null : await sha256Hex(JSON.stringify([campaign.id, sub.lead, sub.consent]));
  // A running experiment routes the lead by its variant's settings (deterministic per lead).
  const route = routeLead(rules, campaign, leadId);
  const buyerKeys = buyerDedupeKeys(rules.contractsByCampaign.get(campaign.id) ?? []);
  // The evidence as stored and posted: what the consumer agreed to, and where from.
  const consent = sub.consent ? { ...sub.consent, ip: sub.meta.ip ?? null, user_agent: sub.meta.user_agent ?? null } : null;
  // Over its daily quota a source's lead is refused before anything is stored or pinged.
  const quota = await takeQuota(svc, sub.source, leadId, defer);
  return { sub, leadId, receivedAt, fps, requestHash, route, buyerKeys, journal: svc.journal.nameFor(leadId), consent, quota };
}

/** The lead as its live round sees it: routed, round 0. */
export const asStored = (lead: Admitted): StoredLead => ({
  id: lead.leadId,
  campaign: lead.route.campaign,
  source: lead.sub.source,
  lead: lead.sub.lead,
  consent: lead.consent,
  createdAt: lead.receivedAt,
  roundNo: 0,
  journal: lead.journal,
});

/** The lead's row and fingerprint hashes: one D1 batch with the suppression look-up. */
export function storeLead(svc: Services, lead: Admitted) {
  const { sub, fps } = lead;
  return svc.records.storeLead(
    {
      id: lead.leadId,
      campaignId: sub.campaign.id,
      sourceId: sub.source.id,
      idempotencyKey: sub.idempotencyKey,
      requestHash: lead.requestHash,
      journal: lead.journal,
      data: JSON.stringify(sub.lead),
      consent: lead.consent ? JSON.stringify(lead.consent) : null,
      meta: JSON.stringify(sub.meta),
      phoneHash: fps.find((f) => f.kind === "phone")?.hash ?? null,
      emailHash: fps.find((f) => f.kind === "email")?.hash ?? null,
      createdAt: lead.receivedAt,
      experimentId: lead.route.experimentId,
      variant: lead.route.variant,
    },
    fps.map((f) => f.hash),
  );
}
