// Reserve and post: cap headroom, the buyer's money (a billed buyer's wallet) and its dedupe key are
// taken, the lead is posted, then all are committed or given back. In the live round the cap and the
// money come from the isolate's blocks and the buyer key from the intake's hold: no round trip. An accepted post is journaled before any
// further I/O. Also the post cascade over ranked bids once the gate is open.
import type { PingRow } from "../db/schema";
import type { Fingerprint } from "../lead/fingerprints";
import { log } from "../lib/log";
import { cascadePosts, failedAttempt, type PostAttempt } from "./cascade";
import { usableBids, ALREADY_TAKEN, type Gate, type PostGate } from "./gate";
import { isLive, type Lot } from "./lot";
import type { AuctionPorts, CapReservation, Defer, WalletReservation } from "./ports";
import type { Bid } from "./ranking";

/** What posting needs beyond the lot (the live round, a retry round, a seller's post). */
export interface PostSetup {
  fingerprints: Fingerprint[];
  /** The journal its sales are written to before any further I/O (null: none). */
  journal: string | null;
  /** Settles before anything is posted (see ./gate.ts). */
  gate: Promise<PostGate>;
  defer: Defer;
}

export type Post = (bid: Bid, timeoutMs: number) => Promise<PostAttempt>;
export type PostPorts = Pick<AuctionPorts, "caps" | "wallets" | "dedupe" | "buyers" | "journal" | "breakers">;

interface Scope {
  ports: PostPorts;
  lot: Lot;
  setup: PostSetup;
}

/** The cascade over the ranked bids the gate lets through (none if it says no). */
export async function postRanked(lot: Lot, gate: Gate, ranked: Bid[], pings: PingRow[], post: Post) {
  const usable = await usableBids(lot, gate, ranked, pings);
  if (!usable) return { sold: [], attempts: [] };
  const { campaign } = lot;
  return cascadePosts(usable, {
    maxBuyers: campaign.exclusive ? 1 : campaign.maxBuyers,
    deadline: Date.now() + campaign.postDeadlineMs,
    postTimeoutMs: (bid) => bid.contract.postTimeoutMs,
    now: Date.now,
    post,
  });
}

export function reserveAndPost(ports: PostPorts, lot: Lot, setup: PostSetup, gate: Gate): Post {
  const scope: Scope = { ports, lot, setup };
  return async (bid, timeoutMs) => {
    const c = bid.contract;
    const started = Date.now();
    const outcome = (o: PostAttempt["outcome"], reason: string | null, extra: Partial<PostAttempt> = {}): PostAttempt => ({
      bid,
      outcome: o,
      reason,
      httpStatus: null,
      latencyMs: Date.now() - started,
      buyerLeadId: null,
      ...extra,
    });
    const onHold = gate.holds(c);
    const live = isLive(lot) ? { postMs: timeoutMs } : undefined;
    const [capping, paying, claiming] = await Promise.allSettled([
      ports.caps.reserve(c, lot.leadId, bid.bidCents, live),
      ports.wallets.reserve(c, lot.leadId, bid.bidCents, live),
      onHold || ports.dedupe.claimForBuyer(setup.fingerprints, c.dedupeKey, lot.leadId, c.dedupeWindowS),
    ]);
    if (capping.status === "rejected" || paying.status === "rejected" || claiming.status === "rejected")
      return unavailable(scope, bid, [capping, paying], claiming, onHold);
    const [cap, money, fresh] = [capping.value, paying.value, claiming.value];
    const giveBack = () => giveBackAll(scope, bid, [cap, money], fresh && !onHold);
    if (!cap.ok || !money.ok || !fresh) {
      await giveBack();
      if (!cap.ok) return outcome("cap_full", cap.limit);
      return money.ok ? outcome("duplicate", ALREADY_TAKEN) : outcome("no_funds", money.limit);
    }
    // A committed cap reservation or wallet spend for this lead means this contract already bought it
    // (a round whose records were lost and is being recovered): never post the same lead to it twice.
    if (cap.state === "committed" || money.state === "committed") {
      setup.defer(Promise.all([cap.commit(), money.commit()]));
      return outcome("accepted", "already sold to this contract");
    }
    const res = await postLead(scope, bid, timeoutMs);
    const http = { httpStatus: res.httpStatus, latencyMs: res.latencyMs };
    setup.defer(ports.breakers.recordPost(c, lot.leadId, lot.round, res.kind));
    if (res.kind === "accepted") {
      await journalSale(scope, bid, cap.leaseId, res.buyerLeadId);
      setup.defer(Promise.all([cap.commit(), money.commit()]));
      return outcome("accepted", null, { ...http, buyerLeadId: res.buyerLeadId });
    }
    // Not a sale, but the buyer received the full lead whatever it answered (a reject, an error, a
    // timeout): the consumer stays claimed for this buyer for its window, so no round sends it the same
    // person again, and its breaker hears of it. Keys on hold are claimed when the holds settle.
    setup.defer(Promise.all([cap.release(), money.release()]));
    return outcome(res.kind, res.reason, http);
  };
}

