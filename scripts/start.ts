// npm start [-- --reset] — the gateway on loopback with demo config and demo buyers:
//   1. demo buyers (mock HTTP endpoints; Turnstile's siteverify, TrustedForm's Certificate API and
//      Jornaya's Authenticate stubbed) on 127.0.0.1:8790
//   2. local D1 (kept between runs in .wrangler/): migrations applied; the demo rules are loaded when
//      the rule tables are empty, or with --reset, which first removes all local state (D1 and the
//      Durable Objects': records, rollups, returns, experiments, the audit trail, caps, dedupe)
//   3. the demo landing page (a plain HTML form) on the demo source's origin, localhost:8080
//   4. wrangler dev on 127.0.0.1:8787 with local D1, Durable Objects and Queues, and a local admin token
import { writeFileSync } from "node:fs";
import { serveLanding } from "../demo/landing";
import path from "node:path";
import { MockBuyers } from "../demo/mock-buyers";
import { DEMO_ANY_BUYER, DEMO_API_KEY, DEMO_BUYER_BEHAVIOURS, DEMO_ORIGIN, DEMO_PUBLISHABLE_KEY, demoSeedStatements } from "../demo/seed";
import { SCRUB_CREDENTIALS } from "../demo/scrub-stubs";
import { TURNSTILE_DUMMY_TOKEN, TURNSTILE_PASS } from "../demo/turnstile-stub";
import { resetLocalState } from "./lib/local-state";
import { ROOT, spawnWrangler, wranglerOrDie } from "./wrangler";

const BUYERS_PORT = Number(process.env.BUYERS_PORT ?? 8790);
const GATEWAY_PORT = Number(process.env.PORT ?? 8787);
const LANDING_PORT = Number(new URL(DEMO_ORIGIN).port);
/** Local only: the admin token for /admin and /console (set LEADGATE_ADMIN_TOKEN to choose another). */
const ADMIN_TOKEN = process.env.LEADGATE_ADMIN_TOKEN ?? "local-admin-token-change-me-0123456789";
const reset = process.argv.includes("--reset");

const buyers = new MockBuyers(DEMO_BUYER_BEHAVIOURS, { fallback: DEMO_ANY_BUYER });
await buyers.listen(BUYERS_PORT);
console.log(
  `demo buyers listening on http://127.0.0.1:${BUYERS_PORT} (alpha, bravo, charlie, delta, echo, foxtrot, golf; any other name bids $${DEMO_ANY_BUYER.bid}, or ?bid=<dollars>)`,
);

// A reset starts everything the console shows over, the Durable Objects' state included (a cap
// ledger or a dedupe shard that outlived its records would contradict them).
if (reset) resetLocalState(ROOT);
wranglerOrDie(["d1", "migrations", "apply", "DB", "--local"]);
const count = (table: string) => {
  const out = JSON.parse(
    wranglerOrDie(["d1", "execute", "DB", "--local", "--json", "--command", `SELECT COUNT(*) AS n FROM ${table}`]),
  ) as { results: { n: number }[] }[];
  return out[0]?.results[0]?.n ?? 0;
};
if (reset || (count("campaigns") === 0 && count("sources") === 0)) {
  // Rules first, records with them on a reset: an admin's own edits survive an ordinary restart.
  const tables = [
    "lead_events",
    "posts",
    "pings",
    "seller_pings",
    "leads",
    "contract_health",
    "breaker_events",
    "contracts",
    "buyers",
    "sources",
    "campaigns",
  ];
  const seedFile = path.join(ROOT, ".wrangler", "demo-seed.sql");
  writeFileSync(seedFile, [...tables.map((t) => `DELETE FROM ${t};`), ...demoSeedStatements(`http://127.0.0.1:${BUYERS_PORT}`)].join("\n"));
  wranglerOrDie(["d1", "execute", "DB", "--local", "--file", seedFile]);
  console.log(
    `local D1: migrations applied, demo rules loaded${reset ? " (--reset: local state removed: rules, leads, rollups, returns, experiments, the audit trail and the Durable Objects' state)" : ""}`,
  );
} else {
  console.log("local D1: migrations applied; your rules and records are kept (npm start -- --reset reloads the demo)");
}

const landing = await serveLanding(LANDING_PORT, `http://127.0.0.1:${GATEWAY_PORT}`);

