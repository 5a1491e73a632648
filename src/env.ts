// The Worker's environment from one source: the bindings' types below and the vars' zod schema,
// from which both the `Env` type and the parsed `Config` are derived. Vars arrive as strings.
import * as z from "zod";
import { setLogLevel } from "./lib/log";
import type { CapLedger } from "./objects/cap-ledger";
import type { DedupeShard } from "./objects/dedupe-shard";
import type { LeadJournal } from "./objects/lead-journal";
import type { PingBook } from "./objects/ping-book";
import type { PingRelay } from "./objects/ping-relay";
import type { RateCounter } from "./objects/rate-counter";
import type { QueueTask, RetryMessage } from "./services/retry-queue";

interface Bindings {
  DB: D1Database;
  CAP_LEDGER: DurableObjectNamespace<CapLedger>;
  DEDUPE: DurableObjectNamespace<DedupeShard>;
  PING_RELAY: DurableObjectNamespace<PingRelay>;
  LEAD_JOURNAL: DurableObjectNamespace<LeadJournal>;
  PING_BOOK: DurableObjectNamespace<PingBook>;
  RATE_COUNTER: DurableObjectNamespace<RateCounter>;
  RETRY_QUEUE: Queue<RetryMessage | QueueTask>;
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
  MAX_BODY_BYTES: intVar(32_768),
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
