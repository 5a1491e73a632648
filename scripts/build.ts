// `npm run build`: the deployable bundle (wrangler deploy --dry-run) into dist/, its size, and a
// failure when it grows past the budget (Workers start faster with smaller bundles).
import { statSync } from "node:fs";
import path from "node:path";
import { ROOT, wranglerOrDie } from "./wrangler";

const BUDGET_BYTES = 1024 * 1024; // 1.0 MiB before gzip

wranglerOrDie(["deploy", "--dry-run", "--outdir", "dist"]);
const bytes = statSync(path.join(ROOT, "dist", "index.js")).size;
const mib = (bytes / 1024 / 1024).toFixed(2);
if (bytes > BUDGET_BYTES) {
  console.error(`bundle: ${mib} MiB, over the 1.00 MiB budget`);
  process.exit(1);
}
console.log(`bundle: ${mib} MiB (budget 1.00 MiB)`);
