// What happens to a valid lead: suppression check and storage in one D1 round trip, the campaign
// dedupe claim, then the hand-off to the auction. The lead is stored before anything else can go
// wrong, and every path ends in a recorded state (or `pending`, which the retry queue finishes).
import { and, eq, inArray } from "drizzle-orm";
import { auctionRound } from "../auction/round";
import type { Config, Env } from "../env";
import { dbOf } from "../db/client";
import { leadSummary, recordEarlyEnd, recordRound, transition, type LeadSummary } from "../db/records";
import * as t from "../db/schema";
import type { LeadStatus } from "../db/schema";
import { Unavailable } from "../lib/errors";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import { centsToDollars } from "../lib/money";
import type { Campaign, Contract, Rules, Source } from "../rules/compile";
import { retryDelaySeconds } from "./state";
import { buyerDedupeKeys, claimForCampaign, fingerprintsForCampaign, releaseCampaignClaim, type Fingerprint } from "./dedupe";
import type { LeadData } from "./fields";
import type { LeadResponse } from "./response";

export type { LeadResponse };

export interface Submission {
  campaign: Campaign;
  source: Source;
  lead: LeadData;
  consent: Record<string, string | boolean> | null;
  meta: Record<string, string | null>;
  idempotencyKey: string | null;
}


type Defer = (p: Promise<unknown>) => void;

function respond(
  source: Source,
  leadId: string,
  status: LeadResponse["status"],
  extra: Partial<Omit<LeadResponse, "lead_id" | "status">> = {},
): LeadResponse {
  const good = status === "sold" || status === "pending" || status === "unsold";
  return {
    lead_id: leadId,
    status,
    price: 0,
    payout: 0,
    buyer: null,
    buyers: [],
    redirect_url: (good ? source.successUrl : source.failureUrl) ?? null,
    reason: null,
    duplicate_of: null,
    ...extra,
  };
}

/** The stored result of a lead, for idempotent replays and GET /v1/leads/:id. */
export function responseFromSummary(source: Source, s: LeadSummary): LeadResponse {
  const inFlight: LeadStatus[] = ["received", "auctioning", "pending"];
  const status = inFlight.includes(s.lead.status) ? "pending" : (s.lead.status as LeadResponse["status"]);
  const buyers = [...new Set(s.sales.map((x) => x.buyerName))];
  return respond(source, s.lead.id, status, {
    price: centsToDollars(s.lead.priceCents),
    payout: centsToDollars(s.lead.payoutCents),
    buyer: buyers[0] ?? null,
    buyers,
    reason: s.lead.reason,
    duplicate_of: s.lead.duplicateOf,
  });
}

/** The lead could not be stored, so nothing was accepted: the seller should retry. */
export class LeadNotStored extends Unavailable {
  constructor() {
    super("storage_unavailable", "the lead could not be stored; retry with the same Idempotency-Key");
  }
}

export interface Ingested {
  response: LeadResponse;
  /** Present when an auction ran: the buyers' share of the time (for the Server-Timing header). */
  timing?: { pingMs: number; postMs: number; intakeMs: number };
}

