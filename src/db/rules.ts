// The rule rows as stored: campaigns, sources, buyers, contracts, and with them the breaker states,
// quality scores, experiments and value lists, in one D1 batch (compiled and cached per isolate by rules/cache.ts).
import type { RuleRows } from "../rules/model";
import { dbOf } from "./client";
import * as t from "./schema";

/** From the binding itself: the rules cache outlives any one request's records client. */
export async function loadRuleRows(d1: D1Database): Promise<RuleRows> {
  const db = dbOf(d1);
  const [campaigns, sources, buyers, contracts, health, quality, experiments, lists] = await db.batch([
    db.select().from(t.campaigns),
    db.select().from(t.sources),
    db.select().from(t.buyers),
    db.select().from(t.contracts),
    db.select().from(t.contractHealth),
    db.select().from(t.contractQuality),
    db.select().from(t.experiments),
    db.select().from(t.valueLists),
  ]);
  return { campaigns, sources, buyers, contracts, health, quality, experiments, lists };
}
