// Resale, pure: which offers a lead gets (a returned lead's, and the campaign's aged tiers), whether a
// lead may still be offered now (erasure, retention, age and consent limits, suppression, its
// TrustedForm certificate), who may compete (never a buyer that had the lead, never the returner;
// aged-lead contracts only within their ages), the campaign a resale round runs under, and what the
// source is paid. Integer cents; times are epoch ms, `now` always passed in.
import type { Campaign, Contract, Source } from "../rules/model";

export const DAY_MS = 86_400_000;
/** Resale rounds are numbered from here in a lead's pings and posts (retry rounds stay below 100). */
export const RESALE_ROUND_BASE = 1000;
/** A TrustedForm certificate can be claimed for 72 hours, 90 days once checked in (or a form submit seen). */
export const CERT_CLAIM_MS = 72 * 3_600_000;
export const CERT_EXTENDED_MS = 90 * DAY_MS;

export type ResaleReason = "returned" | "unsold" | "sold";

/** An offer to schedule: a resales row before its id and round. */
export interface PlannedOffer {
  reason: ResaleReason;
  /** The aged tier's days; 0 for a returned lead's offer. */
  tierDays: number;
  dueAt: number;
  floorCents: number;
  /** The lead carries a TrustedForm certificate: check it in (extend it) while that is possible. */
  certCheck: boolean;
  returnId?: string;
  returnedContractId?: string;
}

type ResaleSettings = Pick<
  Campaign,
  "agedTiers" | "agedSold" | "resellReturns" | "resaleDelayS" | "resaleMaxAgeDays" | "retentionDays" | "floorCents" | "exclusive"
>;

/**
 * The aged offers of a lead that just ended: every tier for an unsold lead; for a sold one, when the
 * campaign offers its sold leads (`aged_sold`): `shared` ones that were not sold exclusively, `all`
 * any (an exclusive sale's exclusivity ends at the first tier).
 */
export function agedOffers(
  campaign: Pick<ResaleSettings, "agedTiers" | "agedSold">,
  lead: { createdAt: number; status: string; soldExclusive: boolean; hasCert: boolean },
): PlannedOffer[] {
  const offered =
    lead.status === "unsold" ||
    (lead.status === "sold" && (campaign.agedSold === "all" || (campaign.agedSold === "shared" && !lead.soldExclusive)));
  if (!offered) return [];
  return campaign.agedTiers.map((t) => ({
    reason: lead.status === "unsold" ? "unsold" : "sold",
    tierDays: t.days,
    dueAt: lead.createdAt + t.days * DAY_MS,
    floorCents: t.floor_cents,
    certCheck: lead.hasCert,
  }));
}

/** A returned lead's offer, when the campaign resells returns: after its delay, at the campaign's floor. */
export function returnedOffer(
  campaign: Pick<ResaleSettings, "resellReturns" | "resaleDelayS" | "floorCents">,
  r: { now: number; returnId: string; contractId: string; hasCert: boolean },
): PlannedOffer | null {
  if (!campaign.resellReturns) return null;
  return {
    reason: "returned",
    tierDays: 0,
    dueAt: r.now + campaign.resaleDelayS * 1000,
    floorCents: campaign.floorCents,
    certCheck: r.hasCert,
    returnId: r.returnId,
    returnedContractId: r.contractId,
  };
}

/** When a lead's certificate stops being claimable: checked in, or 72 hours after the lead. */
export const certExpiry = (createdAt: number, certUntil: number | null): number => certUntil ?? createdAt + CERT_CLAIM_MS;

/** What is known of a lead when its offer comes due. */
export interface ResaleFacts {
  status: string;
  redactedAt: number | null;
  createdAt: number;
  /** When consent was given (its consent_timestamp), or null. */
  consentAt: number | null;
  hasCert: boolean;
  certUntil: number | null;
  suppressed: boolean;
}

