// npm run rules:export's SQL (scripts/lib/rules-export.ts), applied to a database: the current rules
// as upserts bring an emptied database back to the same rows (secrets aside, which are never
// exported), and the changes since an audit entry replay what the API and SQL changed.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { exportChanges, exportRules, type RawChange, type RawRow } from "../../scripts/lib/rules-export";
import { compileRules } from "../../src/rules/compile";
import { RULE_TABLES, secretColumns, type RuleTable } from "../../src/rules/fields";
import { scopeOf } from "../../src/services";
import { ADMIN, gateway, seedDemo } from "../support/helpers";

async function rows(table: RuleTable): Promise<RawRow[]> {
  return (await env.DB.prepare(`SELECT * FROM ${table} ORDER BY id`).all<RawRow>()).results;
}
/** A table's rows without what an export leaves out (secrets, versions, creation times). */
async function comparable(table: RuleTable) {
  const drop = new Set([...secretColumns(table), "version", "created_at"]);
  return (await rows(table)).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.has(k))));
}
async function apply(sql: string) {
  const statements = sql.split("\n").filter((l) => l.trim() && !l.startsWith("--"));
  await env.DB.batch(statements.map((s) => env.DB.prepare(s)));
}
async function snapshot() {
  return Object.fromEntries(await Promise.all(RULE_TABLES.map(async (t) => [t, await comparable(t)] as const)));
}

beforeEach(async () => {
  await seedDemo();
});

describe("rules:export", () => {
  it("the current rules, applied to an emptied database, give the same rows; contracts wait for their keys", async () => {
    const before = await snapshot();
    const tables = Object.fromEntries(await Promise.all(RULE_TABLES.map(async (t) => [t, await rows(t)] as const)));
    const sql = exportRules(tables, "the test database");
    expect(sql).not.toContain("demo-shared-secret");
    await env.DB.batch(["experiments", "contracts", "sources", "buyers", "campaigns"].map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
    await apply(sql);
    expect(await snapshot()).toEqual(before);
    const problems = compileRules(await scopeOf(env).services.records.ruleEdits.allRows()).problems;
    expect(problems.filter((p) => p.column === "secret").map((p) => p.id)).toContain("ct_alpha");
    // Applied again (a re-run migration): nothing changes.
    await apply(sql);
    expect(await snapshot()).toEqual(before);
  });

  it("the changes since an audit entry replay the API's and SQL's changes on the database as it was", async () => {
    const mark = Number((await env.DB.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM rule_changes").first<{ id: number }>())!.id);
    const start = await snapshot();
    await gateway("/admin/campaigns/cmp_auto", {
      method: "PATCH",
      headers: ADMIN,
      body: JSON.stringify({ floor_cents: 1250, version: 1 }),
    });
    await gateway("/admin/buyers", { method: "POST", headers: ADMIN, body: JSON.stringify({ id: "buy_new", name: "New Buyer" }) });
    await gateway("/admin/contracts/ct_alpha", {
      method: "PATCH",
      headers: ADMIN,
      body: JSON.stringify({ secret: "rotated-secret-0123456789", cap_day: 77, version: 1 }),
    });
    await env.DB.prepare("DELETE FROM contracts WHERE id = 'ct_foxtrot'").run();
    const after = await snapshot();
    const changes = (await env.DB.prepare("SELECT * FROM rule_changes WHERE id > ? ORDER BY id").bind(mark).all<RawChange>()).results;
    const sql = exportChanges(changes, mark, "the test database");
    expect(sql).toContain("by admin (api)");
    expect(sql).toContain("by outside (outside)");
    expect(sql).toContain("-- secret changed too");
    expect(sql).not.toContain("rotated-secret");
    await seedDemo(); // the database as it was at the mark
    expect(await snapshot()).toEqual(start);
    await apply(sql);
    expect(await snapshot()).toEqual(after);
  });
});
