// `npm run build`: the deployable bundle (wrangler deploy --dry-run) into dist/, its size, and a
// failure when it grows past the budget (Workers start faster with smaller bundles).
import { statSync } from "node:fs";
import path from "node:path";
import { ROOT, wranglerOrDie } from "./wrangler";

// 2 MiB before gzip: a smaller script starts faster on a cold isolate (Workers allow 3 MiB gzipped on
// the free plan, 10 on paid). Raised from 1.0 MiB for RE2 (linear-time regexes for admins' patterns,
// 0.15 MiB) and Stripe's webhook verification, then from 1.5 MiB when billing, resale, price rules and
// scrubs, webhooks and exports, and the rules editor landed together (1.51 MiB).
const BUDGET_BYTES = 2 * 1024 * 1024;

wranglerOrDie(["deploy", "--dry-run", "--outdir", "dist"]);
const bytes = statSync(path.join(ROOT, "dist", "index.js")).size;
const mib = (bytes / 1024 / 1024).toFixed(2);
if (bytes > BUDGET_BYTES) {
  console.error(`bundle: ${mib} MiB, over the ${(BUDGET_BYTES / 1024 / 1024).toFixed(2)} MiB budget`);
  process.exit(1);
}
console.log(`bundle: ${mib} MiB (budget ${(BUDGET_BYTES / 1024 / 1024).toFixed(2)} MiB)`);
