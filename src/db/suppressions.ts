// The suppression list read back (its writes are records.suppress): fingerprints, never the numbers
// or addresses themselves, newest first.
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import * as t from "./schema";

export async function list(db: Db, f: { kind?: "phone" | "email"; limit: number; before?: number }) {
  const where: SQL[] = [];
  if (f.kind) where.push(eq(t.suppressions.kind, f.kind));
  if (f.before !== undefined) where.push(lt(t.suppressions.createdAt, f.before));
  return db
    .select()
    .from(t.suppressions)
    .where(and(...where))
    .orderBy(desc(t.suppressions.createdAt))
    .limit(f.limit);
}