export async function ingest(env: Env, config: Config, rules: Rules, sub: Submission, defer: Defer): Promise<Ingested> {
  const db = dbOf(env.DB);
  const { campaign, source } = sub;
  const leadId = newId("ld");
  const now = Date.now();
  const fps = await fingerprintsForCampaign(campaign, sub.lead);
  const phoneHash = fps.find((f) => f.kind === "phone")?.hash ?? null;
  const emailHash = fps.find((f) => f.kind === "email")?.hash ?? null;

  // Two round trips in parallel: (1) one D1 batch with the suppression look-up and the lead itself (an
  // idempotent replay inserts nothing), (2) the campaign dedupe claim, which also tells which buyers
  // already bought this consumer. A claim made for a lead that then turns out not to be auctioned
  // (replay, suppressed, storage failure) is given back.
  const contracts = rules.contractsByCampaign.get(campaign.id) ?? [];
  const buyerKeys = buyerDedupeKeys(contracts);
  const claiming = claimForCampaign(env, config.DEDUPE_SHARDS, fps, campaign.id, leadId, campaign.dedupeWindowS, buyerKeys);
  // Awaited later; a failure is handled there, not reported as unhandled while D1 is being written.
  claiming.catch(() => {});
  const giveBackClaim = async () => {
    const d = await claiming;
    if (!d.duplicateOf) await releaseCampaignClaim(env, config.DEDUPE_SHARDS, fps, campaign.id, leadId);
  };
  let stored;
  try {
    stored = await db.batch([
      db.select({ reason: t.suppressions.reason }).from(t.suppressions).where(inArray(t.suppressions.hash, fps.length ? fps.map((f) => f.hash) : [""])),
      db
        .insert(t.leads)
        .values({
          id: leadId,
          campaignId: campaign.id,
          sourceId: source.id,
          status: "received",
          idempotencyKey: sub.idempotencyKey,
          data: JSON.stringify(sub.lead),
          consent: sub.consent ? JSON.stringify(sub.consent) : null,
          meta: JSON.stringify(sub.meta),
          phoneHash,
          emailHash,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: t.leads.id }),
    ]);
  } catch (err) {
    defer(giveBackClaim());
    log("lead_store_failed", { error: (err as Error).message.slice(0, 200) }, "error");
    // Nothing was accepted: the seller must retry (the same Idempotency-Key makes that safe).
    throw new LeadNotStored();
  }
  const [suppressed, inserted] = stored;

  if (inserted.length === 0) {
    // Same source and idempotency key as an earlier submission: answer with that lead's result.
    defer(giveBackClaim());
    const [existing] = await db
      .select({ id: t.leads.id })
      .from(t.leads)
      .where(and(eq(t.leads.sourceId, source.id), eq(t.leads.idempotencyKey, sub.idempotencyKey ?? "")));
    const summary = existing ? await leadSummary(db, existing.id) : undefined;
    if (!summary || summary.lead.sourceId !== source.id) throw new Error("idempotent replay without a stored lead");
    log("lead_replayed", { lead_id: summary.lead.id, source: source.id });
    return { response: responseFromSummary(source, summary) };
  }

  if (suppressed.length > 0) {
    const reason = `suppressed: ${suppressed[0]!.reason}`;
    defer(Promise.all([recordEarlyEnd(db, leadId, "rejected", reason), giveBackClaim()]));
    log("lead_rejected", { lead_id: leadId, reason: "suppressed" });
    return { response: respond(source, leadId, "rejected", { reason }) };
  }

  // The lead is stored: from here on no failure may lose it or answer 500. If anything breaks, the
  // lead is handed to the retry queue and the seller told `pending`.
  try {
    return await decideStoredLead(env, config, sub, { leadId, now, fps, contracts, claiming }, defer);
  } catch (err) {
    log("auction_failed", { lead_id: leadId, error: (err as Error).message.slice(0, 200) }, "error");
    defer(
      (async () => {
        if (await transition(db, leadId, "pending", "auction interrupted, retry scheduled"))
          await env.RETRY_QUEUE.send({ leadId }, { delaySeconds: retryDelaySeconds(campaign.retryBaseDelayS, 1) });
      })(),
    );
    return { response: respond(source, leadId, "pending", { reason: "auction interrupted, retry scheduled" }) };
  }
}

interface Stored {
  leadId: string;
  now: number;
  fps: Fingerprint[];
  contracts: Contract[];
  claiming: ReturnType<typeof claimForCampaign>;
}

/** Dedupe verdict, then the auction, for a lead that is safely stored. */
async function decideStoredLead(env: Env, config: Config, sub: Submission, stored: Stored, defer: Defer): Promise<Ingested> {
  const db = dbOf(env.DB);
  const { campaign, source } = sub;
  const { leadId, now, fps, contracts } = stored;
  const dedupe = await stored.claiming;
  if (dedupe.duplicateOf) {
    const duplicateOf = dedupe.duplicateOf;
    defer(recordEarlyEnd(db, leadId, "duplicate", "same consumer inside the campaign's dedupe window", duplicateOf));
    log("lead_duplicate", { lead_id: leadId, duplicate_of: duplicateOf });
    return { response: respond(source, leadId, "duplicate", { duplicate_of: duplicateOf, reason: "duplicate" }) };
  }

  const intakeMs = Date.now() - now;
  const round = await auctionRound({
    env,
    config,
    campaign,
    source,
    contracts,
    leadId,
    lead: sub.lead,
    fingerprints: fps,
    alreadyBought: dedupe.alreadyBought,
    exclude: new Set(),
    includeFallback: false,
    retriesDone: 0,
    createdAt: now,
    defer,
  });
  round.record.events.unshift({ kind: "accepted", at: now, detail: { campaign: campaign.slug, source: source.id, dedupe: "unique" } });
  defer(
    (async () => {
      await recordRound(db, round.record);
      if (round.status === "pending")
        await env.RETRY_QUEUE.send({ leadId }, { delaySeconds: retryDelaySeconds(campaign.retryBaseDelayS, 1) });
    })(),
  );
  log("lead_auctioned", { lead_id: leadId, campaign: campaign.slug, source: source.id, status: round.status, ...round.result.summary, price_cents: round.result.total.priceCents });
  const buyers = round.result.sales.map((s) => s.contract.buyerName);
  return {
    response: respond(source, leadId, round.status, {
      price: centsToDollars(round.result.total.priceCents),
      payout: centsToDollars(round.result.total.payoutCents),
      buyer: buyers[0] ?? null,
      buyers,
      reason: round.reason,
    }),
    timing: { ...round.result.timing, intakeMs },
  };
}
