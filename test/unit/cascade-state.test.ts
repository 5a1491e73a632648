import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cascadePosts, type PostAttempt, type PostOutcome } from "../../src/auction/cascade";
import { qualifyBid, type Bid } from "../../src/auction/ranking";
import type { LeadStatus } from "../../src/db/schema";
import { leads } from "../../src/db/schema";
import { forBrowser, leadResponse, responseFromSummary } from "../../src/lead/response";
import {
  afterRound,
  canTransition,
  isFinal,
  MAX_RETRY_DELAY_S,
  retryDelaySeconds,
  sourcesOf,
  UNFINISHED_STATES,
} from "../../src/lead/state";
import { TOMBSTONE_MS } from "../../src/objects/dedupe-shard";
import { SWEEP_AFTER_S } from "../../src/pipeline/erasure";
import { PERMIT_SLACK_MS } from "../../src/services/journal";
import { contract } from "./fixtures";
import { MAX_PING_TIMEOUT_MS, MAX_POST_DEADLINE_MS } from "../../src/rules/compile";
import { LOST_RETRY_AFTER_MS, STUCK_AFTER_MS } from "../../src/queues/sweeper";
import { BLOCK_MS } from "../../src/services/caps";
import { HOLD_S } from "../../src/services/dedupe";

const bids = (ids: string[], buyerOf: (id: string) => string = (id) => id): Bid[] =>
  ids.map((id, i) => {
    const q = qualifyBid(contract({ id, buyerId: buyerOf(id) }), 1000 - i * 100, 0, { token: null, pingId: null, latencyMs: 0 });
    if (!q.ok) throw new Error("bad fixture");
    return q.bid;
  });

function poster(outcomes: Record<string, PostOutcome>, clock?: { t: number; step: number }) {
  const calls: string[] = [];
  const post = async (bid: Bid): Promise<PostAttempt> => {
    calls.push(bid.contract.id);
    if (clock) clock.t += clock.step;
    return { bid, outcome: outcomes[bid.contract.id] ?? "accepted", reason: null, httpStatus: 200, latencyMs: 1, buyerLeadId: null };
  };
  return { calls, post };
}

describe("post-reject cascade", () => {
  it("posts to the next bidder after a reject, an error or a cap refusal, and stops at the first sale", async () => {
    const { calls, post } = poster({ a: "rejected", b: "error", c: "cap_full" });
    const r = await cascadePosts(bids(["a", "b", "c", "d", "e"]), { maxBuyers: 1, deadline: Infinity, now: () => 0, post });
    expect(calls).toEqual(["a", "b", "c", "d"]);
    expect(r.sold.map((s) => s.bid.contract.id)).toEqual(["d"]);
    expect(calls).not.toContain("e"); // the candidate after the sale is never posted to
  });

  it("sells a shared lead to up to N distinct buyers, refilling slots after rejects", async () => {
    const { calls, post } = poster({ b: "rejected" });
    const r = await cascadePosts(bids(["a", "b", "c", "d"]), { maxBuyers: 2, deadline: Infinity, now: () => 0, post });
    expect(r.sold.map((s) => s.bid.contract.id)).toEqual(["a", "c"]);
    expect(calls).toEqual(["a", "b", "c"]);
  });

  it("a post that throws is an error attempt; the sale accepted beside it in the batch stands", async () => {
    const { calls, post } = poster({});
    const throwing = async (bid: Bid) => (bid.contract.id === "a" ? Promise.reject(new Error("ledger unavailable")) : post(bid));
    const r = await cascadePosts(bids(["a", "b", "c"]), { maxBuyers: 2, deadline: Infinity, now: () => 0, post: throwing });
    expect(r.sold.map((s) => s.bid.contract.id)).toEqual(["b", "c"]);
    expect(r.attempts.find((a) => a.bid.contract.id === "a")).toMatchObject({
      outcome: "error",
      reason: "post failed: ledger unavailable",
    });
    expect(calls).toEqual(["b", "c"]);
  });

  it("never sells one lead twice to the same buyer through two contracts", async () => {
    const { post } = poster({});
    const r = await cascadePosts(
      bids(["a1", "a2", "b"], (id) => id[0]!),
      { maxBuyers: 3, deadline: Infinity, now: () => 0, post },
    );
    expect(r.sold.map((s) => s.bid.contract.buyerId)).toEqual(["a", "b"]);
  });

  it("starts no post after the deadline", async () => {
    const clock = { t: 0, step: 600 };
    const { calls, post } = poster({ a: "timeout", b: "rejected" }, clock);
    const r = await cascadePosts(bids(["a", "b", "c"]), { maxBuyers: 1, deadline: 1000, now: () => clock.t, post });
    expect(calls).toEqual(["a", "b"]);
    expect(r.deadlinePassed).toBe(true);
    expect(r.sold).toHaveLength(0);
  });
});

