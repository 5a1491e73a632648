// runAuction: one auction over a lead — eligibility -> parallel pings -> ranking -> post cascade
// (or the sequential waterfall). It wires the pure pieces to the buyers, caps and dedupe clients it
// is given; it returns everything to record, and the caller writes it off the seller's wait.
import type { PingResult } from "../buyers/ping";
import type { Fingerprint } from "../lead/fingerprints";
import type { ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import { pingSafeLead } from "../lead/ping-safe";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import type { Campaign, Contract, Source } from "../rules/model";
import type { PingRow, PostRow } from "../db/schema";
import type { Services } from "../services";
import { cascadePosts, failedAttempt, isTransient, type PostAttempt } from "./cascade";
import { pingBudget } from "../limits/policy";
import { selectEligible, type Eligibility } from "./eligibility";
import { splitSales, sumSplits, type Split } from "./pricing";
import { fixedPriceBids, qualifyBid, rankBids, type Bid } from "./ranking";

/**
 * What must be known before anything is posted, settled while the pings are out (the live round:
 * the lead stored, the dedupe verdict). `go: false` halts the round after the pings: their bids are
 * discarded, the pings recorded.
 */
export type PostGate =
  | {
      go: true;
      /** Buyer dedupe keys found taken after the pings left: their bids are discarded. */
      alreadyBought: ReadonlySet<string>;
      /** Buyer dedupe keys the intake holds for this lead: posting to them needs no claim. */
      holding: ReadonlySet<string>;
    }
  | { go: false };

export interface AuctionInput {
  services: Pick<Services, "caps" | "dedupe" | "buyers" | "journal" | "breakers" | "limits">;
  campaign: Campaign;
  source: Source;
  contracts: Contract[];
  leadId: string;
  /** The journal its sales are written to before any further I/O (null: none). */
  journal: string | null;
  lead: LeadData;
  /** The consent evidence: posted with the lead; its TrustedForm ping URL goes in pings. */
  consent: ConsentRecord | null;
  fingerprints: Fingerprint[];
  /** Buyer dedupe keys known taken before the pings (such contracts are not pinged). */
  alreadyBought: ReadonlySet<string>;
  gate: Promise<PostGate>;
  exclude: ReadonlySet<string>;
  /** A seller's ping (POST /v1/pings): collect and rank the bids, post nothing. */
  bidOnly?: boolean;
  /** A seller's post (POST /v1/posts): the bids and pings its ping collected, instead of pinging again. */
  held?: { bids: HeldBid[]; pings: PingRow[] };
  includeFallback: boolean;
  attempt: number;
  /** Side effects that must finish but need not delay the answer (cap commits). */
  defer: (p: Promise<unknown>) => void;
}

/** A ranked bid kept between a seller's ping and its post (plain data: it is stored). */
export interface HeldBid {
  contractId: string;
  bidCents: number;
  effectiveCents: number;
  token: string | null;
  pingId: string | null;
  latencyMs: number;
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
  timing: { pingMs: number; postMs: number; gateMs: number };
  /** The gate said no: nothing was posted. */
  halted: boolean;
  /**
   * Held buyer keys this round sold to or was rejected by, claimed when the holds are settled: a
   * buyer is not sent a consumer it already bought, nor one it rejected, within its window.
   */
  claimHeld: { key: string; windowS: number }[];
  /** A seller's ping: the ranked bids to hold. */
  ranked: HeldBid[];
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
    paused: (c) => input.services.breakers.paused(c, now),
    namedSellers: campaign.oneToOne ? (input.consent?.consent_sellers ?? []) : undefined,
  });
  await spendPingBudget(input, eligibility);
  // A seller's post keeps the pings its ping made; the eligibility of that moment decided them.
  const pings: PingRow[] = input.held
    ? [...input.held.pings]
    : eligibility.skipped.map((s) => ({
        id: newId("pg"),
        leadId,
        contractId: s.contract.id,
        attempt: input.attempt,
        outcome: "skipped",
        reason: s.reason,
      }));
  // Cap headroom for the contracts that may win is taken while the pings are out.
  if (input.attempt === 0) input.services.caps.prepare([...eligibility.ping, ...eligibility.fixed], input.defer);
  const gate = openGate(input);
  const post = reserveAndPost(input, gate);
  // A seller's ping or post always runs in parallel: a ping tree can't promise a price up front.
  const result: { sold: PostAttempt[]; attempts: PostAttempt[]; ranked?: Bid[] } =
    campaign.mode === "waterfall" && !input.bidOnly && !input.held
      ? await waterfallAuction(input, [...eligibility.ping, ...eligibility.fixed], pings, post, gate)
      : await parallelAuction(input, eligibility.ping, eligibility.fixed, pings, post, gate);

  const splits = splitSales(
    input.source,
    result.sold.map((s) => s.bid.bidCents),
  );
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
      gateMs: gate.waitedMs,
    },
    halted: gate.halted,
    claimHeld: result.attempts
      .filter((a) => (a.outcome === "accepted" || a.outcome === "rejected") && gate.holds(a.bid.contract))
      .map((a) => ({ key: a.bid.contract.dedupeKey, windowS: a.bid.contract.dedupeWindowS })),
    ranked: (result.ranked ?? []).map((b) => ({
      contractId: b.contract.id,
      bidCents: b.bidCents,
      effectiveCents: b.effectiveCents,
      token: b.token,
      pingId: b.pingId,
      latencyMs: b.latencyMs,
    })),
  };
}