type Held = CapReservation | WalletReservation;

/** Gives back the cap headroom and wallet money taken, and the buyer key if this post claimed it. */
function giveBackAll(scope: Scope, bid: Bid, holds: Held[], claimed: boolean) {
  const { ports, lot, setup } = scope;
  const c = bid.contract;
  return Promise.all([
    ...holds.map((h) => (h.ok ? h.release() : undefined)),
    claimed ? ports.dedupe.releaseForBuyer(setup.fingerprints, c.dedupeKey, lot.leadId, c.dedupeWindowS) : undefined,
  ]);
}

/**
 * A ledger, wallet or shard did not answer: what was taken is given back, nothing was sent, and this
 * contract is an `unavailable` attempt (retried later) while the other posts of the round go on.
 */
function unavailable(
  scope: Scope,
  bid: Bid,
  holds: PromiseSettledResult<Held>[],
  claiming: PromiseSettledResult<boolean>,
  onHold: boolean,
): PostAttempt {
  const { ports, lot, setup } = scope;
  const c = bid.contract;
  const failed = [...holds, claiming].find((r) => r.status === "rejected") as PromiseRejectedResult;
  setup.defer(
    Promise.allSettled([
      ...holds.map((h) => (h.status === "fulfilled" && h.value.ok ? h.value.release() : undefined)),
      claiming.status === "fulfilled" && claiming.value === true && !onHold
        ? ports.dedupe.releaseForBuyer(setup.fingerprints, c.dedupeKey, lot.leadId, c.dedupeWindowS)
        : undefined,
    ]),
  );
  const failure: unknown = failed.reason;
  const what = holds[1]?.status === "rejected" ? "wallet" : "cap or dedupe";
  return {
    ...failedAttempt(bid, failure),
    outcome: "unavailable",
    reason: `${what} unavailable: ${failure instanceof Error ? failure.message : String(failure)}`.slice(0, 200),
  };
}

function postLead({ ports, lot }: Scope, bid: Bid, timeoutMs: number) {
  return ports.buyers.post(
    bid.contract,
    {
      pingId: bid.pingId,
      bidToken: bid.token,
      priceCents: bid.bidCents,
      campaign: lot.campaign.slug,
      leadId: lot.leadId,
      lead: lot.lead,
      consent: lot.consent,
      retentionDays: lot.campaign.retentionDays,
      exclusive: bid.sale ? bid.sale === "exclusive" : lot.campaign.exclusive,
      resale: lot.resale ?? null,
    },
    timeoutMs,
  );
}

/**
 * Durable before any further I/O: if this worker dies now, the recovery path finds the sale in the
 * journal (src/pipeline/recover.ts) and records it instead of selling the lead again.
 */
async function journalSale({ ports, lot, setup }: Scope, bid: Bid, leaseId: string | null, buyerLeadId: string | null): Promise<void> {
  if (!setup.journal) return;
  const c = bid.contract;
  const sale = { contractId: c.id, priceCents: bid.bidCents, buyerLeadId, leaseId, at: Date.now() };
  await ports.journal
    .recordSale(setup.journal, lot.leadId, sale)
    .catch((err: Error) => log("journal_write_failed", { lead_id: lot.leadId, contract: c.id, error: err.message.slice(0, 200) }, "error"));
}
