// The Worker: HTTP through Hono, the retry and webhook queues with their dead-letter queues, the cron
// (sweeper, circuit breakers, quality scores, resales, retention, lost webhook deliveries, rule changes
// made outside the API), and the Durable Object classes.
import type { Env } from "./env";
import { app } from "./http/app";
import { handleDeadLetterBatch } from "./queues/dead-letter-consumer";
import { handleRetryBatch } from "./queues/retry-consumer";
import { handleWebhookBatch, handleWebhookDeadLetters } from "./queues/webhook-consumer";
import { sweepWebhooks } from "./queues/webhook-sweep";
import { evaluateBreakers } from "./queues/breakers";
import { computeQuality } from "./queues/quality";
import { runResales } from "./queues/resales";
import { runRetention } from "./queues/retention";
import { sweepStuckLeads } from "./queues/sweeper";
import { announceOutsideChanges } from "./pipeline/rule-changes";
import { scopeOf } from "./services";

export { BuyerWallet } from "./objects/buyer-wallet";
export { CapLedger } from "./objects/cap-ledger";
export { DedupeShard } from "./objects/dedupe-shard";
export { LeadJournal } from "./objects/lead-journal";
export { PingBook } from "./objects/ping-book";
export { PingRelay } from "./objects/ping-relay";
export { RateCounter } from "./objects/rate-counter";

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
    const webhooks = batch.queue.startsWith("leadgate-webhooks");
    if (webhooks && batch.queue.endsWith("-dlq")) await handleWebhookDeadLetters(batch, env);
    else if (webhooks) await handleWebhookBatch(batch, env, ctx);
    else if (batch.queue.endsWith("-dlq")) await handleDeadLetterBatch(batch, env, ctx);
    else await handleRetryBatch(batch, env, ctx);
  },
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    const scope = scopeOf(env, undefined, (p) => ctx.waitUntil(p));
    ctx.waitUntil(sweepStuckLeads(scope.services));
    ctx.waitUntil(sweepWebhooks(scope.services));
    ctx.waitUntil(
      scope
        .rules()
        .then((rules) =>
          Promise.all([
            evaluateBreakers(scope.services.records, [...rules.contractsById.values()], Date.now(), scope.services.events),
            computeQuality(scope.services.records, rules),
            runResales(scope.services, rules),
          ]),
        ),
    );
    ctx.waitUntil(runRetention(scope.services.records));
    ctx.waitUntil(announceOutsideChanges(scope.services));
  },
} satisfies ExportedHandler<Env>;
