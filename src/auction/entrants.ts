// Who competes in a round: the eligible contracts (pure, ./eligibility.ts, over the isolate's cap
// snapshot and circuit breakers: no I/O), and the campaign's ping budget, spent before the pings leave.
import { pingBudget } from "../limits/policy";
import type { BreakersPort, CapsPort, Defer, LimitsPort, WalletsPort } from "./ports";
import { selectEligible, type Eligibility } from "./eligibility";
import type { Lot } from "./lot";

/** What earlier rounds settled, looked up before a retry round's pings (the live round has none). */
export interface EarlierRounds {
  /** Buyer dedupe keys known taken before the pings: such contracts are not pinged. */
  alreadyBought: ReadonlySet<string>;
  /** Contracts done with this lead (they answered for good): not tried again. */
  exclude: ReadonlySet<string>;
  /** Fallback tiers compete only once the live round found no taker. */
  includeFallback: boolean;
}

export const NO_EARLIER_ROUNDS: EarlierRounds = { alreadyBought: new Set(), exclude: new Set(), includeFallback: false };

export function eligibleFor(
  ports: { caps: Pick<CapsPort, "fullReason">; wallets: Pick<WalletsPort, "shortReason">; breakers: BreakersPort },
  lot: Lot,
  earlier: EarlierRounds,
  defer: Defer,
): Eligibility {
  const { campaign } = lot;
  const now = Date.now();
  return selectEligible({
    contracts: lot.contracts,
    lead: lot.lead,
    now,
    capFull: (id) => ports.caps.fullReason(id, now),
    noFunds: (c) => ports.wallets.shortReason(c, now, defer),
    alreadyBought: earlier.alreadyBought,
    exclude: earlier.exclude,
    includeFallback: earlier.includeFallback,
    maxFanout: Math.min(campaign.maxFanout, 1000),
    paused: (c) => ports.breakers.paused(c, now),
    namedSellers: campaign.oneToOne ? (lot.consent?.consent_sellers ?? []) : undefined,
  });
}

/**
 * A campaign with a pings-per-minute bound spends it before its pings leave (one call to this
 * location's counter); over it, the round pings no one (the contracts are recorded as skipped, the
 * fixed-price ones still compete) and the lead waits for a retry round.
 */
export async function spendPingBudget(limits: LimitsPort, lot: Lot, eligibility: Eligibility): Promise<void> {
  if (eligibility.ping.length === 0) return;
  const checks = pingBudget(lot.campaign, eligibility.ping.length);
  if (checks.length === 0) return;
  const verdict = await limits.check(lot.campaign.id, checks);
  if (verdict.ok) return;
  const reason = `campaign ping budget reached (${lot.campaign.pingsPerMinute} per minute)`;
  for (const c of eligibility.ping.splice(0)) eligibility.skipped.push({ contract: c, reason });
}
