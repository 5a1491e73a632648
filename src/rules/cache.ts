// Rules live in D1 and are cached per isolate for RULES_TTL_MS, so an admin's
// `wrangler d1 execute` or a new migration takes effect within seconds, without a redeploy.
// One D1 round trip (a batch of seven selects: rules, breaker states, quality scores, experiments) per isolate per TTL; never one per lead.
import { loadRuleRows } from "../db/rules";
import { Unavailable } from "../lib/errors";
import { log } from "../lib/log";
import { compileRules } from "./compile";
import type { Rules } from "./model";

let current: { rules: Rules; expiresAt: number } | undefined;
let loading: Promise<Rules> | undefined;
const reported = new Set<string>();

async function reload(d1: D1Database, ttlMs: number): Promise<Rules> {
  const rules = compileRules(await loadRuleRows(d1));
  for (const p of rules.problems) {
    const key = `${p.table}:${p.id}:${p.column}:${p.message}`;
    if (reported.has(key)) continue;
    reported.add(key);
    log("rule_disabled", { table: p.table, id: p.id, column: p.column, reason: p.message }, "warn");
  }
  current = { rules, expiresAt: Date.now() + ttlMs };
  return rules;
}

export async function getRules(d1: D1Database, ttlMs: number): Promise<Rules> {
  if (current && Date.now() < current.expiresAt) return current.rules;
  // Concurrent requests share one reload. If D1 does not answer, the last good rules keep serving.
  loading ??= reload(d1, ttlMs)
    .catch((err: Error) => {
      log("rules_reload_failed", { error: err.message.slice(0, 200), serving_stale: current !== undefined }, "error");
      if (!current) throw new Unavailable("rules_unavailable", "rules could not be loaded; retry shortly");
      current.expiresAt = Date.now() + Math.min(ttlMs, 1000);
      return current.rules;
    })
    .finally(() => {
      loading = undefined;
    });
  return loading;
}

/** Drop the cached rules (tests; an admin's D1 edit otherwise applies within RULES_TTL_MS). */
export function invalidateRules(): void {
  current = undefined;
}
