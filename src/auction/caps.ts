// Adapter to the CapLedger objects, with the isolate's snapshot of contracts known to be full.
// The snapshot keeps the hot path free of a round trip per buyer: it is learned from reserve()
// refusals and expires when the limiting window ends. reserve() stays the authority.
import type { Env } from "../env";
import type { Contract } from "../rules/compile";
import type { ReserveResult } from "../objects/cap-ledger";

/** How long a reservation holds headroom if its worker dies mid-post. */
export const LEASE_MS = 5 * 60_000;

const fullUntil = new Map<string, number>();

export const hasCaps = (c: Contract) =>
  c.caps.hour !== null || c.caps.day !== null || c.caps.month !== null || c.caps.budgetDayCents !== null || c.caps.budgetMonthCents !== null;

export function isKnownFull(contractId: string, now = Date.now()): boolean {
  const until = fullUntil.get(contractId);
  if (until === undefined) return false;
  if (now < until) return true;
  fullUntil.delete(contractId);
  return false;
}

export function forgetCapSnapshot(): void {
  fullUntil.clear();
}

const ledger = (env: Env, contractId: string) => env.CAP_LEDGER.get(env.CAP_LEDGER.idFromName(contractId));

export async function reserveCap(env: Env, contract: Contract, leadId: string, priceCents: number): Promise<ReserveResult> {
  if (!hasCaps(contract)) return { ok: true, state: "held" };
  const res = await ledger(env, contract.id).reserve({
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

export async function commitCap(env: Env, contract: Contract, leadId: string): Promise<void> {
  if (hasCaps(contract)) await ledger(env, contract.id).commit(leadId);
}

export async function releaseCap(env: Env, contract: Contract, leadId: string): Promise<void> {
  if (hasCaps(contract)) await ledger(env, contract.id).release(leadId);
}

export const headroomOf = (env: Env, contract: Contract) => ledger(env, contract.id).headroom(contract.caps, contract.timezone);
