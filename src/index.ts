// The Worker: HTTP through Hono, the retry and dead-letter queues, the cron sweeper, and the
// Durable Object classes.
import type { Env } from "./env";
import { app } from "./http/app";
import { handleDeadLetterBatch } from "./queues/dead-letter-consumer";
import { handleRetryBatch } from "./queues/retry-consumer";
import { sweepStuckLeads } from "./queues/sweeper";
import { scopeOf } from "./services";

export { CapLedger } from "./objects/cap-ledger";
export { DedupeShard } from "./objects/dedupe-shard";
export { LeadJournal } from "./objects/lead-journal";
export { PingBook } from "./objects/ping-book";
export { PingRelay } from "./objects/ping-relay";

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
    if (batch.queue.endsWith("-dlq")) await handleDeadLetterBatch(batch, env);
    else await handleRetryBatch(batch, env, ctx);
  },
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    ctx.waitUntil(sweepStuckLeads(scopeOf(env).services));
  },
} satisfies ExportedHandler<Env>;
