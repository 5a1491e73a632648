import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

const make = (d1: D1Database) => drizzle(d1, { schema });
export type Db = ReturnType<typeof make>;

// drizzle() builds its relational config from the schema on every call (about 0.6 ms, per the
// profile in `npm run bench:profile`): one instance per binding object, per isolate.
const instances = new WeakMap<D1Database, Db>();

export function dbOf(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) {
    db = make(d1);
    instances.set(d1, db);
  }
  return db;
}
