import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll } from "vitest";

// Runs before every test file; applies only migrations not yet applied.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// A lead's answer can come before its background work ends (a duplicate's pings are still out and
// are recorded when they return). Let that finish before the file's runtime is torn down, or the
// teardown interrupts it mid-call.
afterAll(async () => {
  await new Promise((r) => setTimeout(r, 400));
});
