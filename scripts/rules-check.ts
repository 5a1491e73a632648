// npm run rules:check [-- --remote] — validates every rule in the D1 database with the same code the
// gateway uses (templates with their transforms and presets, price rules and the value lists they
// name, sample answers read with them), prints each problem with the row it is in, and exits 1 if
// there is any.
import type { Table } from "drizzle-orm";
import * as t from "../src/db/schema";
import { fromRaw } from "../src/db/raw";
import { compileRules } from "../src/rules/compile";
import { wranglerOrDie } from "./wrangler";

const remote = process.argv.includes("--remote");

function select<T extends Table>(table: T, name: string): T["$inferSelect"][] {
  const out = wranglerOrDie(["d1", "execute", "DB", remote ? "--remote" : "--local", "--json", "--command", `SELECT * FROM ${name}`]);
  const parsed = JSON.parse(out) as { results: Record<string, unknown>[] }[];
  return fromRaw(table, parsed[0]?.results ?? []);
}

const rows = {
  campaigns: select(t.campaigns, "campaigns"),
  sources: select(t.sources, "sources"),
  buyers: select(t.buyers, "buyers"),
  contracts: select(t.contracts, "contracts"),
  lists: select(t.valueLists, "value_lists"),
};
const rules = compileRules(rows);
const where = remote ? "remote" : "local";
for (const w of rules.warnings) console.warn(`warning: ${w.table} ${w.id} ${w.column}: ${w.message}`);
if (rules.problems.length === 0) {
  console.log(
    `rules OK (${where}): ${rules.campaignsById.size} active campaigns, ${rules.sourcesById.size} sources, ${rules.contractsById.size} active contracts`,
  );
  process.exit(0);
}
console.error(`${rules.problems.length} rule problem(s) in the ${where} database; these rows are disabled until fixed:`);
for (const p of rules.problems) console.error(`  ${p.table} ${p.id} ${p.column}: ${p.message}`);
process.exit(1);
