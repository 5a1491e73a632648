// The audit trail of the rules (rule_changes, written by triggers: db/audit-triggers.ts): the entries
// an admin lists and filters, one entry, and the cron's mark of the outside changes it has announced.
import { and, asc, desc, eq, gt, lt, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import * as t from "./schema";
import type { RuleChangeRow } from "./schema";

export interface ChangeFilter {
  table?: string;
  rowId?: string;
  actor?: string;
  via?: string;
  /** Entries older than this id (paging back). */
  beforeId?: number;
  /** Entries newer than this id. */
  afterId?: number;
  limit: number;
}

/** Newest first. */
export async function changes(db: Db, f: ChangeFilter): Promise<RuleChangeRow[]> {
  const c = t.ruleChanges;
  const where: SQL[] = [];
  if (f.table) where.push(eq(c.tableName, f.table));
  if (f.rowId) where.push(eq(c.rowId, f.rowId));
  if (f.actor) where.push(eq(c.actor, f.actor));
  if (f.via) where.push(eq(c.via, f.via));
  if (f.beforeId !== undefined) where.push(lt(c.id, f.beforeId));
  if (f.afterId !== undefined) where.push(gt(c.id, f.afterId));
  return db
    .select()
    .from(c)
    .where(and(...where))
    .orderBy(desc(c.id))
    .limit(f.limit);
}

export async function change(db: Db, id: number): Promise<RuleChangeRow | undefined> {
  const [row] = await db.select().from(t.ruleChanges).where(eq(t.ruleChanges.id, id));
  return row;
}

/** Changes made outside the API (SQL, migrations) after an entry, oldest first. */
export async function outsideAfter(db: Db, afterId: number, limit: number): Promise<RuleChangeRow[]> {
  return db
    .select()
    .from(t.ruleChanges)
    .where(and(eq(t.ruleChanges.via, "outside"), gt(t.ruleChanges.id, afterId)))
    .orderBy(asc(t.ruleChanges.id))
    .limit(limit);
}

const ANNOUNCED = "rule_changes_announced";

/** The last outside change announced (null: none yet, so the history before it is not announced). */
export async function announcedUpTo(db: Db): Promise<number | null> {
  const [row] = await db.select().from(t.settings).where(eq(t.settings.key, ANNOUNCED));
  return row ? Number(row.value) : null;
}

export async function markAnnounced(db: Db, id: number): Promise<void> {
  await db
    .insert(t.settings)
    .values({ key: ANNOUNCED, value: String(id) })
    .onConflictDoUpdate({ target: t.settings.key, set: { value: String(id) } });
}

/** The newest entry's id (0: none). */
export async function lastId(db: Db): Promise<number> {
  const [row] = await db.select({ id: t.ruleChanges.id }).from(t.ruleChanges).orderBy(desc(t.ruleChanges.id)).limit(1);
  return row?.id ?? 0;
}
