// Rules in D1: validated on read, a broken row disables only itself, edits apply without a redeploy,
// and `npm run rules:check` (raw rows -> fromRaw -> compileRules) names the broken row.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import * as t from "../../src/db/schema";
import { fromRaw } from "../../src/db/raw";
import { loadRuleRows } from "../../src/db/rules";
import { compileRules } from "../../src/rules/compile";
import { ADMIN, demoLead, gateway, postLead, seedDemo, setBuyers, sql } from "../support/helpers";

const raw = async (table: string) => (await env.DB.prepare(`SELECT * FROM ${table}`).all<Record<string, unknown>>()).results;

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 0");
  await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22 }, charlie: { bid: 15 }, echo: { bid: 12, format: "form" } });
});

describe("rules:check", () => {
  it("catches a deliberately broken rule and names its row and column", async () => {
    await sql(`UPDATE contracts SET filters = '[{"field":"state","op":"in","values":[]}]' WHERE id = 'ct_charlie'`);
    await sql(`UPDATE contracts SET timezone = 'America/Atlantis' WHERE id = 'ct_echo'`);
    // Exactly what scripts/rules-check.ts does with `wrangler d1 execute --json` output.
    const rules = compileRules({
      campaigns: fromRaw(t.campaigns, await raw("campaigns")),
      sources: fromRaw(t.sources, await raw("sources")),
      buyers: fromRaw(t.buyers, await raw("buyers")),
      contracts: fromRaw(t.contracts, await raw("contracts")),
    });
    expect(rules.problems.map((p) => `${p.table} ${p.id} ${p.column}`)).toEqual([
      "contracts ct_charlie filters",
      "contracts ct_echo timezone",
    ]);
    // The raw path and the drizzle path agree.
    expect(compileRules(await loadRuleRows(env.DB)).problems).toEqual(rules.problems);
  });

  it("the demo rules are clean", async () => {
    expect(compileRules(await loadRuleRows(env.DB)).problems).toEqual([]);
  });
});

describe("rules at run time", () => {
  it("a broken contract is disabled with a reason while the gateway keeps selling", async () => {
    await sql(`UPDATE contracts SET protocol = '{"kind":"soap"}' WHERE id = 'ct_bravo'`);
    const health = await (await gateway("/admin/health", { headers: ADMIN })).json();
    expect(health).toMatchObject({ ok: true, contracts: 6, disabled_rules: 1 });
    expect(await (await postLead(demoLead())).json()).toMatchObject({ status: "sold", buyer: "Alpha Insurance" });
  });

  it("an admin's edit (a new floor, a paused buyer) applies to the next lead without a redeploy", async () => {
    await sql("UPDATE buyers SET status = 'paused' WHERE id = 'buy_bravo'");
    expect(await (await postLead(demoLead())).json()).toMatchObject({ buyer: "Alpha Insurance" });
    await sql("UPDATE campaigns SET floor_cents = 2500");
    expect(await (await postLead(demoLead())).json()).toMatchObject({ status: "unsold" });
  });

  it("a paused campaign is an unknown campaign", async () => {
    await sql("UPDATE campaigns SET status = 'paused'");
    expect((await postLead(demoLead())).status).toBe(404);
  });
});
