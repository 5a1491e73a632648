// npm run rules:export [-- --since <audit entry id>] [-- --remote] [-- --out <file>] — the current rules
// (or the changes recorded after an audit entry) as a migration file, so a team that reviews changes
// in git keeps doing so: by default a new migration (drizzle-kit's custom migration, so the numbering
// stays in step), reviewed, committed and applied like any other. Secrets are never exported.
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { exportChanges, exportRules, type RawChange, type RawRow } from "./lib/rules-export";
import { RULE_TABLES } from "../src/rules/fields";
import { ROOT, wranglerOrDie } from "./wrangler";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const remote = args.includes("--remote");
const since = flag("--since");
const where = remote ? "the remote database" : "the local database";

function query<T>(sql: string): T[] {
  const out = wranglerOrDie(["d1", "execute", "DB", remote ? "--remote" : "--local", "--json", "--command", sql]);
  return (JSON.parse(out) as { results: T[] }[])[0]?.results ?? [];
}

let sql: string;
if (since !== undefined) {
  const id = Number(since);
  if (!Number.isInteger(id) || id < 0) throw new Error("--since takes an audit entry id (GET /admin/audit)");
  sql = exportChanges(query<RawChange>(`SELECT * FROM rule_changes WHERE id > ${id} ORDER BY id`), id, where);
} else {
  const tables = Object.fromEntries(RULE_TABLES.map((t) => [t, query<RawRow>(`SELECT * FROM ${t} ORDER BY id`)]));
  sql = exportRules(tables, where);
}

const out = flag("--out");
if (out) {
  writeFileSync(path.resolve(out), sql);
  console.log(`rules written to ${out}`);
} else {
  const migrations = path.join(ROOT, "migrations");
  const before = new Set(readdirSync(migrations));
  const name = since !== undefined ? `rules_changes_since_${since}` : "rules_export";
  const r = spawnSync(path.join(ROOT, "node_modules", ".bin", "drizzle-kit"), ["generate", "--custom", "--name", name], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const created = readdirSync(migrations).find((f) => f.endsWith(".sql") && !before.has(f));
  if (!created) throw new Error("drizzle-kit made no migration");
  writeFileSync(path.join(migrations, created), sql);
  console.log(`rules written to migrations/${created}: review it, commit it, and apply it with npm run db:migrate:remote`);
}
