// The editable rule tables' descriptions (src/rules/fields) against the schema, and the pure parts of
// editing: bodies checked and turned into rows, and undoing an audit entry (property-tested).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { columnInfo } from "../../src/db/rule-columns";
import { bodyErrors, rowOf } from "../../src/rules/edit/body";
import { changedColumns, undoPlan, type Snapshot } from "../../src/rules/edit/diff";
import { JSON_WIDGETS, RULE_TABLES, TABLE_SPECS } from "../../src/rules/fields";

describe("the editable tables", () => {
  it("describe every column of the schema (a new column needs one entry in src/rules/fields, or to be listed as fixed)", () => {
    for (const table of RULE_TABLES) {
      const spec = TABLE_SPECS[table];
      const described = new Set([...spec.fields.map((f) => f.column), ...spec.fixed]);
      for (const column of columnInfo(table).keys()) expect(described.has(column), `${table}.${column}`).toBe(true);
      for (const f of spec.fields) expect(columnInfo(table).has(f.column), `${table}.${f.column} is not in the schema`).toBe(true);
    }
  });

  it("a column holding JSON (its default a JSON list or object) is edited by a JSON widget, so it is stored and read as JSON", () => {
    for (const table of RULE_TABLES)
      for (const f of TABLE_SPECS[table].fields) {
        const d = columnInfo(table).get(f.column)!.defaultValue;
        if (typeof d === "string" && /^[[{]/.test(d)) expect(JSON_WIDGETS.has(f.widget), `${table}.${f.column} (${f.widget})`).toBe(true);
        if (f.columns) expect(f.widget, `${table}.${f.column}`).toBe("records");
      }
    expect(rowOf("campaigns", { aged_tiers: [{ days: 1, floor_cents: 500 }] })).toEqual({ agedTiers: '[{"days":1,"floor_cents":500}]' });
  });
});

describe("bodies", () => {
  it("name every wrong field, and take JSON columns only as JSON", () => {
    expect(bodyErrors("contracts", { timeout_ms: "400", filters: "[]", nope: 1, created_at: 5 }, "update").map((e) => e.path)).toEqual([
      "timeout_ms",
      "filters",
      "nope",
      "created_at",
    ]);
    expect(bodyErrors("buyers", {}, "create")).toEqual([{ path: "name", message: "is required" }]);
    expect(bodyErrors("contracts", { schedule: null, max_bid_cents: null }, "update")).toEqual([]);
    expect(bodyErrors("contracts", { timeout_ms: null }, "update").map((e) => e.path)).toEqual(["timeout_ms"]);
    expect(rowOf("contracts", { filters: [{ field: "state", op: "exists" }], fallback: true })).toEqual({
      filters: '[{"field":"state","op":"exists"}]',
      fallback: true,
    });
  });
});

describe("undoing an audit entry", () => {
  const snapshot = fc.record({ name: fc.string(), min_bid_cents: fc.integer({ min: 0, max: 10_000 }), secret: fc.constantFrom("(set)") });

  it("property: undoing an update restores exactly the columns it changed, and refuses once they moved on", () => {
    fc.assert(
      fc.property(snapshot, snapshot, fc.integer({ min: 0, max: 10_000 }), (before, after, later) => {
        const entry = { action: "update", before: before as Snapshot, after: after as Snapshot };
        const plan = undoPlan("contracts", entry, after);
        const changed = changedColumns(before, after).filter((c) => c.column !== "secret");
        if (changed.length === 0) expect(plan.kind).toBe("refused");
        else {
          expect(plan).toEqual({ kind: "update", body: Object.fromEntries(changed.map((c) => [c.column, c.before])) });
          if (changed.some((c) => c.column === "min_bid_cents") && later !== after.min_bid_cents)
            expect(undoPlan("contracts", entry, { ...after, min_bid_cents: later }).kind).toBe("refused");
        }
      }),
    );
  });

  it("never puts a secret back, and refuses to remake a deleted row that held one", () => {
    expect(undoPlan("contracts", { action: "delete", before: { id: "k", secret: "(set)" }, after: null }, null)).toMatchObject({
      kind: "refused",
    });
    expect(undoPlan("buyers", { action: "delete", before: { id: "b", name: "B", dedupe_scope: "buyer" }, after: null }, null)).toEqual({
      kind: "insert",
      body: { id: "b", name: "B", dedupe_scope: "buyer" },
    });
  });
});