/**
 * A campaign with a pings-per-minute bound spends it before its pings leave (one call to this
 * location's counter); over it, the round pings no one (the contracts are recorded as skipped, the
 * fixed-price ones still compete) and the lead waits for a retry round.
 */
async function spendPingBudget(input: AuctionInput, eligibility: Eligibility): Promise<void> {
  if (input.held || eligibility.ping.length === 0) return;
  const checks = pingBudget(input.campaign, eligibility.ping.length);
  if (checks.length === 0) return;
  const verdict = await input.services.limits.check(input.campaign.id, checks);
  if (verdict.ok) return;
  const reason = `campaign ping budget reached (${input.campaign.pingsPerMinute} per minute)`;
  for (const c of eligibility.ping.splice(0)) eligibility.skipped.push({ contract: c, reason });
}

type Post = (bid: Bid, timeoutMs: number) => Promise<PostAttempt>;

/** The post gate as the round uses it: awaited once, the wait measured, its answers at hand. */
interface Gate {
  /** Waits for the gate; false when the round must not post. */
  open(): Promise<boolean>;
  /** The buyer was found taken after the pings left (its bid is discarded). */
  taken(c: Contract): boolean;
  /** The intake holds this buyer's key for the lead. */
  holds(c: Contract): boolean;
  halted: boolean;
  waitedMs: number;
}

function openGate(input: AuctionInput): Gate {
  let answer: PostGate | undefined;
  const g: Gate = {
    async open() {
      if (!answer) {
        const started = Date.now();
        answer = await input.gate;
        g.waitedMs = Date.now() - started;
        g.halted = !answer.go;
      }
      return answer.go;
    },
    taken: (c) => answer?.go === true && c.dedupeWindowS > 0 && answer.alreadyBought.has(c.dedupeKey),
    holds: (c) => answer?.go === true && c.dedupeWindowS > 0 && answer.holding.has(c.dedupeKey),
    halted: false,
    waitedMs: 0,
  };
  return g;
}

const discarded = (input: AuctionInput, contract: Contract, reason: string, extra: Partial<PingRow> = {}): PingRow => ({
  id: newId("pg"),
  leadId: input.leadId,
  contractId: contract.id,
  attempt: input.attempt,
  outcome: "discarded",
  reason,
  ...extra,
});

function pingRow(input: AuctionInput, r: PingResult, qualified: ReturnType<typeof qualifyBid> | null): PingRow {
  const refused = qualified && !qualified.ok ? qualified : null;
  return {
    id: r.pingId,
    leadId: input.leadId,
    contractId: r.contract.id,
    attempt: input.attempt,
    outcome: refused ? refused.outcome : r.outcome,
    reason: refused
      ? refused.reason
      : input.campaign.qualityWeighting && r.outcome === "bid" && r.contract.qualityBps < 10_000
        ? `ranked at quality ${(r.contract.qualityBps / 10_000).toFixed(2)}`
        : r.reason,
    httpStatus: r.httpStatus,
    latencyMs: r.latencyMs,
    bidCents: r.bidCents,
    effectiveCents: qualified ? (qualified.ok ? qualified.bid.effectiveCents : qualified.effectiveCents) : null,
    bidToken: r.token,
  };
}

/**
 * Pings the contracts that still have time to answer; each ping says how long it has (`tmax`, Prebid's
 * lesson). A contract whose minimum time no longer fits is recorded as skipped instead.
 */
async function pingContracts(input: AuctionInput, contracts: Contract[], deadline: number, pings: PingRow[]): Promise<PingResult[]> {
  const safe = pingSafeLead(input.campaign.fields, input.lead);
  const now = Date.now();
  const targets = [];
  for (const contract of contracts) {
    const tmaxMs = Math.min(contract.timeoutMs, deadline - now);
    if (tmaxMs < Math.max(1, contract.minPingMs))
      pings.push({
        id: newId("pg"),
        leadId: input.leadId,
        contractId: contract.id,
        attempt: input.attempt,
        outcome: "skipped",
        reason: "no time left",
      });
    else
      targets.push({
        contract,
        ctx: {
          pingId: newId("pg"),
          campaign: input.campaign.slug,
          leadId: input.leadId,
          lead: safe,
          tmaxMs,
          trustedformPingUrl: input.consent?.trustedform_ping_url ?? null,
        },
      });
  }
  return input.services.buyers.ping(targets, deadline);
}

