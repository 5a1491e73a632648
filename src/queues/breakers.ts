// Every minute (with the sweeper): each active contract's circuit breaker judged on its recorded
// pings and posts (src/auction/breaker.ts). A transition is saved with its reason; the gateway sees
// the new state with its next rules load (within RULES_TTL_MS). A contract that opens is `buyer.paused`.
import { CLOSED, NO_OUTCOMES, countsFrom, nextHealth } from "../auction/breaker";
import type { HealthChange } from "../db/breakers";
import type { Records } from "../db/records";
import { log } from "../lib/log";
import type { Contract } from "../rules/model";
import { buyerPausedEvent } from "../events/bodies";
import type { Events } from "../services/events";

export async function evaluateBreakers(
  records: Records,
  contracts: Contract[],
  now = Date.now(),
  events?: Pick<Events, "emit">,
): Promise<HealthChange[]> {
  const states = await records.breakers.healthStates();
  const health = (c: Contract) => states.get(c.id) ?? CLOSED;
  const counts = await records.breakers.outcomeCounts(contracts.map((c) => ({ id: c.id, from: countsFrom(c.breaker, health(c), now) })));
  const changes: HealthChange[] = [];
  for (const c of contracts) {
    const from = health(c);
    const to = nextHealth(c.breaker, from, counts.get(c.id) ?? NO_OUTCOMES, now);
    if (to !== from) changes.push({ contractId: c.id, from, to, at: now });
  }
  await records.breakers.saveHealthChanges(changes);
  const paused = changes.filter((ch) => ch.to.state === "open");
  await events?.emit(
    paused.map((ch) =>
      buyerPausedEvent(
        contracts.find((c) => c.id === ch.contractId)!,
        ch.to,
        "circuit_breaker",
      ),
    ),
  );
  for (const ch of changes)
    log("breaker_" + ch.to.state, { contract: ch.contractId, reason: ch.to.reason }, ch.to.state === "closed" ? "info" : "warn");
  return changes;
}