// Turnstile in test mode: the demo buyers' server also stubs siteverify, with Cloudflare's always-pass
// dummy secret, so the demo form's dummy token passes and a missing one is refused. TrustedForm and
// Jornaya point at its stubs too, so a campaign with those checks on works offline.
const dev = spawnWrangler([
  "dev",
  "--ip",
  "127.0.0.1",
  "--port",
  String(GATEWAY_PORT),
  "--show-interactive-dev-session=false",
  "--var",
  `TURNSTILE_SECRET_KEY:${TURNSTILE_PASS}`,
  "--var",
  `TURNSTILE_SITEVERIFY_URL:http://127.0.0.1:${BUYERS_PORT}/turnstile/v0/siteverify`,
  "--var",
  `ADMIN_TOKEN:${ADMIN_TOKEN}`,
  "--var",
  `TRUSTEDFORM_API_URL:http://127.0.0.1:${BUYERS_PORT}/trustedform`,
  "--var",
  "TRUSTEDFORM_API_KEY:demo-trustedform-key",
  "--var",
  `JORNAYA_API_URL:http://127.0.0.1:${BUYERS_PORT}/leadid`,
  "--var",
  "JORNAYA_ACCOUNT_CODE:demo-jornaya-account-code",
  // Stripe's webhook secret for local top-ups: sign test events with it (docs/ADMIN.md, Billing).
  "--var",
  `STRIPE_WEBHOOK_SECRET:${process.env.STRIPE_WEBHOOK_SECRET ?? "whsec_local_demo_secret"}`,
  // The scrub vendors' stubs (demo/scrub-stubs.ts) and the credentials they take.
  ...Object.entries({
    TCPA_LITIGATOR_API_URL: `http://127.0.0.1:${BUYERS_PORT}/tcpa`,
    TCPA_LITIGATOR_USERNAME: SCRUB_CREDENTIALS.tcpaUser,
    TCPA_LITIGATOR_PASSWORD: SCRUB_CREDENTIALS.tcpaPass,
    DNCSCRUB_API_URL: `http://127.0.0.1:${BUYERS_PORT}/dncscrub`,
    DNCSCRUB_LOGIN_ID: SCRUB_CREDENTIALS.dncscrubLoginId,
    BLACKLIST_ALLIANCE_API_URL: `http://127.0.0.1:${BUYERS_PORT}/blacklist`,
    BLACKLIST_ALLIANCE_KEY: SCRUB_CREDENTIALS.blacklistKey,
    VALIDATOR_API_URL: `http://127.0.0.1:${BUYERS_PORT}/validator/validate`,
    VALIDATOR_API_KEY: SCRUB_CREDENTIALS.validatorKey,
  }).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  // A local run: unpeppered fingerprints are allowed (production refuses them: src/http/guard.ts).
  "--var",
  "LEADGATE_ENV:development",
]);
dev.stdout?.on("data", (d: Buffer) => process.stdout.write(d));
dev.stderr?.on("data", (d: Buffer) => process.stderr.write(d));

const base = `http://127.0.0.1:${GATEWAY_PORT}`;
for (let i = 0; i < 240; i++) {
  try {
    if ((await fetch(`${base}/health`)).ok) break;
  } catch {
    // not up yet
  }
  await new Promise((r) => setTimeout(r, 500));
}
console.log(`
leadgate is up on ${base}.

  demo landing page (a plain HTML form):  ${DEMO_ORIGIN}/
  console:                                ${base}/console   (admin token: ${ADMIN_TOKEN})
  demo keys:                              server API key ${DEMO_API_KEY}, publishable key ${DEMO_PUBLISHABLE_KEY}

Post a demo lead:

curl -s ${base}/v1/leads -H 'content-type: application/json' -H 'x-api-key: ${DEMO_API_KEY}' \\
  -d '{"campaign":"auto-insurance","first_name":"Pat","last_name":"Doe","email":"pat@example.com",
       "phone":"(415) 555-2671","zip":"94107","state":"CA","dob":"1980-05-17","homeowner":true,
       "vehicle_year":2018,"credit":"good"}'

Or as the demo's browser form would (publishable key, allowed Origin, Turnstile's test token):

curl -s ${base}/v1/leads -H 'origin: ${DEMO_ORIGIN}' -H 'x-publishable-key: ${DEMO_PUBLISHABLE_KEY}' \\
  -d campaign=auto-insurance -d first_name=Sam -d last_name=Roe -d email=sam@example.com \\
  -d phone=4155552672 -d zip=94107 -d state=CA -d dob=1985-01-02 -d homeowner=true \\
  -d vehicle_year=2019 -d credit=good -d cf-turnstile-response=${TURNSTILE_DUMMY_TOKEN}

Ctrl-C stops the gateway and the demo buyers.`);

const stop = async () => {
  dev.kill("SIGINT");
  landing.close();
  await buyers.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
dev.on("exit", (code) => {
  void buyers.close().then(() => process.exit(code ?? 0));
});
