// The pure rules behind trust at the edge: the circuit breaker's state machine, the sliding-window
// rate counter, the max-bid ceiling and the personal-looking ping field warning.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  breakerBlocks,
  CLOSED,
  NO_OUTCOMES,
  nextHealth,
  PROBE_SPACING_MS,
  probeVerdict,
  tripReason,
  type OutcomeCounts,
} from "../../src/auction/breaker";
import type { BreakerSettings } from "../../src/rules/model";
import { qualifyBid } from "../../src/auction/ranking";
import { personalLookingPingFields } from "../../src/lead/ping-safe";
import { ipKey } from "../../src/limits/policy";
import { BreakerGate, forgetProbes } from "../../src/services/breakers";
import { admit, type WindowState } from "../../src/limits/window";
import { FieldDefsSchema } from "../../src/rules/schemas";
import { contract } from "./fixtures";

const S: BreakerSettings = { windowS: 900, minSamples: 20, rejectPct: 80, errorPct: 50, timeoutPct: 50, cooldownS: 300 };
const counts = (over: Partial<OutcomeCounts>): OutcomeCounts => ({ ...NO_OUTCOMES, ...over });

describe("circuit breaker", () => {
  it("property: trips exactly when the unpaid share of its posts is at or above the threshold, with enough posts (issue #24)", () => {
    fc.assert(
      fc.property(
        fc.nat(200),
        fc.nat(200),
        fc.nat(50),
        fc.nat(50),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 50 }),
        (accepted, rejected, postErrors, postTimeouts, pct, min) => {
          const s = { ...S, rejectPct: pct, minSamples: min, errorPct: null, timeoutPct: null };
          const posts = accepted + rejected + postErrors + postTimeouts;
          const unpaid = posts - accepted;
          // Pings never dilute it: a harvester that bids on everything is judged on what it did with the posts.
          const trips = tripReason(s, counts({ pings: 10 * posts, accepted, rejected, postErrors, postTimeouts, posts })) !== null;
          expect(trips).toBe(posts >= min && unpaid * 100 >= pct * posts);
        },
      ),
    );
  });

  it("harvesters trip within min_samples posts: one that answers every post 500, one that hangs, one that rejects 80% (issue #24)", () => {
    const bidsOnEverything = { pings: 1000 }; // its pings are fine: it bids on every lead
    expect(tripReason(S, counts({ ...bidsOnEverything, posts: 20, postErrors: 20 }))).toMatch(
      /^reject_rate: 100% of 20 posts .* not paid for/,
    );
    expect(tripReason(S, counts({ ...bidsOnEverything, posts: 20, postTimeouts: 20 }))).toMatch(/^reject_rate: 100% of 20 posts/);
    expect(tripReason(S, counts({ ...bidsOnEverything, posts: 20, accepted: 4, rejected: 16 }))).toMatch(/^reject_rate: 80% of 20 posts/);
    // 79% rejected is under the default 80%; with one error on top it is not.
    expect(tripReason(S, counts({ posts: 100, accepted: 21, rejected: 79 }))).toBeNull();
    expect(tripReason(S, counts({ posts: 100, accepted: 20, rejected: 79, postErrors: 1 }))).toMatch(/^reject_rate: 80%/);
    // Errors and timeouts on posts have their own, lower thresholds.
    expect(tripReason(S, counts({ posts: 30, accepted: 15, postErrors: 15 }))).toMatch(/^error_rate: 50% of 30 posts/);
    expect(tripReason(S, counts({ posts: 30, accepted: 15, postTimeouts: 15 }))).toMatch(/^timeout_rate: 50% of 30 posts/);
    expect(tripReason(S, counts({ posts: 19, postErrors: 19 }))).toBeNull(); // too few posts yet
  });

  it("pings are judged on their own: a ping endpoint that fails or hangs trips; a null threshold never does", () => {
    expect(tripReason(S, counts({ pings: 30, pingErrors: 16 }))).toMatch(/^error_rate: 53% of 30 pings/);
    expect(tripReason(S, counts({ pings: 30, pingTimeouts: 20 }))).toMatch(/^timeout_rate: 67%/);
    expect(tripReason({ ...S, timeoutPct: null }, counts({ pings: 30, pingTimeouts: 30 }))).toBeNull();
    expect(tripReason(S, counts({ pings: 10, pingErrors: 10 }))).toBeNull(); // too few samples
  });

  it("closed -> open -> half_open -> closed or open again, with the trip count kept", () => {
    const t0 = 1_000_000;
    const open = nextHealth(S, CLOSED, counts({ posts: 20, rejected: 20 }), t0);
    expect(open).toMatchObject({ state: "open", since: t0, until: t0 + 300_000, trips: 1 });
    expect(nextHealth(S, open, NO_OUTCOMES, t0 + 299_999)).toBe(open);
    const half = nextHealth(S, open, NO_OUTCOMES, t0 + 300_000);
    expect(half).toMatchObject({ state: "half_open", since: t0 + 300_000, reason: open.reason });
    expect(nextHealth(S, half, NO_OUTCOMES, t0 + 400_000)).toBe(half); // no probe yet
    expect(nextHealth(S, half, counts({ posts: 1, rejected: 1 }), t0 + 400_000)).toMatchObject({ state: "open", trips: 2 });
    expect(nextHealth(S, half, counts({ posts: 1, accepted: 1 }), t0 + 400_000)).toMatchObject({ state: "closed", trips: 1 });
  });

  it("a probe is judged on the rate that tripped", () => {
    expect(probeVerdict("reject_rate", counts({ pings: 5 }))).toBe("none"); // answers prove nothing about rejects
    expect(probeVerdict("timeout_rate", counts({ pings: 5 }))).toBe("good");
    expect(probeVerdict("timeout_rate", counts({ pings: 2, pingTimeouts: 2 }))).toBe("bad");
    expect(probeVerdict("error_rate", counts({ pings: 3, pingErrors: 1 }))).toBe("good");
    // A probe of a harvester: a post it errors or times out on is as bad as one it rejects.
    expect(probeVerdict("reject_rate", counts({ posts: 1, postErrors: 1 }))).toBe("bad");
    expect(probeVerdict("reject_rate", counts({ posts: 1, postTimeouts: 1 }))).toBe("bad");
  });

  it("an open breaker blocks until the cool-down ends; then one probe per spacing per isolate", () => {
    const h = { state: "open" as const, reason: "reject_rate: x", since: 0, until: 1000, trips: 1 };
    expect(breakerBlocks(h, 999, undefined)).toEqual({ blocked: "paused by circuit breaker: reject_rate: x" });
    expect(breakerBlocks(h, 1000, undefined)).toEqual({ probe: true });
    const half = { ...h, state: "half_open" as const, until: null };
    expect(breakerBlocks(half, 5000, 5000 - PROBE_SPACING_MS + 1)).toHaveProperty("blocked");
    expect(breakerBlocks(half, 5000, 5000 - PROBE_SPACING_MS)).toEqual({ probe: true });
    expect(breakerBlocks(null, 0, undefined)).toEqual({ probe: false });
  });
});

