// Every audited change to the rules passes here once: the API's and the editor's as they are made,
// changes made outside (wrangler, a migration) when the cron finds them in the trail. The one place a
// `rule.changed` event is sent from.
import type { RuleChangeRow } from "../db/schema";
import { ruleChangedEvent } from "../events/bodies";
import { log } from "../lib/log";
import type { Services } from "../services";

/** Called for every audited change, once: a log line and the `rule.changed` event. */
export async function onRuleChanged(svc: Services, change: RuleChangeRow): Promise<void> {
  log("rule_changed", { change: change.id, table: change.tableName, row: change.rowId, action: change.action, via: change.via });
  await svc.events.emit([ruleChangedEvent(change)]);
}

/**
 * The cron's part: outside changes recorded since the last run, each passed to `hook` in order, then
 * marked. The first run marks the trail as it stands (its history is not news).
 */
export async function announceOutsideChanges(
  svc: Services,
  hook: (svc: Services, change: RuleChangeRow) => Promise<void> = onRuleChanged,
  limit = 200,
): Promise<number> {
  const audit = svc.records.audit;
  const upTo = await audit.announcedUpTo();
  if (upTo === null) {
    await audit.markAnnounced(await audit.lastId());
    return 0;
  }
  const fresh = await audit.outsideAfter(upTo, limit);
  for (const change of fresh) await hook(svc, change);
  if (fresh.length) await audit.markAnnounced(fresh[fresh.length - 1]!.id);
  return fresh.length;
}
