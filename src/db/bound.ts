// A feature module of db/ (plain functions that take the database first) with the database bound:
// the shape code outside db/ calls, through the records client (`services.records.returns.…`), so
// it never holds the handle itself.
import type { Db } from "./client";

type DbFunction = (db: Db, ...args: never[]) => unknown;

export type Bound<M> = { readonly [K in keyof M]: M[K] extends (db: Db, ...args: infer A) => infer R ? (...args: A) => R : never };

/** Every function of `module` (a namespace import, say) with `db` as its first argument. */
export function bound<M extends { [K in keyof M]: DbFunction }>(db: Db, module: M): Bound<M> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(module as Record<string, DbFunction>)) out[name] = (...args: never[]) => fn(db, ...args);
  return out as Bound<M>;
}
