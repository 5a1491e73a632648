// The Worker's environment from one source: the bindings' types below and the vars' zod schema,
// from which both the `Env` type and the parsed `Config` are derived. Vars arrive as strings.
import * as z from "zod";
import { setLogLevel } from "./lib/log";
import type { BuyerWallet } from "./objects/buyer-wallet";
import type { CapLedger } from "./objects/cap-ledger";
import type { DedupeShard } from "./objects/dedupe-shard";
import type { LeadJournal } from "./objects/lead-journal";
import type { PingBook } from "./objects/ping-book";
import type { PingRelay } from "./objects/ping-relay";
import type { RateCounter } from "./objects/rate-counter";
import type { QueueTask, RetryMessage } from "./services/retry-queue";
import type { WebhookMessage } from "./services/webhook-queue";

interface Bindings {
  DB: D1Database;
  CAP_LEDGER: DurableObjectNamespace<CapLedger>;
  BUYER_WALLET: DurableObjectNamespace<BuyerWallet>;
  DEDUPE: DurableObjectNamespace<DedupeShard>;
  PING_RELAY: DurableObjectNamespace<PingRelay>;
  LEAD_JOURNAL: DurableObjectNamespace<LeadJournal>;
  PING_BOOK: DurableObjectNamespace<PingBook>;
  RATE_COUNTER: DurableObjectNamespace<RateCounter>;
  RETRY_QUEUE: Queue<RetryMessage | QueueTask>;
  /** Event webhooks' deliveries (src/queues/webhook-consumer.ts), a queue of their own. */
  WEBHOOK_QUEUE: Queue<WebhookMessage>;
}

/** An integer var; unset or blank means the default. */
const intVar = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? fallback : Number(v)))
    .pipe(z.number().int().nonnegative());

/** An enum var; unset or blank means the default. */
const enumVar = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? fallback : v))
    .pipe(z.enum(values));

export const VarsSchema = z.object({
  RULES_TTL_MS: intVar(5000),
  PING_TRANSPORT: enumVar(["direct", "relay"], "direct"),
  RELAY_POOL_SIZE: intVar(256).pipe(z.number().min(1)),
  EMULATE_CONNECTION_LIMIT: intVar(0),
  /** Milliseconds every D1 and Durable Object call waits first, as a distant primary would (0 = off). */
  EMULATE_STORAGE_RTT_MS: intVar(0),
  /** "1": tally every storage call by binding, method and object (benchmarks: /admin/meter). */
  METER_STORAGE: z
    .string()
    .optional()
    .transform((v) => v === "1"),
  MAX_BODY_BYTES: intVar(32_768),
  /** Lead submissions one isolate works on at once; past it, 503 `overloaded` at once (0 = no limit). */
  MAX_INFLIGHT_LEADS: intVar(256),
  DEDUPE_SHARDS: intVar(64).pipe(z.number().min(1)),
  LOG_LEVEL: enumVar(["info", "warn", "error"], "info"),
  /** Bearer token for /admin routes; admin routes answer 404 when unset. It also signs console sessions. */
  ADMIN_TOKEN: z.string().optional(),
  /**
   * Named admin tokens, JSON `{"alice": "<32+ characters>", …}`: each person their own token, so the
   * audit trail names who changed the rules. Names: letters, digits, _ and -.
   */
  ADMIN_TOKENS: z.string().optional(),
  /**
   * Cloudflare Access in front of /admin and /console: the team domain (https://<team>.cloudflareaccess.com)
   * and the application's AUD tag. Both set: a valid Access JWT (Cf-Access-Jwt-Assertion) is an admin,
   * named by its email.
   */
  ACCESS_TEAM_DOMAIN: z.string().optional(),
  ACCESS_AUD: z.string().optional(),
  /**
   * Cloudflare Turnstile: the secret key for sources without their own, and the siteverify endpoint
   * (Cloudflare's by default; a local stub in tests and `npm start`). No secret: Turnstile sources
   * refuse every browser submission (fail closed).
   */
  TURNSTILE_SECRET_KEY: z.string().optional(),
  TURNSTILE_SITEVERIFY_URL: z.string().url().default("https://challenges.cloudflare.com/turnstile/v0/siteverify"),
  /**
   * TrustedForm's Certificate API (v4: match, verify, retain before posting, per campaign) and its
   * key. The key is only ever sent to https://cert.trustedform.com, or to a stub on 127.0.0.1 or
   * localhost over http (tests, `npm start`); any other URL makes the check fail, sending nothing.
   * A campaign with TrustedForm on and no key configured rejects its leads' checks (fail closed).
   */
  TRUSTEDFORM_API_URL: z.string().url().default("https://cert.trustedform.com"),
  TRUSTEDFORM_API_KEY: z.string().optional(),
  /**
   * Jornaya's Authenticate API (is a LeadiD token real?) and the account code (`lac`) it is asked
   * with; the same host rule as TrustedForm (https://api.leadid.com, or http to a loopback stub).
   * A campaign with Jornaya on and no account code rejects its leads' checks (fail closed).
   */
  JORNAYA_API_URL: z.string().url().default("https://api.leadid.com"),
  JORNAYA_ACCOUNT_CODE: z.string().optional(),
  /**
   * Stripe's webhook signing secret (whsec_…): top-ups arrive at POST /v1/billing/stripe, verified
   * with it. Unset: that route refuses every event (503) and nothing is credited.
   */
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  /**
   * The scrub vendors (campaigns.scrubs, src/services/scrub-vendors.ts): each credential goes only to
   * its vendor's https origin, or to a stub on loopback (tests, `npm start`); without it, a campaign
   * that asks for the scrub rejects its leads' checks (fail closed). The generic validator's URL is
   * the operator's (https, or a loopback stub).
   */
  TCPA_LITIGATOR_API_URL: z.string().url().default("https://api.tcpalitigatorlist.com"),
  TCPA_LITIGATOR_USERNAME: z.string().optional(),
  TCPA_LITIGATOR_PASSWORD: z.string().optional(),
  DNCSCRUB_API_URL: z.string().url().default("https://dataapi.dncscrub.com"),
  DNCSCRUB_LOGIN_ID: z.string().optional(),
  BLACKLIST_ALLIANCE_API_URL: z.string().url().default("https://api.blacklistalliance.net"),
  BLACKLIST_ALLIANCE_KEY: z.string().optional(),
  VALIDATOR_API_URL: z.string().url().optional(),
  VALIDATOR_API_KEY: z.string().optional(),
  /** How long one webhook delivery may take (headers and a failed answer's excerpt) before it counts as a timeout. */
  WEBHOOK_TIMEOUT_MS: intVar(10_000).pipe(z.number().min(1).max(30_000)),
  /** Secret key of the consumer fingerprints (src/lead/fingerprints.ts); 32+ random characters. */
  FINGERPRINT_PEPPER: z.string().optional(),
  /**
   * "production" (the default, and wrangler.toml's) refuses to run without FINGERPRINT_PEPPER;
   * "development" (npm start, tests, benchmarks) may run with unpeppered fingerprints.
   */
  LEADGATE_ENV: enumVar(["production", "development"], "production"),
});

export type Env = Bindings & z.input<typeof VarsSchema>;
export type Config = z.output<typeof VarsSchema>;

let cached: { env: Env; config: Config } | undefined;

/** Parsed configuration; a bad var fails loudly at the first request rather than misbehaving. */
export function configOf(env: Env): Config {
  if (cached?.env === env) return cached.config;
  const config = VarsSchema.parse(env);
  setLogLevel(config.LOG_LEVEL);
  cached = { env, config };
  return config;
}
