// Client of the CapLedger objects. Two isolate-wide memories keep the hot path free of a round trip
// per buyer:
// - the snapshot of contracts known to be full (learned from refusals, until their window ends),
//   which eligibility reads before the pings;
// - leases: small blocks of headroom taken from a ledger ahead of time (while the pings are out), so
//   a post spends a unit locally and reports the sale after it. Without a usable lease a post falls
//   back to one reservation round trip. The ledger stays the authority: caps are never exceeded.
import type { CapLedger, Headroom, LeaseResult, Refusal } from "../objects/cap-ledger";
import type { Contract } from "../rules/model";
import { capWindows } from "../lib/time";
import type { CapReservation } from "../auction/ports";
import { newId } from "../lib/ids";
import { CapReports } from "./cap-reports";
import { capReachedEvent } from "../events/bodies";
import type { Events } from "./events";

/** How long a reservation holds headroom if its worker dies mid-post. */
export const LEASE_MS = 5 * 60_000;
/** Lease blocks: how long the ledger keeps one open, and how many leads it asks for. */
export const BLOCK_MS = 60_000;
const BLOCK_UNITS = 16;
/** How long a refusal because headroom is in use elsewhere keeps a contract out of this isolate's auctions. */
export const HELD_MEMORY_MS = 200;
const HELD_ELSEWHERE = "cap headroom held by posts in flight or leased to other isolates";
/** A unit is spent only if the sale can be reported well before the block closes. */
const BLOCK_SLACK_MS = 5_000;

/** Headroom taken for one post: the shape the auction names (./auction/ports.ts), with the ledger's refusal. */
export type CapHold = Exclude<CapReservation, { ok: false }> | Refusal;

interface Block {
  id: string;
  windows: string;
  unitsLeft: number;
  centsLeft: number | null;
  expiresAt: number;
}

// Per isolate, shared by every request it serves.
const fullUntil = new Map<string, { until: number; reason: string }>();
const blocks = new Map<string, Block>();
const leasing = new Map<string, Promise<void>>();

/**
 * Anything the ledger counts: a contract, or a source's daily lead quota (its own ledger, named
 * `source:<id>`).
 */
export type Capped = Pick<Contract, "id" | "caps" | "timezone"> & Partial<Pick<Contract, "buyerId">>;

/** A source's daily lead quota as a capped thing (UTC days), or null without one. */
export const sourceQuota = (source: { id: string; dailyLeadQuota: number | null }): Capped | null =>
  source.dailyLeadQuota === null
    ? null
    : {
        id: `source:${source.id}`,
        timezone: "UTC",
        caps: { hour: null, day: source.dailyLeadQuota, month: null, budgetDayCents: null, budgetMonthCents: null },
      };

export const hasCaps = (c: Capped) =>
  c.caps.hour !== null ||
  c.caps.day !== null ||
  c.caps.month !== null ||
  c.caps.budgetDayCents !== null ||
  c.caps.budgetMonthCents !== null;

export function forgetCapSnapshot(): void {
  fullUntil.clear();
  blocks.clear();
  leasing.clear();
}

const windowsKey = (windows: string[]) => windows.join("|");
const currentWindows = (c: Capped, now: number) => {
  const w = capWindows(now, c.timezone);
  return windowsKey([`h:${w.hour}`, `d:${w.day}`, `m:${w.month}`]);
};

const done = async () => {};

/** The cap a count limit names, and its current window (in the contract's zone). */
function capOf(c: Capped, limit: string, now: number): { max: number | null; window: string } | undefined {
  const w = capWindows(now, c.timezone);
  if (limit === "cap_hour") return { max: c.caps.hour, window: w.hour };
  if (limit === "cap_day") return { max: c.caps.day, window: w.day };
  if (limit === "cap_month") return { max: c.caps.month, window: w.month };
  return undefined;
}

export class CapsClient {
  private readonly reports: CapReports;

  constructor(
    private readonly ns: DurableObjectNamespace<CapLedger>,
    /** Told when a contract's count cap is found used up (`cap.reached`, once per window by its id). */
    private readonly events?: Pick<Events, "later">,
  ) {
    this.reports = new CapReports(ns);
  }

  private ledger(contractId: string) {
    return this.ns.get(this.ns.idFromName(contractId));
  }

  /** The isolate's belief that a contract's cap is exhausted right now (no round trip). */
  isKnownFull(contractId: string, now = Date.now()): boolean {
    return this.fullReason(contractId, now) !== undefined;
  }

  /**
   * Why this isolate believes the contract's cap is taken (no round trip): "cap reached" (sales fill
   * it) or headroom held elsewhere (posts in flight, other isolates' blocks: briefly, since it comes
   * back as they settle). Never while this isolate's own block still has units for it.
   */
  fullReason(contractId: string, now = Date.now()): string | undefined {
    const full = fullUntil.get(contractId);
    if (full === undefined) return undefined;
    if (now >= full.until) {
      fullUntil.delete(contractId);
      return undefined;
    }
    if ((blocks.get(contractId)?.unitsLeft ?? 0) > 0) return undefined;
    return full.reason;
  }

