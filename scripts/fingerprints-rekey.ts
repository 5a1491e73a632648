// npm run fingerprints:rekey [-- --remote] — turns stored plain fingerprints (SHA-256 of "kind:value")
// into peppered ones (HMAC-SHA256 with FINGERPRINT_PEPPER over that SHA-256), the form the gateway
// computes once FINGERPRINT_PEPPER is set: the suppression list and the leads' phone and email
// hashes. The phone numbers are never needed. Run it once, right after setting the secret with
// `wrangler secret put FINGERPRINT_PEPPER` (the same value must be in this shell's environment);
// a marker in the `settings` table makes a second run refuse.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { rekeyStatements } from "./lib/rekey";
import { ROOT, wranglerOrDie } from "./wrangler";

const remote = process.argv.includes("--remote");
const where = remote ? "--remote" : "--local";
const pepper = process.env.FINGERPRINT_PEPPER ?? "";
if (pepper.length < 32) {
  console.error("set FINGERPRINT_PEPPER (32+ characters, the value given to `wrangler secret put FINGERPRINT_PEPPER`)");
  process.exit(2);
}

const query = <T>(sql: string): T[] => {
  const out = wranglerOrDie(["d1", "execute", "DB", where, "--json", "--command", sql]);
  return ((JSON.parse(out) as { results: T[] }[])[0]?.results ?? []) as T[];
};

if (query<{ value: string }>("SELECT value FROM settings WHERE key = 'fingerprints'")[0]?.value === "peppered") {
  console.error("fingerprints are already peppered; nothing to do");
  process.exit(1);
}
const suppressions = query<{ hash: string }>("SELECT hash FROM suppressions");
const leads = query<{ id: string; phone_hash: string | null; email_hash: string | null }>(
  "SELECT id, phone_hash, email_hash FROM leads WHERE phone_hash IS NOT NULL OR email_hash IS NOT NULL",
);
const statements = await rekeyStatements(pepper, suppressions, leads);
const file = path.join(ROOT, ".wrangler", "fingerprints-rekey.sql");
writeFileSync(file, statements.join("\n"));
wranglerOrDie(["d1", "execute", "DB", where, "--file", file]);
console.log(`re-keyed ${suppressions.length} suppression(s) and ${leads.length} lead(s) (${remote ? "remote" : "local"})`);
