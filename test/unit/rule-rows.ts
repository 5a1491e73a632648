// Rule rows for pure compile tests, built from the drizzle schema's own defaults: a test names only
// the columns it cares about, and a column added later needs no change here.
import { getTableColumns, is, SQL, type Table } from "drizzle-orm";
import * as t from "../../src/db/schema";

/** A row of `table`: each column's schema default (SQL defaults as 0), then `over`. */
export function rowOf<T extends Table>(table: T, over: Partial<T["$inferSelect"]>): T["$inferSelect"] {
  const out: Record<string, unknown> = {};
  for (const [key, col] of Object.entries(getTableColumns(table))) {
    const d: unknown = col.default;
    out[key] = d === undefined ? null : is(d, SQL) ? 0 : d;
  }
  return { ...out, ...over } as T["$inferSelect"];
}

const FIELDS = [
  { name: "zip", type: "zip", ping: true },
  { name: "state", type: "state", ping: true },
  { name: "homeowner", type: "boolean", ping: true },
  { name: "email", type: "email" },
];

/** One campaign, one buyer and these contracts (each needs only an id and what it tests). */
export function ruleRows(contracts: Partial<t.ContractRow>[], lists: Partial<t.ValueListRow>[] = []) {
  return {
    campaigns: [rowOf(t.campaigns, { id: "c1", slug: "auto", name: "Auto", fields: JSON.stringify(FIELDS) })],
    sources: [],
    buyers: [rowOf(t.buyers, { id: "b1", name: "B" })],
    contracts: contracts.map((c) =>
      rowOf(t.contracts, {
        buyerId: "b1",
        campaignId: "c1",
        name: c.id,
        pingUrl: "https://b.example/ping",
        postUrl: "https://b.example/post",
        secret: "0123456789abcdef",
        ...c,
      }),
    ),
    lists: lists.map((l) => rowOf(t.valueLists, { kind: "zip", count: 0, updatedAt: 0, ...l })),
  };
}
