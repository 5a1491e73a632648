// npm run docs:errors — rewrites the error-code table in docs/API.md from src/lib/errors.ts (the
// test in test/tools/docs.test.ts fails until the two agree).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ERROR_CODES } from "../src/lib/errors";

const file = path.join(import.meta.dirname, "..", "docs", "API.md");
const doc = readFileSync(file, "utf8");
const head = "| code | meaning |\n|---|---|\n";
const start = doc.indexOf(head, doc.indexOf("### Error codes"));
if (start < 0) throw new Error("docs/API.md has no error-code table under ### Error codes");
const end = doc.indexOf("\n\n", start);
const rows = Object.entries(ERROR_CODES).map(([code, meaning]) => `| \`${code}\` | ${meaning} |`);
writeFileSync(file, doc.slice(0, start) + head + rows.join("\n") + doc.slice(end));
console.log(`docs/API.md: ${rows.length} error codes`);