describe("sliding-window rate counter", () => {
  const L = { limit: 20, periodMs: 60_000 };

  it("a burst at one instant admits exactly the limit", () => {
    let s: WindowState | undefined;
    let ok = 0;
    for (let i = 0; i < 100; i++) {
      const r = admit(s, 1_234_567, L);
      s = r.state;
      if (r.ok) ok++;
      else expect(r.retryAfterMs).toBeGreaterThan(0);
    }
    expect(ok).toBe(20);
  });

  it("never admits more than the limit in a fixed window, nor twice it in any period", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(300_000), { maxLength: 400 }), fc.integer({ min: 1, max: 30 }), (raw, limit) => {
        const times = [...raw].sort((a, b) => a - b);
        let s: WindowState | undefined;
        const admitted: number[] = [];
        for (const t of times) {
          const r = admit(s, t, { limit, periodMs: 60_000 });
          s = r.state;
          if (r.ok) admitted.push(t);
        }
        for (const t of admitted) {
          const start = t - (t % 60_000);
          expect(admitted.filter((x) => x >= start && x < start + 60_000).length).toBeLessThanOrEqual(limit);
          expect(admitted.filter((x) => x >= t && x < t + 60_000).length).toBeLessThanOrEqual(2 * limit);
        }
      }),
    );
  });
});