/** Why the lead may not be offered now, or null. Every resale passes here first. */
export function resaleBlock(campaign: ResaleSettings, reason: ResaleReason, lead: ResaleFacts, now: number): string | null {
  if (lead.redactedAt !== null || lead.status === "erased") return "the consumer's data was erased or redacted";
  if (lead.status !== "sold" && lead.status !== "unsold") return `the lead is ${lead.status}`;
  if (reason === "returned" && !campaign.resellReturns) return "the campaign no longer resells returned leads";
  if (campaign.retentionDays !== null && now >= lead.createdAt + campaign.retentionDays * DAY_MS) return "past the campaign's retention";
  const limit = campaign.resaleMaxAgeDays * DAY_MS;
  if (now - lead.createdAt > limit) return `the lead is older than resale_max_age_days (${campaign.resaleMaxAgeDays})`;
  if (lead.consentAt !== null && now - lead.consentAt > limit)
    return `consent is older than resale_max_age_days (${campaign.resaleMaxAgeDays})`;
  if (lead.suppressed) return "the consumer is suppressed";
  if (lead.hasCert && now >= certExpiry(lead.createdAt, lead.certUntil))
    return lead.certUntil === null
      ? "TrustedForm certificate expired (72 hours, not checked in)"
      : "TrustedForm certificate expired (90 days)";
  return null;
}

/** A lead's age in whole days. */
export const ageDays = (createdAt: number, now: number): number => Math.max(0, Math.floor((now - createdAt) / DAY_MS));

/** An aged-lead contract takes a lead of this age; a fresh-lead contract only a returned lead's resale. */
export function takesResale(c: Pick<Contract, "aged">, reason: ResaleReason, age: number): boolean {
  return c.aged ? age >= c.aged.minDays && age <= c.aged.maxDays : reason === "returned";
}

/**
 * Who competes in a resale round: the campaign's contracts that take a lead of this age, and among
 * them those left out (by id) because their buyer had the lead before — it received it, whatever it
 * answered, or it returned it. A contract never gets the full lead twice, a buyer never the consumer twice.
 */
export function resaleEntrants(
  contracts: Contract[],
  r: { reason: ResaleReason; age: number; hadIt: ReadonlySet<string>; returnedBuyer: string | null },
): { compete: Contract[]; exclude: Set<string> } {
  const compete = contracts.filter((c) => takesResale(c, r.reason, r.age));
  const exclude = new Set(compete.filter((c) => r.hadIt.has(c.buyerId) || c.buyerId === r.returnedBuyer).map((c) => c.id));
  return { compete, exclude };
}

/**
 * The campaign a resale round runs under: the offer's floor, an auction (never by value, never a
 * waterfall). A returned lead takes one buyer in the returner's place; an aged tier sells as the
 * campaign does (up to max_buyers), and an aged sale is never exclusive.
 */
export function resaleCampaign<C extends Campaign>(campaign: C, reason: ResaleReason, floorCents: number): C {
  return {
    ...campaign,
    floorCents,
    mode: "auction",
    sellByValue: false,
    exclusive: reason === "returned" && campaign.exclusive,
    maxBuyers: reason === "returned" ? 1 : campaign.maxBuyers,
  };
}

/**
 * The source as a resale pays it: its share of each price; a fixed payout is per lead, so only what
 * it does not hold already (paid before and not clawed back) is left to pay.
 */
export function resaleSource<S extends Pick<Source, "payoutType" | "payoutValue">>(source: S, keptPayoutCents: number): S {
  return source.payoutType === "share" ? source : { ...source, payoutValue: Math.max(0, source.payoutValue - keptPayoutCents) };
}

/**
 * A certificate check-in's result for a lead: extended (claimable 90 days from the lead), gone, or
 * not known yet (TrustedForm did not answer: tried again next minute, until the 72 hours are over).
 */
export function afterCheckIn(
  outcome: "extended" | "expired" | "failed",
  createdAt: number,
  now: number,
): { done: boolean; until: number | null } {
  if (outcome === "extended") return { done: true, until: createdAt + CERT_EXTENDED_MS };
  if (outcome === "expired") return { done: true, until: null };
  return { done: now >= createdAt + CERT_CLAIM_MS, until: null };
}
