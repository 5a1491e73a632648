// runAuction: one auction over a lead — eligibility -> parallel pings -> ranking -> post cascade
// (or the sequential waterfall). It wires the pure pieces to the buyers, caps and dedupe clients it
// is given; it returns everything to record, and the caller writes it off the seller's wait.
import type { PingResult } from "../buyers/ping";
import type { Fingerprint } from "../lead/fingerprints";
import type { LeadData } from "../lead/fields";
import { pingSafeLead } from "../lead/ping-safe";
import { newId } from "../lib/ids";
import type { Campaign, Contract, Source } from "../rules/compile";
import type { PingRow, PostRow } from "../db/schema";
import type { Services } from "../services";
import { cascadePosts, isTransient, type PostAttempt } from "./cascade";
import { selectEligible } from "./eligibility";
import { splitSales, sumSplits, type Split } from "./pricing";
import { fixedPriceBids, qualifyBid, rankBids, type Bid } from "./ranking";

export interface AuctionInput {
  services: Pick<Services, "caps" | "dedupe" | "buyers">;
  campaign: Campaign;
  source: Source;
  contracts: Contract[];
  leadId: string;
  lead: LeadData;
  fingerprints: Fingerprint[];
  alreadyBought: ReadonlySet<string>;
  exclude: ReadonlySet<string>;
  includeFallback: boolean;
  attempt: number;
  /** Side effects that must finish but need not delay the answer (cap commits). */
  defer: (p: Promise<unknown>) => void;
}

export interface Sale {
  contract: Contract;
  split: Split;
  buyerLeadId: string | null;
}

export interface AuctionResult {
  sales: Sale[];
  total: Split;
  pings: PingRow[];
  posts: PostRow[];
  /** A post failed in a way that may succeed later (timeout, 5xx, connection): worth a retry. */
  transientFailure: boolean;
  /** Skipped, pinged, bid and rejected counts, for the trace. */
  summary: Record<string, number>;
  /** The buyers' share of the wall time: the slowest awaited ping and the post attempts. */
  timing: { pingMs: number; postMs: number };
}

export async function runAuction(input: AuctionInput): Promise<AuctionResult> {
  const { campaign, leadId } = input;
  const now = Date.now();
  const eligibility = selectEligible({
    contracts: input.contracts,
    lead: input.lead,
    now,
    capFull: (id) => input.services.caps.isKnownFull(id, now),
    alreadyBought: input.alreadyBought,
    exclude: input.exclude,
    includeFallback: input.includeFallback,
    maxFanout: Math.min(campaign.maxFanout, 1000),
  });
  const pings: PingRow[] = eligibility.skipped.map((s) => ({
    id: newId("pg"),
    leadId,
    contractId: s.contract.id,
    attempt: input.attempt,
    outcome: "skipped",
    reason: s.reason,
  }));
  const post = reserveAndPost(input);
  const result =
    campaign.mode === "waterfall"
      ? await waterfallAuction(input, [...eligibility.ping, ...eligibility.fixed], pings, post)
      : await parallelAuction(input, eligibility.ping, eligibility.fixed, pings, post);

  const splits = splitSales(input.source, result.sold.map((s) => s.bid.bidCents));
  const sales = result.sold.map((s, i) => ({ contract: s.bid.contract, split: splits[i]!, buyerLeadId: s.buyerLeadId }));
  const posts: PostRow[] = result.attempts.map((a) => {
    const saleIdx = result.sold.indexOf(a);
    return {
      id: newId("po"),
      leadId,
      contractId: a.bid.contract.id,
      attempt: input.attempt,
      outcome: a.outcome,
      reason: a.reason,
      httpStatus: a.httpStatus,
      latencyMs: a.latencyMs,
      priceCents: a.bid.bidCents,
      payoutCents: saleIdx >= 0 ? splits[saleIdx]!.payoutCents : 0,
      buyerLeadId: a.buyerLeadId,
    };
  });
  const count = (o: string) => pings.filter((p) => p.outcome === o).length;
  const awaited = pings.filter((p) => p.outcome !== "skipped" && p.latencyMs != null).map((p) => p.latencyMs!);
  return {
    sales,
    total: sumSplits(splits),
    pings,
    posts,
    transientFailure: result.attempts.some((a) => isTransient(a.outcome)) && result.sold.length === 0,
    summary: {
      skipped: count("skipped"),
      pinged: pings.length - count("skipped"),
      bids: count("bid"),
      fixed: eligibility.fixed.length,
      posts: posts.length,
      sold: sales.length,
    },
    timing: {
      pingMs: campaign.mode === "waterfall" ? awaited.reduce((a, b) => a + b, 0) : Math.max(0, ...awaited),
      postMs: result.attempts.reduce((a, p) => a + p.latencyMs, 0),
    },
  };
}

type Post = (bid: Bid, timeoutMs: number) => Promise<PostAttempt>;

function pingRow(input: AuctionInput, r: PingResult, qualified: ReturnType<typeof qualifyBid> | null): PingRow {
  const below = qualified && !qualified.ok;
  return {
    id: r.pingId,
    leadId: input.leadId,
    contractId: r.contract.id,
    attempt: input.attempt,
    outcome: below ? "below_floor" : r.outcome,
    reason: below ? qualified.reason : r.reason,
    httpStatus: r.httpStatus,
    latencyMs: r.latencyMs,
    bidCents: r.bidCents,
    effectiveCents: qualified ? qualified.ok ? qualified.bid.effectiveCents : qualified.effectiveCents : null,
    bidToken: r.token,
  };
}