describe("bids and ping fields", () => {
  it("a bid above the ceiling is invalid, not merely below the floor", () => {
    const c = contract({ id: "k", maxBidCents: 5000 });
    expect(qualifyBid(c, 5000, 0, { token: null, pingId: null, latencyMs: 0 }).ok).toBe(true);
    expect(qualifyBid(c, 5001, 0, { token: null, pingId: null, latencyMs: 0 })).toMatchObject({ ok: false, outcome: "invalid" });
  });

  it("ping-safe fields whose names look personal are flagged for a second look", () => {
    const fields = FieldDefsSchema.parse([
      { name: "zip", type: "zip", ping: true },
      { name: "fname", type: "text", ping: true },
      { name: "mobile_number", type: "text", ping: true },
      { name: "address_line1", type: "text", ping: true },
      { name: "vehicle_make", type: "text", ping: true },
      { name: "nickname", type: "text" },
    ]);
    expect(personalLookingPingFields(fields)).toEqual(["fname", "mobile_number", "address_line1"]);
  });
});

describe("client networks as limit keys (issue #24)", () => {
  it("IPv4 as is; IPv6 by its /64, however it is written", () => {
    expect(ipKey("203.0.113.9")).toBe("203.0.113.9");
    expect(ipKey("2001:db8:aa:bb::1")).toBe("2001:db8:aa:bb::/64");
    expect(ipKey("2001:0DB8:00AA:00BB:0000:0000:0000:0002")).toBe("2001:db8:aa:bb::/64");
    expect(ipKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(ipKey("::1")).toBe("0:0:0:0::/64");
    expect(ipKey("::ffff:198.51.100.7")).toBe("0:0:0:0::/64");
  });

  it("property: every address of a /64 has the same key, and two /64s never share one", () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    fc.assert(
      fc.property(
        fc.array(group, { minLength: 4, maxLength: 4 }),
        fc.array(group, { minLength: 4, maxLength: 4 }),
        fc.array(group, { minLength: 4, maxLength: 4 }),
        (net, a, b) => {
          const key = ipKey([...net, ...a].join(":"));
          expect(ipKey([...net, ...b].join(":"))).toBe(key);
          const other = [...net];
          other[3] = ((parseInt(other[3]!, 16) + 1) % 0x10000).toString(16);
          expect(ipKey([...other, ...a].join(":"))).not.toBe(key);
        },
      ),
    );
  });
});

describe("the meter's pause in an isolate (issue #24)", () => {
  const pause = { since: 100, until: 1_000, reason: "reject_rate: 100% of 5 posts" };
  const gate = () => {
    forgetProbes();
    const meters = { idFromName: (n: string) => n, get: () => ({ report: async () => pause }) };
    return new BreakerGate(meters as unknown as ConstructorParameters<typeof BreakerGate>[0]);
  };

  it("holds from the post that tripped it until it ends", async () => {
    const g = gate();
    const c = contract({ id: "harvester" });
    expect(g.paused(c, 200)).toBeUndefined();
    await g.recordPost(c, "ld_1", 0, "error");
    expect(g.paused(c, 200)).toBe("paused by circuit breaker: reject_rate: 100% of 5 posts");
    expect(g.paused(c, 1_000)).toBeUndefined();
  });

  it("yields to the cron's breaker once it has judged the contract since: its half-open probes go through", async () => {
    const g = gate();
    const judged = contract({
      id: "harvester",
      health: { state: "half_open", reason: "reject_rate: x", since: 150, until: null, trips: 1 },
    });
    await g.recordPost(judged, "ld_1", 0, "error");
    expect(g.paused(judged, 200)).toBeUndefined(); // the probe
    const stale = contract({ id: "harvester", health: { state: "closed", reason: null, since: 50, until: null, trips: 0 } });
    await g.recordPost(stale, "ld_2", 0, "error");
    expect(g.paused(stale, 200)).toMatch(/^paused by circuit breaker/);
  });
});
