// Shared helpers for the workerd suites: seeding, calling the worker, steering mock buyers.
import { env, exports } from "cloudflare:workers";
import { DEMO_API_KEY, type Behaviour, type ReceivedRequest } from "../../demo/constants";
import { invalidateRules } from "../../src/rules/cache";
import { forgetProbes } from "../../src/services/breakers";
import { settleReports } from "../../src/services/cap-reports";
import { forgetSubscriptions } from "../../src/services/events";
import { forgetCapSnapshot } from "../../src/services/caps";
import { forgetRefusals } from "../../src/services/limits";
import { forgetWallets } from "../../src/services/wallets";

const RULE_AND_RECORD_TABLES = [
  "lead_events",
  "posts",
  "pings",
  "seller_pings",
  "leads",
  "contracts",
  "buyers",
  "sources",
  "campaigns",
  "suppressions",
  "contract_health",
  "breaker_events",
  "returns",
  "feedback",
  "contract_quality",
  "experiments",
  "rollup_contracts",
  "rollup_reasons",
  "rollup_marks",
  "retention_runs",
  "console_sessions",
  "ledger_entries",
  "invoices",
  "billing_events",
  "stripe_events",
  "resales",
  "value_lists",
  "scrub_cache",
  "scrub_calls",
  "webhook_attempts",
  "webhook_deliveries",
  "webhook_events",
  "webhook_subscriptions",
  "data_exports",
  "rule_change_context",
];

/** Replaces rules and records with the demo configuration (plus optional extra SQL). */
/** The admin API's headers (the test admin token; JSON bodies unless a call says otherwise). */
export const ADMIN = { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json" };

export async function seedDemo(extra: string[] = []): Promise<void> {
  await env.DB.batch(RULE_AND_RECORD_TABLES.map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
  // The suites post far more than a real source per minute: the per-key limit stays on (checked on
  // every lead) but out of reach; tests of the limits set their own.
  const roomy = "UPDATE sources SET key_per_minute = 1000000, pings_per_minute = 1000000";
  await env.DB.batch([...env.TEST_SEED, roomy, ...extra].map((s) => env.DB.prepare(s)));
  // The seed's own rows are in the audit trail as outside changes: each test starts with an empty one.
  await env.DB.prepare("DELETE FROM rule_changes").run();
  invalidateRules();
  forgetCapSnapshot();
  forgetRefusals();
  // Each contract's post meter (in its CapLedger object) outlives a test: start it over too, once the
  // reports still on their way from the last test have landed (else a late verdict pauses a buyer).
  await settleReports();
  forgetWallets();
  // Each buyer's wallet object outlives a test too.
  const buyers = await env.DB.prepare("SELECT id FROM buyers").all<{ id: string }>();
  await Promise.all(buyers.results.map((b) => env.BUYER_WALLET.get(env.BUYER_WALLET.idFromName(b.id)).reset()));
  forgetSubscriptions();
  const contracts = await env.DB.prepare("SELECT id FROM contracts").all<{ id: string }>();
  await Promise.all(contracts.results.map((c) => env.CAP_LEDGER.get(env.CAP_LEDGER.idFromName(c.id)).resetPostMeter()));
  forgetProbes();
}

export async function sql(statement: string, ...params: unknown[]): Promise<void> {
  await env.DB.prepare(statement)
    .bind(...params)
    .run();
  invalidateRules();
}

export async function setBuyers(behaviours: Record<string, Behaviour>): Promise<void> {
  await fetch(`${env.BUYERS_URL}/control`, { method: "DELETE" });
  await Promise.all(
    Object.entries(behaviours).map(([name, b]) => fetch(`${env.BUYERS_URL}/control/${name}`, { method: "PUT", body: JSON.stringify(b) })),
  );
}

export async function received(name: string): Promise<ReceivedRequest[]> {
  return (await fetch(`${env.BUYERS_URL}/control/${name}/requests`)).json();
}

// A random start, then sequential: unique consumers within a run, and unlikely to meet another file's.
let counter = Math.floor(Math.random() * 6_000_000);
/** A valid demo lead for a consumer nobody has seen (unique phone and email). */
export function demoLead(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const n = counter++ % 7_000_000;
  const line = String(n % 10_000).padStart(4, "0");
  const exchange = 200 + Math.floor(n / 10_000);
  return {
    campaign: "auto-insurance",
    first_name: "Pat",
    last_name: "Doe",
    email: `pat.${n}@example.com`,
    phone: `(415) ${exchange} ${line}`,
    street: "1 Main St",
    zip: "94107",
    state: "CA",
    dob: "1980-05-17",
    homeowner: true,
    vehicle_year: 2018,
    credit: "good",
    ...overrides,
  };
}

export interface PostOptions {
  headers?: Record<string, string>;
  apiKey?: string | null;
}

export function postLead(body: Record<string, unknown>, opts: PostOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", ...opts.headers };
  const key = opts.apiKey === undefined ? DEMO_API_KEY : opts.apiKey;
  if (key) headers["x-api-key"] = key;
  return exports.default.fetch(new Request("http://gateway.test/v1/leads", { method: "POST", headers, body: JSON.stringify(body) }));
}

/** A binding with one method replaced, for fault injection; everything else is the real binding's. */
export function withMethod<T extends object>(binding: T, method: string, impl: (...args: never[]) => unknown): T {
  return new Proxy(binding, {
    get(target, prop) {
      if (prop === method) return impl;
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** A lead from the demo's server key, as a request for `worker.fetch` with an env of the test's own. */
export const leadRequest = (lead: Record<string, unknown> = demoLead()): Request =>
  new Request("http://gw/v1/leads", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": DEMO_API_KEY },
    body: JSON.stringify(lead),
  });

export function gateway(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`http://gateway.test${path}`, init));
}

/** Polls until `check` returns a value (records are written off the seller's wait). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function leadRow(id: string) {
  return env.DB.prepare(`SELECT * FROM leads WHERE id = ?`).bind(id).first<Record<string, unknown>>();
}

/** Waits until the lead has reached one of the given states, and returns its row. */
export function leadReaches(id: string, states: string[]) {
  return eventually(async () => {
    const row = await leadRow(id);
    return row && states.includes(String(row.status)) ? row : undefined;
  });
}

/** Leaves only these contracts active (the others paused). */
export const onlyContracts = (...ids: string[]) =>
  sql(`UPDATE contracts SET status = CASE WHEN id IN (${ids.map((i) => `'${i}'`).join(",")}) THEN 'active' ELSE 'paused' END`);

/** How many rows a query counts. */
export async function countOf(query: string, ...params: unknown[]): Promise<number> {
  return Number(
    (
      await env.DB.prepare(query)
        .bind(...params)
        .first<{ n: number }>()
    )?.n ?? 0,
  );
}

/**
 * Rate limits count over a sliding minute, which admits a little more right after a minute turns. A
 * test that counts to a limit starts well inside a minute, so its outcome does not depend on when it
 * runs (it waits at most a few seconds).
 */
export async function insideOneMinute(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
}