async function pingContracts(input: AuctionInput, contracts: Contract[], deadline: number): Promise<PingResult[]> {
  const safe = pingSafeLead(input.campaign.fields, input.lead);
  return input.services.buyers.ping(
    contracts.map((contract) => ({
      contract,
      ctx: { pingId: newId("pg"), campaign: input.campaign.slug, leadId: input.leadId, lead: safe },
    })),
    deadline,
  );
}

/** Parallel ping auction, then the post cascade over the ranked bids. */
async function parallelAuction(input: AuctionInput, toPing: Contract[], fixed: Contract[], pings: PingRow[], post: Post) {
  const { campaign } = input;
  const results = await pingContracts(input, toPing, Date.now() + campaign.pingTimeoutMs);
  const bids: Bid[] = [];
  for (const r of results) {
    const q = r.outcome === "bid" ? qualifyBid(r.contract, r.bidCents!, campaign.floorCents, { token: r.token, pingId: r.pingId, latencyMs: r.latencyMs }) : null;
    if (q?.ok) bids.push(q.bid);
    pings.push(pingRow(input, r, q));
  }
  const fixedBids = fixedPriceBids(fixed, campaign);
  for (const f of fixedBids.rejected)
    pings.push({ id: newId("pg"), leadId: input.leadId, contractId: f.contract.id, attempt: input.attempt, outcome: "below_floor", reason: f.reason, bidCents: f.contract.fixedPriceCents });
  const ranked = rankBids([...bids, ...fixedBids.bids]);
  return cascadePosts(ranked, {
    maxBuyers: campaign.exclusive ? 1 : campaign.maxBuyers,
    deadline: Date.now() + campaign.postDeadlineMs,
    now: Date.now,
    post,
  });
}

/** The sequential ping tree: contracts in priority order, first acceptance at or above the floor wins. */
async function waterfallAuction(input: AuctionInput, contracts: Contract[], pings: PingRow[], post: Post) {
  const { campaign } = input;
  const ordered = [...contracts].sort((a, b) => b.priority - a.priority);
  const maxBuyers = campaign.exclusive ? 1 : campaign.maxBuyers;
  const deadline = Date.now() + campaign.pingTimeoutMs + campaign.postDeadlineMs;
  const attempts: PostAttempt[] = [];
  const sold: PostAttempt[] = [];
  const soldTo = new Set<string>();
  for (const contract of ordered) {
    if (sold.length >= maxBuyers || Date.now() >= deadline) break;
    if (soldTo.has(contract.buyerId)) continue;
    let bid: Bid | undefined;
    if (contract.pricing === "fixed") {
      const f = fixedPriceBids([contract], campaign);
      bid = f.bids[0];
      if (!bid) pings.push({ id: newId("pg"), leadId: input.leadId, contractId: contract.id, attempt: input.attempt, outcome: "below_floor", reason: f.rejected[0]?.reason ?? null });
    } else {
      const [r] = await pingContracts(input, [contract], Math.min(deadline, Date.now() + campaign.pingTimeoutMs));
      const q = r!.outcome === "bid" ? qualifyBid(contract, r!.bidCents!, campaign.floorCents, { token: r!.token, pingId: r!.pingId, latencyMs: r!.latencyMs }) : null;
      pings.push(pingRow(input, r!, q));
      if (q?.ok) bid = q.bid;
    }
    if (!bid) continue;
    const attempt = await post(bid, Math.max(1, deadline - Date.now()));
    attempts.push(attempt);
    if (attempt.outcome === "accepted") {
      sold.push(attempt);
      soldTo.add(contract.buyerId);
    }
  }
  return { sold, attempts };
}

/** Reserve cap and buyer dedupe, post, then commit or give both back. */
function reserveAndPost(input: AuctionInput): Post {
  const { caps, dedupe, buyers } = input.services;
  const { leadId, fingerprints } = input;
  return async (bid, timeoutMs) => {
    const c = bid.contract;
    const started = Date.now();
    const attempt = (outcome: PostAttempt["outcome"], reason: string | null, extra: Partial<PostAttempt> = {}): PostAttempt => ({
      bid,
      outcome,
      reason,
      httpStatus: null,
      latencyMs: Date.now() - started,
      buyerLeadId: null,
      ...extra,
    });
    const [cap, fresh] = await Promise.all([
      caps.reserve(c, leadId, bid.bidCents),
      dedupe.claimForBuyer(fingerprints, c.dedupeKey, leadId, c.dedupeWindowS),
    ]);
    const giveBack = () =>
      Promise.all([
        cap.ok ? caps.release(c, leadId) : undefined,
        fresh ? dedupe.releaseForBuyer(fingerprints, c.dedupeKey, leadId, c.dedupeWindowS) : undefined,
      ]);
    if (!cap.ok) {
      await giveBack();
      return attempt("cap_full", cap.limit);
    }
    if (!fresh) {
      await giveBack();
      return attempt("duplicate", "buyer already bought this consumer");
    }
    // A committed reservation for this lead means this contract already bought it (a round whose
    // records were lost and is being recovered): never post the same lead to it twice.
    if (cap.state === "committed") return attempt("accepted", "already sold to this contract");
    const res = await buyers.post(
      c,
      { pingId: bid.pingId, bidToken: bid.token, priceCents: bid.bidCents, campaign: input.campaign.slug, leadId, lead: input.lead },
      timeoutMs,
    );
    const http = { httpStatus: res.httpStatus, latencyMs: res.latencyMs };
    if (res.kind === "accepted") {
      input.defer(caps.commit(c, leadId));
      return attempt("accepted", null, { ...http, buyerLeadId: res.buyerLeadId });
    }
    input.defer(giveBack());
    return attempt(res.kind, res.reason, http);
  };
}