/** Pings the contracts and ranks the qualified bids (with the fixed-price ones), recording each ping. */
async function collectBids(input: AuctionInput, toPing: Contract[], fixed: Contract[], pings: PingRow[]): Promise<Bid[]> {
  const { campaign } = input;
  const results = await pingContracts(input, toPing, Date.now() + campaign.pingTimeoutMs, pings);
  const bids: Bid[] = [];
  for (const r of results) {
    const q =
      r.outcome === "bid"
        ? qualifyBid(
            r.contract,
            r.bidCents!,
            campaign.floorCents,
            { token: r.token, pingId: r.pingId, latencyMs: r.latencyMs },
            campaign.qualityWeighting,
          )
        : null;
    pings.push(pingRow(input, r, q));
    if (q?.ok) bids.push(q.bid);
  }
  const fixedBids = fixedPriceBids(fixed, campaign);
  for (const f of fixedBids.rejected)
    pings.push({
      id: newId("pg"),
      leadId: input.leadId,
      contractId: f.contract.id,
      attempt: input.attempt,
      outcome: f.outcome,
      reason: f.reason,
      bidCents: f.contract.fixedPriceCents,
    });
  return rankBids([...bids, ...fixedBids.bids]);
}

/** Bids a seller's ping collected earlier, for contracts still active (others are recorded as skipped). */
function heldBids(input: AuctionInput, held: HeldBid[], pings: PingRow[]): Bid[] {
  const active = new Map(input.contracts.map((c) => [c.id, c]));
  const bids: Bid[] = [];
  for (const h of held) {
    const contract = active.get(h.contractId);
    if (contract)
      bids.push({
        contract,
        bidCents: h.bidCents,
        effectiveCents: h.effectiveCents,
        token: h.token,
        pingId: h.pingId,
        latencyMs: h.latencyMs,
      });
    else
      pings.push({
        id: newId("pg"),
        leadId: input.leadId,
        contractId: h.contractId,
        attempt: input.attempt,
        outcome: "skipped",
        reason: "contract no longer active",
      });
  }
  return rankBids(bids);
}

/** Parallel ping auction (or the bids a seller's ping holds), then the post cascade over the ranked bids. */
async function parallelAuction(input: AuctionInput, toPing: Contract[], fixed: Contract[], pings: PingRow[], post: Post, gate: Gate) {
  const { campaign } = input;
  const ranked = input.held ? heldBids(input, input.held.bids, pings) : await collectBids(input, toPing, fixed, pings);
  if (input.bidOnly) return { sold: [], attempts: [], ranked };
  const go = await gate.open();
  const usable: Bid[] = [];
  for (const bid of ranked) {
    if (go && !gate.taken(bid.contract)) {
      usable.push(bid);
      continue;
    }
    // The bid can't be used: the lead was not auctioned, or this buyer already bought the consumer.
    const reason = go ? "buyer already bought or rejected this consumer" : "lead not auctioned";
    const row = bid.pingId ? pings.find((p) => p.id === bid.pingId) : undefined;
    if (row) Object.assign(row, { outcome: "discarded", reason });
    else pings.push(discarded(input, bid.contract, reason, { bidCents: bid.bidCents }));
  }
  if (!go) return { sold: [], attempts: [] };
  return cascadePosts(usable, {
    maxBuyers: campaign.exclusive ? 1 : campaign.maxBuyers,
    deadline: Date.now() + campaign.postDeadlineMs,
    now: Date.now,
    post,
  });
}

