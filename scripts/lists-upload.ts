// npm run lists:upload -- <name> <file.csv> [--zip] [--header] [--remote] — creates or replaces a value
// list (filters' and price rules' `in_list`) from a CSV, read exactly as PUT /admin/lists/{name} reads
// it: the first column of each line. Writes through wrangler (a SQL file, so a long list fits).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ListNameSchema, readListUpload } from "../src/rules/lists";
import { wranglerOrDie } from "./wrangler";

const args = process.argv.slice(2);
const [name, file] = args.filter((a) => !a.startsWith("--"));
const remote = args.includes("--remote");
if (!name || !file || !ListNameSchema.safeParse(name).success) {
  console.error("usage: npm run lists:upload -- <name (snake_case)> <file.csv> [--zip] [--header] [--remote]");
  process.exit(2);
}
const kind = args.includes("--zip") ? "zip" : "text";
const upload = readListUpload(readFileSync(file, "utf8"), kind, args.includes("--header"));
if (upload.problems.length > 0 || upload.values.length === 0) {
  for (const p of upload.problems) console.error(`  line ${p.line}: ${p.message}`);
  console.error(upload.values.length === 0 ? "the list is empty" : "nothing was uploaded");
  process.exit(1);
}
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const dir = mkdtempSync(path.join(os.tmpdir(), "leadgate-list-"));
const sqlFile = path.join(dir, "list.sql");
writeFileSync(
  sqlFile,
  `INSERT INTO value_lists (name, kind, "values", count, updated_at) VALUES (${q(name)}, ${q(kind)}, ${q(JSON.stringify(upload.values))}, ${upload.values.length}, ${Date.now()})
   ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, "values" = excluded."values", count = excluded.count, updated_at = excluded.updated_at;\n`,
);
try {
  wranglerOrDie(["d1", "execute", "DB", remote ? "--remote" : "--local", "--file", sqlFile]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`list ${name} (${kind}): ${upload.values.length} values, ${remote ? "remote" : "local"}; gateways see it within RULES_TTL_MS`);
