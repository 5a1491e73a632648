// npm start — the gateway on loopback with demo config and demo buyers:
//   1. demo buyers (mock HTTP endpoints) on 127.0.0.1:8790
//   2. local D1: migrations applied, demo rules loaded
//   3. wrangler dev on 127.0.0.1:8787 with local D1, Durable Objects and Queues
import { writeFileSync } from "node:fs";
import path from "node:path";
import { MockBuyers } from "../demo/mock-buyers";
import { DEMO_API_KEY, DEMO_BUYER_BEHAVIOURS, DEMO_ORIGIN, DEMO_PUBLISHABLE_KEY, demoSeedStatements } from "../demo/seed";
import { TURNSTILE_DUMMY_TOKEN, TURNSTILE_PASS } from "../demo/turnstile-stub";
import { ROOT, spawnWrangler, wranglerOrDie } from "./wrangler";

const BUYERS_PORT = Number(process.env.BUYERS_PORT ?? 8790);
const GATEWAY_PORT = Number(process.env.PORT ?? 8787);

const buyers = new MockBuyers(DEMO_BUYER_BEHAVIOURS);
await buyers.listen(BUYERS_PORT);
console.log(`demo buyers listening on http://127.0.0.1:${BUYERS_PORT} (alpha, bravo, charlie, delta, echo, foxtrot, golf)`);

wranglerOrDie(["d1", "migrations", "apply", "DB", "--local"]);
const tables = ["lead_events", "posts", "pings", "leads", "contracts", "buyers", "sources", "campaigns"];
const seedFile = path.join(ROOT, ".wrangler", "demo-seed.sql");
writeFileSync(seedFile, [...tables.map((t) => `DELETE FROM ${t};`), ...demoSeedStatements(`http://127.0.0.1:${BUYERS_PORT}`)].join("\n"));
wranglerOrDie(["d1", "execute", "DB", "--local", "--file", seedFile]);
console.log("local D1: migrations applied, demo rules loaded");

// Turnstile in test mode: the demo buyers' server also stubs siteverify, with Cloudflare's always-pass
// dummy secret, so the demo form's dummy token passes and a missing one is refused.
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
leadgate is up on ${base}. Post a demo lead:

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
  await buyers.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
dev.on("exit", (code) => {
  void buyers.close().then(() => process.exit(code ?? 0));
});