/** The sequential ping tree: contracts in priority order, first acceptance at or above the floor wins. */
async function waterfallAuction(input: AuctionInput, contracts: Contract[], pings: PingRow[], post: Post, gate: Gate) {
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
      if (!bid)
        pings.push({
          id: newId("pg"),
          leadId: input.leadId,
          contractId: contract.id,
          attempt: input.attempt,
          outcome: f.rejected[0]?.outcome ?? "below_floor",
          reason: f.rejected[0]?.reason ?? null,
        });
    } else {
      const [r] = await pingContracts(input, [contract], Math.min(deadline, Date.now() + campaign.pingTimeoutMs), pings);
      if (!r) continue; // no time left for this one
      const q =
        r.outcome === "bid"
          ? qualifyBid(
              contract,
              r.bidCents!,
              campaign.floorCents,
              { token: r.token, pingId: r.pingId, latencyMs: r.latencyMs },
              campaign.qualityWeighting,
            )
          : null;
      pings.push(pingRow(input, r, q));
      if (q?.ok) bid = q.bid;
    }
    if (!bid) continue;
    if (!(await gate.open())) {
      pings.push(discarded(input, contract, "lead not auctioned"));
      break;
    }
    if (gate.taken(contract)) {
      pings.push(discarded(input, contract, "buyer already bought or rejected this consumer"));
      continue;
    }
    const attempt = await post(bid, Math.max(1, deadline - Date.now())).catch((err: unknown) => failedAttempt(bid, err));
    attempts.push(attempt);
    if (attempt.outcome === "accepted") {
      sold.push(attempt);
      soldTo.add(contract.buyerId);
    }
  }
  return { sold, attempts };
}

/**
 * Reserve cap and buyer dedupe, post, then commit or give both back. In the live round the cap comes
 * from the isolate's headroom block and the buyer key from the intake's hold: no round trip.
 */
function reserveAndPost(input: AuctionInput, gate: Gate): Post {
  const { caps, dedupe, buyers, journal } = input.services;
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
    const held = gate.holds(c);
    const [capping, claiming] = await Promise.allSettled([
      caps.reserve(c, leadId, bid.bidCents, input.attempt === 0 ? { postMs: timeoutMs } : undefined),
      held || dedupe.claimForBuyer(fingerprints, c.dedupeKey, leadId, c.dedupeWindowS),
    ]);
    if (capping.status === "rejected" || claiming.status === "rejected") {
      // A ledger or shard did not answer: give back what was taken; this contract is an `error`
      // attempt (retried later) and the other posts of the round go on.
      const failure = capping.status === "rejected" ? capping.reason : (claiming as PromiseRejectedResult).reason;
      input.defer(
        Promise.allSettled([
          capping.status === "fulfilled" && capping.value.ok ? capping.value.release() : undefined,
          claiming.status === "fulfilled" && claiming.value === true && !held
            ? dedupe.releaseForBuyer(fingerprints, c.dedupeKey, leadId, c.dedupeWindowS)
            : undefined,
        ]),
      );
      return {
        ...failedAttempt(bid, failure),
        reason: `cap or dedupe unavailable: ${failure instanceof Error ? failure.message : String(failure)}`.slice(0, 200),
      };
    }
    const [cap, fresh] = [capping.value, claiming.value];
    const giveBack = () =>
      Promise.all([
        cap.ok ? cap.release() : undefined,
        fresh && !held ? dedupe.releaseForBuyer(fingerprints, c.dedupeKey, leadId, c.dedupeWindowS) : undefined,
      ]);
    if (!cap.ok) {
      await giveBack();
      return attempt("cap_full", cap.limit);
    }
    if (!fresh) {
      await giveBack();
      return attempt("duplicate", "buyer already bought or rejected this consumer");
    }
    // A committed reservation for this lead means this contract already bought it (a round whose
    // records were lost and is being recovered): never post the same lead to it twice.
    if (cap.state === "committed") return attempt("accepted", "already sold to this contract");
    const res = await buyers.post(
      c,
      {
        pingId: bid.pingId,
        bidToken: bid.token,
        priceCents: bid.bidCents,
        campaign: input.campaign.slug,
        leadId,
        lead: input.lead,
        consent: input.consent,
        retentionDays: input.campaign.retentionDays,
      },
      timeoutMs,
    );
    const http = { httpStatus: res.httpStatus, latencyMs: res.latencyMs };
    if (res.kind === "accepted") {
      // Durable before any further I/O: if this worker dies now, the recovery path finds the sale here
      // (src/pipeline/recover.ts) and records it instead of selling the lead again.
      if (input.journal) {
        const sale = { contractId: c.id, priceCents: bid.bidCents, buyerLeadId: res.buyerLeadId, leaseId: cap.leaseId, at: Date.now() };
        await journal
          .recordSale(input.journal, leadId, sale)
          .catch((err: Error) =>
            log("journal_write_failed", { lead_id: leadId, contract: c.id, error: err.message.slice(0, 200) }, "error"),
          );
      }
      input.defer(cap.commit());
      return attempt("accepted", null, { ...http, buyerLeadId: res.buyerLeadId });
    }
    // A rejected consumer stays claimed for this buyer (its window): a harvester that rejects every
    // post must not be sent the same person again. Held keys are claimed when the holds settle.
    input.defer(res.kind === "rejected" ? cap.release() : giveBack());
    return attempt(res.kind, res.reason, http);
  };
}
