// The Worker's bindings, typed in one place and checked once per isolate by zod (vars arrive as strings).
import { z } from "zod";
import { setLogLevel } from "./lib/log";
import type { CapLedger } from "./objects/cap-ledger";
import type { DedupeShard } from "./objects/dedupe-shard";
import type { PingRelay } from "./objects/ping-relay";
import type { RetryMessage } from "./queues/messages";

export interface Env {
  DB: D1Database;
  CAP_LEDGER: DurableObjectNamespace<CapLedger>;
  DEDUPE: DurableObjectNamespace<DedupeShard>;
  PING_RELAY: DurableObjectNamespace<PingRelay>;
  RETRY_QUEUE: Queue<RetryMessage>;
  RULES_TTL_MS?: string;
  PING_TRANSPORT?: string;
  RELAY_POOL_SIZE?: string;
  EMULATE_CONNECTION_LIMIT?: string;
  MAX_BODY_BYTES?: string;
  DEDUPE_SHARDS?: string;
  LOG_LEVEL?: string;
  /** Bearer token for /admin routes; admin routes answer 404 when unset. */
  ADMIN_TOKEN?: string;
}

const intVar = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? fallback : Number(v)))
    .pipe(z.number().int().nonnegative());

const ConfigSchema = z.object({
  RULES_TTL_MS: intVar(5000),
  PING_TRANSPORT: z.enum(["direct", "relay"]).default("direct"),
  RELAY_POOL_SIZE: intVar(256).pipe(z.number().min(1)),
  EMULATE_CONNECTION_LIMIT: intVar(0),
  MAX_BODY_BYTES: intVar(32_768),
  DEDUPE_SHARDS: intVar(64).pipe(z.number().min(1)),
  LOG_LEVEL: z.enum(["info", "warn", "error"]).default("info"),
});
export type Config = z.infer<typeof ConfigSchema>;

let cached: { env: Env; config: Config } | undefined;

/** Parsed configuration; a bad var fails loudly at the first request rather than misbehaving. */
export function configOf(env: Env): Config {
  if (cached?.env === env) return cached.config;
  const config = ConfigSchema.parse({
    RULES_TTL_MS: env.RULES_TTL_MS,
    PING_TRANSPORT: env.PING_TRANSPORT || undefined,
    RELAY_POOL_SIZE: env.RELAY_POOL_SIZE,
    EMULATE_CONNECTION_LIMIT: env.EMULATE_CONNECTION_LIMIT,
    MAX_BODY_BYTES: env.MAX_BODY_BYTES,
    DEDUPE_SHARDS: env.DEDUPE_SHARDS,
    LOG_LEVEL: env.LOG_LEVEL || undefined,
  });
  setLogLevel(config.LOG_LEVEL);
  cached = { env, config };
  return config;
}
