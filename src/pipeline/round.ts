// runRound: one auction round for a lead that is safely stored — from intake (the live round) or
// from the retry queue. It prepares what the round needs to know (which buyers already bought this
// consumer, which contracts are done with this lead), runs the auction, decides the lead's next
// state and describes what to record. The caller records it (intake: off the seller's wait).
import { runAuction, type AuctionInput, type AuctionResult, type PostGate } from "../auction/run";
import type { RoundRecord } from "../db/records";
import { buyerDedupeKeys, type Fingerprint } from "../lead/fingerprints";
import type { ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import { afterRound } from "../lead/state";
import type { Campaign, Contract, Source } from "../rules/model";
import type { Services } from "../services";

export interface StoredLead {
  id: string;
  campaign: Campaign;
  source: Source;
  lead: LeadData;
  /** The consent evidence stored with it (posted to the buyer), or null. */
  consent: ConsentRecord | null;
  createdAt: number;
  /** Retry rounds made before this one (0 for the live round). */
  retriesDone: number;
  /** Where its sales are journaled (null: a lead stored before journals existed). */
  journal: string | null;
}

export interface RoundContext {
  contracts: Contract[];
  /** Known at intake; computed otherwise. */
  fingerprints?: Fingerprint[];
  /**
   * The live round: settles while the pings are out (lead stored, dedupe verdict). Retry rounds
   * look up which buyers already bought the consumer before pinging instead.
   */
  gate?: Promise<PostGate>;
  /** A seller's post: the bids and pings of its earlier ping (see ../pipeline/seller.ts). */
  held?: AuctionInput["held"];
  /** Side effects that must finish but need not delay the answer (cap commits, give-backs). */
  defer: (p: Promise<unknown>) => void;
}

export interface RoundOutcome {
  status: "sold" | "pending" | "unsold";
  reason: string | null;
  result: AuctionResult;
  record: RoundRecord;
}

export async function runRound(svc: Services, lead: StoredLead, ctx: RoundContext): Promise<RoundOutcome> {
  const { campaign, retriesDone: attempt } = lead;
  const retry = attempt > 0;
  const fingerprints = ctx.fingerprints ?? (await svc.fingerprints(campaign, lead.lead));
  // A retry round never goes back to a contract that answered for good (accepted, rejected,
  // duplicate); ones that failed transiently (error, timeout) or had no cap headroom may be tried.
  const [alreadyBought, exclude] = ctx.gate
    ? [new Set<string>(), new Set<string>()]
    : await Promise.all([
        svc.dedupe.boughtBy(fingerprints, buyerDedupeKeys(ctx.contracts), lead.id),
        retry ? svc.records.contractsDoneWith(lead.id) : new Set<string>(),
      ]);
  const result = await runAuction({
    services: svc,
    campaign,
    source: lead.source,
    contracts: ctx.contracts,
    leadId: lead.id,
    journal: lead.journal,
    lead: lead.lead,
    consent: lead.consent,
    fingerprints,
    alreadyBought,
    gate: ctx.gate ?? Promise.resolve({ go: true, alreadyBought: new Set(), holding: new Set() }),
    held: ctx.held,
    exclude,
    // Fallback tiers compete only once the live round found no taker.
    includeFallback: retry,
    attempt,
    defer: ctx.defer,
  });
  const { status, reason } = afterRound({
    sold: result.sales.length,
    transientFailure: result.transientFailure,
    attempts: attempt,
    maxAttempts: campaign.retryMaxAttempts,
    saleWindowEnd: lead.createdAt + campaign.saleWindowS * 1000,
    now: Date.now(),
  });
  const record: RoundRecord = {
    leadId: lead.id,
    pings: result.pings,
    posts: result.posts,
    events: [
      { kind: retry ? "retry_auction" : "auction", detail: { attempt, ...result.summary } },
      { kind: status === "pending" ? "retry_scheduled" : "final", detail: { status, reason, price_cents: result.total.priceCents } },
    ],
    status,
    reason,
    priceCents: result.total.priceCents,
    payoutCents: result.total.payoutCents,
    marginCents: result.total.marginCents,
    attempts: attempt,
  };
  return { status, reason, result, record };
}
