import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { demoSeedStatements } from "./demo/seed.ts";
import { SCRUB_CREDENTIALS } from "./demo/scrub-stubs.ts";
import { TURNSTILE_PASS } from "./demo/turnstile-stub.ts";

// Three projects. "workers": every suite that runs the Worker, inside workerd with the real migrations
// applied; mock buyers are real HTTP servers on loopback, started once by the global setup, whose
// base URL reaches the tests as BUYERS_URL. "node": checks that need Node itself (the OpenAPI
// validator reads its meta-schemas from disk); "browser": Chromium through the demo and the console.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      // Worker logs of passing tests are noise; a failing test still shows them.
      silent: "passed-only" as const,
      reporters: ["default", "./test/support/summary-reporter.ts"],
      projects: [
        {
          plugins: [
            cloudflareTest(async ({ inject }) => {
              const buyersUrl = inject<string>("buyersUrl");
              return {
                wrangler: { configPath: "./wrangler.toml" },
                miniflare: {
                  bindings: {
                    TEST_MIGRATIONS: migrations,
                    TEST_SEED: demoSeedStatements(buyersUrl),
                    BUYERS_URL: buyersUrl,
                    RULES_TTL_MS: "0",
                    LEADGATE_ENV: "development",
                    ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
                    // Stripe's webhook secret: tests sign events with it the way Stripe does.
                    STRIPE_WEBHOOK_SECRET: "whsec_test_secret_0123456789",
                    // Turnstile in test mode: the mock buyers' siteverify stub, Cloudflare's always-pass dummy secret.
                    TURNSTILE_SECRET_KEY: TURNSTILE_PASS,
                    TURNSTILE_SITEVERIFY_URL: `${buyersUrl}/turnstile/v0/siteverify`,
                    // TrustedForm's Certificate API and Jornaya's Authenticate: the mock buyers' stubs
                    // (demo/trustedform-stub.ts, demo/jornaya-stub.ts), on loopback as the host rule allows.
                    TRUSTEDFORM_API_URL: `${buyersUrl}/trustedform`,
                    TRUSTEDFORM_API_KEY: "test-trustedform-key",
                    JORNAYA_API_URL: `${buyersUrl}/leadid`,
                    JORNAYA_ACCOUNT_CODE: "test-jornaya-account-code",
                    // The scrub vendors: the mock buyers' stubs (demo/scrub-stubs.ts), with the credentials they take.
                    TCPA_LITIGATOR_API_URL: `${buyersUrl}/tcpa`,
                    TCPA_LITIGATOR_USERNAME: SCRUB_CREDENTIALS.tcpaUser,
                    TCPA_LITIGATOR_PASSWORD: SCRUB_CREDENTIALS.tcpaPass,
                    DNCSCRUB_API_URL: `${buyersUrl}/dncscrub`,
                    DNCSCRUB_LOGIN_ID: SCRUB_CREDENTIALS.dncscrubLoginId,
                    BLACKLIST_ALLIANCE_API_URL: `${buyersUrl}/blacklist`,
                    BLACKLIST_ALLIANCE_KEY: SCRUB_CREDENTIALS.blacklistKey,
                    VALIDATOR_API_URL: `${buyersUrl}/validator/validate`,
                    VALIDATOR_API_KEY: SCRUB_CREDENTIALS.validatorKey,
                  },
                },
              };
            }),
          ],
          test: {
            name: "workers",
            globalSetup: ["./test/support/global-setup.ts"],
            setupFiles: ["./test/support/apply-migrations.ts"],
            include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
            testTimeout: 20_000,
          },
        },
        {
          test: { name: "node", environment: "node", include: ["test/node/**/*.test.ts", "test/tools/**/*.test.ts"] },
        },
        {
          // A real browser (Chromium from the OS, playwright-core) against `wrangler dev`: the demo
          // form and the console, as a person uses them.
          test: {
            name: "browser",
            environment: "node",
            include: ["test/browser/**/*.test.ts"],
            testTimeout: 120_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
