// Value lists (ZIP codes and the like) that filters and price rules name: stored whole, one row per
// list, read with the rules (./rules.ts). Written by PUT /admin/lists/{name} and `npm run lists:upload`.
import { asc, eq } from "drizzle-orm";
import type { Db } from "./client";
import * as t from "./schema";

/** Replaces a list's values (or creates it); true when it was new. */
export async function put(db: Db, name: string, kind: "zip" | "text", values: string[], now: number): Promise<boolean> {
  const row = { name, kind, values: JSON.stringify(values), count: values.length, updatedAt: now };
  const [existing] = await db.batch([
    db.select({ name: t.valueLists.name }).from(t.valueLists).where(eq(t.valueLists.name, name)),
    db.insert(t.valueLists).values(row).onConflictDoUpdate({ target: t.valueLists.name, set: row }),
  ]);
  return existing.length === 0;
}

/** Every list, without its values. */
export function all(db: Db) {
  return db
    .select({ name: t.valueLists.name, kind: t.valueLists.kind, count: t.valueLists.count, updatedAt: t.valueLists.updatedAt })
    .from(t.valueLists)
    .orderBy(asc(t.valueLists.name));
}

/** One list with its values, or undefined. */
export async function get(db: Db, name: string) {
  const [row] = await db.select().from(t.valueLists).where(eq(t.valueLists.name, name));
  return row ? { ...row, values: JSON.parse(row.values) as string[] } : undefined;
}

/** Deletes a list; true when there was one. */
export async function remove(db: Db, name: string): Promise<boolean> {
  const rows = await db.delete(t.valueLists).where(eq(t.valueLists.name, name)).returning({ name: t.valueLists.name });
  return rows.length > 0;
}
