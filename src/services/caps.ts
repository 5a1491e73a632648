// Client of the CapLedger objects, with the isolate's snapshot of contracts known to be full.
// The snapshot keeps the hot path free of a round trip per buyer: it is learned from reserve()
// refusals and expires when the limiting window ends. reserve() stays the authority.
import type { CapLedger, Headroom, ReserveResult } from "../objects/cap-ledger";
import type { Contract } from "../rules/compile";

/** How long a reservation holds headroom if its worker dies mid-post. */
export const LEASE_MS = 5 * 60_000;

// Per isolate, shared by every request it serves.
const fullUntil = new Map<string, number>();

export const hasCaps = (c: Contract) =>
  c.caps.hour !== null || c.caps.day !== null || c.caps.month !== null || c.caps.budgetDayCents !== null || c.caps.budgetMonthCents !== null;

export function forgetCapSnapshot(): void {
  fullUntil.clear();
}

export class CapsClient {
  constructor(private readonly ns: DurableObjectNamespace<CapLedger>) {}

  private ledger(contractId: string) {
    return this.ns.get(this.ns.idFromName(contractId));
  }

  /** The isolate's belief that a contract's cap is exhausted right now (no round trip). */
  isKnownFull(contractId: string, now = Date.now()): boolean {
    const until = fullUntil.get(contractId);
    if (until === undefined) return false;
    if (now < until) return true;
    fullUntil.delete(contractId);
    return false;
  }

  async reserve(contract: Contract, leadId: string, priceCents: number): Promise<ReserveResult> {
    if (!hasCaps(contract)) return { ok: true, state: "held" };
    const res = await this.ledger(contract.id).reserve({
      reservationId: leadId,
      caps: contract.caps,
      timezone: contract.timezone,
      priceCents,
      leaseMs: LEASE_MS,
    });
    // A budget refusal depends on the price; only count limits mean "full for everyone".
    if (!res.ok && res.limit.startsWith("cap_")) fullUntil.set(contract.id, Math.min(res.retryAfter, Date.now() + 60_000));
    return res;
  }

  async commit(contract: Contract, leadId: string): Promise<void> {
    if (hasCaps(contract)) await this.ledger(contract.id).commit(leadId);
  }

  async release(contract: Contract, leadId: string): Promise<void> {
    if (hasCaps(contract)) await this.ledger(contract.id).release(leadId);
  }

  headroom(contract: Contract): Promise<Headroom> {
    return this.ledger(contract.id).headroom(contract.caps, contract.timezone);
  }
}
