// A lead's retry rounds, claimed one at a time: a round takes a `pending` lead (its claim is the
// time it took it), gives it back only while that claim still holds it, and the cron finds leads
// whose worker or retry message is gone.
import { and, eq, inArray, lt } from "drizzle-orm";
import type { Db } from "./client";
import * as t from "./schema";
import type { LeadStatus } from "./schema";

/** Leads in these states untouched since `before` (the sweeper's: their worker or their retry message is gone). */
export async function stuck(db: Db, statuses: readonly LeadStatus[], before: number, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: t.leads.id })
    .from(t.leads)
    .where(and(inArray(t.leads.status, [...statuses]), lt(t.leads.updatedAt, before)))
    .limit(limit);
  return rows.map((r) => r.id);
}

/** Takes a pending lead for a retry round (pending -> auctioning): the claim's time, or null when not pending. */
export async function claim(db: Db, leadId: string): Promise<number | null> {
  const at = Date.now();
  const pending = and(eq(t.leads.id, leadId), eq(t.leads.status, "pending"));
  const res = await db
    .update(t.leads)
    .set({ status: "auctioning", reason: null, updatedAt: at })
    .where(pending)
    .returning({ id: t.leads.id });
  return res.length > 0 ? at : null;
}

/** Gives a claimed lead back to `pending`, only if that claim still holds it (not a later round's). */
export async function handBack(db: Db, leadId: string, claimedAt: number, reason: string): Promise<boolean> {
  const held = and(eq(t.leads.id, leadId), eq(t.leads.status, "auctioning"), eq(t.leads.updatedAt, claimedAt));
  const res = await db.update(t.leads).set({ status: "pending", reason, updatedAt: Date.now() }).where(held).returning({ id: t.leads.id });
  return res.length > 0;
}

/** Marks a pending lead as seen to now (its retry sent again); false when it is no longer pending. */
export async function touchPending(db: Db, leadId: string): Promise<boolean> {
  const pending = and(eq(t.leads.id, leadId), eq(t.leads.status, "pending"));
  return (await db.update(t.leads).set({ updatedAt: Date.now() }).where(pending).returning({ id: t.leads.id })).length > 0;
}