  private learnRefusal(c: Capped, res: Refusal): void {
    // A budget refusal depends on the price; only count limits mean "full for everyone".
    if (!res.limit.startsWith("cap_")) return;
    const now = Date.now();
    const cap = capOf(c, res.limit, now);
    // Sold out (not merely held elsewhere), and news to this isolate: the event (its id is per window, so once).
    if (!res.held && cap && !c.id.startsWith("source:") && fullUntil.get(c.id)?.reason !== "cap reached")
      this.events?.later([
        capReachedEvent({ id: c.id, buyerId: c.buyerId ?? null }, { limit: res.limit, timezone: c.timezone, ...cap }, now),
      ]);
    fullUntil.set(
      c.id,
      res.held
        ? { until: Math.min(res.retryAfter, now + HELD_MEMORY_MS), reason: HELD_ELSEWHERE }
        : { until: Math.min(res.retryAfter, now + 60_000), reason: "cap reached" },
    );
  }

  /**
   * Takes headroom blocks for the capped contracts among `contracts` that have no usable one, while
   * the pings are out; a post for one of them waits for its block instead of reserving on its own.
   */
  prepare(contracts: Capped[], defer: (p: Promise<unknown>) => void): void {
    const now = Date.now();
    for (const c of contracts) {
      if (!hasCaps(c) || leasing.has(c.id) || this.isKnownFull(c.id, now)) continue;
      const b = blocks.get(c.id);
      if (b && b.unitsLeft > 0 && b.expiresAt - now > BLOCK_MS / 2) continue;
      const taking = this.ledger(c.id)
        .lease({ leaseId: newId("cl"), caps: c.caps, timezone: c.timezone, units: BLOCK_UNITS, leaseMs: BLOCK_MS })
        .then((res: LeaseResult) => {
          if (!res.ok) return this.learnRefusal(c, res);
          // The block it replaces gives back what it has not handed out, at once.
          const old = blocks.get(c.id);
          if (old && (old.unitsLeft > 0 || (old.centsLeft ?? 0) > 0))
            defer(
              this.ledger(c.id)
                .returnLeased(old.id, old.unitsLeft, old.centsLeft ?? 0)
                .catch(() => {}),
            );
          blocks.set(c.id, {
            id: res.leaseId,
            windows: windowsKey(res.windows),
            unitsLeft: res.units,
            centsLeft: res.cents,
            expiresAt: res.expiresAt,
          });
        })
        .catch(() => {}) // no block: posts reserve one by one
        .finally(() => leasing.delete(c.id));
      leasing.set(c.id, taking);
      defer(taking);
    }
  }

  /** A unit from this isolate's block, if one is open, current and has room for the price. */
  private fromBlock(c: Capped, leadId: string, priceCents: number, postMs: number): CapHold | undefined {
    const b = blocks.get(c.id);
    const now = Date.now();
    if (!b || b.unitsLeft < 1 || (b.centsLeft !== null && b.centsLeft < priceCents)) return undefined;
    if (now + postMs + BLOCK_SLACK_MS >= b.expiresAt || b.windows !== currentWindows(c, now)) return undefined;
    b.unitsLeft -= 1;
    if (b.centsLeft !== null) b.centsLeft -= priceCents;
    return {
      ok: true,
      state: "held",
      leaseId: b.id,
      // Reported with the contract's other news, batched (./cap-reports.ts): the unit already counts.
      commit: async () =>
        void (await this.reports.report(c.id, {
          sale: { leaseId: b.id, reservationId: leadId, priceCents, timezone: c.timezone, at: Date.now() },
        })),
      release: async () => {
        // Back to the block it came from while it is this isolate's; a block replaced meanwhile gets
        // the unit back in the ledger at once, rather than holding it until it expires.
        if (blocks.get(c.id) !== b) return this.ledger(c.id).returnLeased(b.id, 1, b.centsLeft === null ? 0 : priceCents);
        b.unitsLeft += 1;
        if (b.centsLeft !== null) b.centsLeft += priceCents;
      },
    };
  }

  /**
   * Headroom for one post. Live rounds (`postMs` given) spend from a block when one is ready or being
   * taken; otherwise, and for recovered rounds (which must see an earlier commit for this lead), one
   * reservation round trip.
   */
  async reserve(contract: Capped, leadId: string, priceCents: number, live?: { postMs: number }): Promise<CapHold> {
    if (!hasCaps(contract)) return { ok: true, state: "held", leaseId: null, commit: done, release: done };
    if (live) {
      await leasing.get(contract.id);
      const hold = this.fromBlock(contract, leadId, priceCents, live.postMs);
      if (hold) return hold;
    }
    const ledger = this.ledger(contract.id);
    const res = await ledger.reserve({
      reservationId: leadId,
      caps: contract.caps,
      timezone: contract.timezone,
      priceCents,
      leaseMs: LEASE_MS,
    });
    if (!res.ok) {
      this.learnRefusal(contract, res);
      return res;
    }
    return {
      ok: true,
      state: res.state,
      leaseId: null,
      commit: async () => void (await ledger.commit(leadId)),
      release: async () => void (await ledger.release(leadId)),
    };
  }

  /**
   * Commits a sale found in a lead's journal (its worker died before committing): to the block it
   * came from, or to its own reservation. Idempotent per lead.
   */
  async commitRecovered(contract: Capped, leadId: string, priceCents: number, leaseId: string | null): Promise<void> {
    if (!hasCaps(contract)) return;
    const ledger = this.ledger(contract.id);
    if (leaseId) await ledger.commitLeased(leaseId, leadId, priceCents, contract.timezone);
    else if (!(await ledger.commit(leadId))) {
      // The reservation expired meanwhile: the sale still happened, so it is counted.
      await ledger.commitLeased("", leadId, priceCents, contract.timezone);
    }
  }

  headroom(contract: Capped): Promise<Headroom> {
    return this.ledger(contract.id).headroom(contract.caps, contract.timezone);
  }
}