describe("lead state machine", () => {
  it("final states are final; pending goes back to auctioning only", () => {
    for (const s of ["sold", "unsold", "duplicate", "rejected"] as const) expect(sourcesOf("auctioning")).not.toContain(s);
    expect(canTransition("pending", "auctioning")).toBe(true);
    expect(canTransition("sold", "sold")).toBe(false);
    expect(canTransition("unsold", "pending")).toBe(false);
  });

  it("erased: reached only from the states a lead may still be posted in, and final", () => {
    const states = leads.status.enumValues as readonly LeadStatus[];
    fc.assert(
      fc.property(fc.constantFrom(...states), fc.constantFrom(...states), (from, to) => {
        expect(canTransition(from, "erased")).toBe(UNFINISHED_STATES.includes(from));
        expect(canTransition("erased", to)).toBe(false);
      }),
    );
    expect(isFinal("erased")).toBe(true);
    expect(sourcesOf("erased").sort()).toEqual(["auctioning", "pending", "received"]);
  });

  it("an erased lead answers `erased` (a browser: declined, the failure page)", () => {
    const pages = { successUrl: "https://f.example/ok", failureUrl: "https://f.example/no" };
    const lead = { id: "ld_1", status: "erased", priceCents: 0, payoutCents: 0, reason: "consumer erasure request", duplicateOf: null };
    const answer = responseFromSummary(pages, { lead: lead as never, sales: [] });
    expect(answer).toMatchObject({ status: "erased", reason: "consumer erasure request", redirect_url: "https://f.example/no" });
    expect(forBrowser(leadResponse(pages, "ld_1", "erased"))).toEqual({
      lead_id: "ld_1",
      status: "declined",
      redirect_url: "https://f.example/no",
    });
  });

  it("after a round: sold, else pending while attempts and the sale window last, else unsold", () => {
    const base = { sold: 0, transientFailure: false, attempts: 0, maxAttempts: 3, saleWindowEnd: 10_000, now: 0 };
    expect(afterRound({ ...base, sold: 1 }).status).toBe("sold");
    expect(afterRound(base).status).toBe("pending");
    expect(afterRound({ ...base, attempts: 3 }).status).toBe("unsold");
    expect(afterRound({ ...base, now: 10_000 })).toEqual({ status: "unsold", reason: "sale window ended" });
    expect(afterRound({ ...base, maxAttempts: 0 })).toEqual({ status: "unsold", reason: "no buyer" });
  });

  it("backs off exponentially, capped at an hour", () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(30, n))).toEqual([30, 60, 120, 240]);
    expect(retryDelaySeconds(30, 20)).toBe(3600);
  });
});

describe("time bounds of a round", () => {
  it("the sweeper waits longer than any round can last, so it never starts a second one beside it", () => {
    const longestRound = MAX_PING_TIMEOUT_MS + MAX_POST_DEADLINE_MS;
    expect(STUCK_AFTER_MS).toBeGreaterThan(longestRound * 2);
    // A pending lead is only taken for lost after its longest wait and the queue's five retries of a failed round.
    expect(LOST_RETRY_AFTER_MS).toBeGreaterThan(MAX_RETRY_DELAY_S * 1000 + 5 * (30_000 + longestRound));
    // A post spends cap block units only with 5 s to spare; dedupe holds outlive any round.
    expect(BLOCK_MS).toBeGreaterThan(MAX_POST_DEADLINE_MS + 5_000);
    expect(HOLD_S * 1000).toBeGreaterThan(longestRound * 2);
  });

  it("an erasure outwaits any round: the permit covers the round and its record, the tombstone and the sweep come after", () => {
    const longestPermit = MAX_PING_TIMEOUT_MS + MAX_POST_DEADLINE_MS + PERMIT_SLACK_MS;
    expect(PERMIT_SLACK_MS).toBeGreaterThanOrEqual(5_000); // the record of a round lands within seconds
    expect(TOMBSTONE_MS).toBeGreaterThan(longestPermit * 10);
    expect(SWEEP_AFTER_S * 1000).toBeGreaterThan(longestPermit);
  });
});
