// The clients a request (or a queue batch) works with, built once from the bindings and the
// configuration. Business code receives these, never `env`.
import { buyersClient, type Buyers } from "../buyers/client";
import { dbOf } from "../db/client";
import { Records } from "../db/records";
import { configOf, type Config, type Env } from "../env";
import { getRules } from "../rules/cache";
import type { ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import { preSaleChecks, type PreSale } from "./presale";
import { fingerprintsForCampaign, type Fingerprint } from "../lead/fingerprints";
import type { Campaign, Rules } from "../rules/model";
import type { QueueTask, RetryMessage } from "./retry-queue";
import { BreakerGate } from "./breakers";
import { CapsClient } from "./caps";
import { DedupeClient } from "./dedupe";
import { JournalClient } from "./journal";
import { RateLimits } from "./limits";
import { Turnstile } from "./turnstile";
import { PingBookClient } from "./ping-book";
import { withStorageDistance, type StorageMeter } from "./distance";
import { Events } from "./events";

export interface Services {
  /** Storage calls counted while EMULATE_STORAGE_RTT_MS is on (see ./distance.ts). */
  storage: StorageMeter;
  caps: CapsClient;
  /** Circuit breakers: which contracts are paused, and this isolate's half-open probes. */
  breakers: BreakerGate;
  dedupe: DedupeClient;
  records: Records;
  /** The durable record of a lead's sales, written the moment a buyer accepts. */
  journal: JournalClient;
  /** Rate limits, counted per location. */
  limits: RateLimits;
  /** Cloudflare Turnstile's server-side check of a browser's token. */
  turnstile: Turnstile;
  /** Offers made to publishers that ping leadgate, held until their post. */
  pingBook: PingBookClient;
  buyers: Buyers;
  /** Events for the rest of the business: emitted after the records, delivered by the webhook queue. */
  events: Events;
  /** The consumer's fingerprints under a campaign's fields, keyed with the configured pepper. */
  fingerprints(campaign: Campaign, lead: LeadData): Promise<Fingerprint[]>;
  /** The campaign's pre-sale checks for a lead (TrustedForm, Jornaya, verification hooks); never rejects. */
  preSale(
    campaign: Campaign,
    leadId: string,
    lead: LeadData,
    consent: ConsentRecord | null,
    unique: Promise<boolean>,
    vendor: string,
  ): Promise<PreSale>;
  /** Hands a lead to the retry queue for another round after `delaySeconds`. */
  scheduleRetry(leadId: string, delaySeconds?: number): Promise<void>;
  /** Hands other work to the retry queue (an erasure's notices and follow-up). */
  enqueue(tasks: QueueTask[], delaySeconds?: number): Promise<void>;
}

/** Work that outlives the answer (ctx.waitUntil); without a context it just runs. */
export type Background = (p: Promise<unknown>) => void;
const floating: Background = (p) => void p.catch(() => {});

/**
 * `location`: the colo that took the request, when known; relays are pooled per location.
 * `background`: the invocation's waitUntil, for events emitted where nobody awaits them.
 */
export function createServices(
  env: Env,
  config: Config,
  storage: StorageMeter = { calls: 0 },
  location = "any",
  background: Background = floating,
): Services {
  const records = new Records(dbOf(env.DB));
  const events = new Events(records, env.WEBHOOK_QUEUE, config.RULES_TTL_MS, background);
  return {
    storage,
    caps: new CapsClient(env.CAP_LEDGER, events),
    breakers: new BreakerGate(env.CAP_LEDGER, events),
    dedupe: new DedupeClient(env.DEDUPE, config.DEDUPE_SHARDS),
    records,
    events,
    journal: new JournalClient(env.LEAD_JOURNAL, location),
    pingBook: new PingBookClient(env.PING_BOOK, location),
    limits: new RateLimits(env.RATE_COUNTER, location),
    turnstile: new Turnstile(config.TURNSTILE_SITEVERIFY_URL, config.TURNSTILE_SECRET_KEY ?? null),
    buyers: buyersClient(env, config, location),
    fingerprints: (campaign, lead) => fingerprintsForCampaign(campaign, lead, config.FINGERPRINT_PEPPER),
    preSale: (campaign, leadId, lead, consent, unique, vendor) =>
      preSaleChecks(
        { campaign, leadId, lead, consent, vendor },
        {
          trustedform: { url: config.TRUSTEDFORM_API_URL, key: config.TRUSTEDFORM_API_KEY ?? null },
          jornaya: { url: config.JORNAYA_API_URL, accountCode: config.JORNAYA_ACCOUNT_CODE ?? null },
        },
        unique,
      ),
    scheduleRetry: async (leadId: string, delaySeconds?: number) => {
      const msg: RetryMessage = { leadId };
      await env.RETRY_QUEUE.send(msg, delaySeconds === undefined ? undefined : { delaySeconds });
    },
    enqueue: async (tasks: QueueTask[], delaySeconds?: number) => {
      // A batch holds at most 100 messages.
      for (let i = 0; i < tasks.length; i += 100)
        await env.RETRY_QUEUE.sendBatch(
          tasks.slice(i, i + 100).map((body) => ({ body, ...(delaySeconds === undefined ? {} : { delaySeconds }) })),
        );
    },
  };
}

/** Everything a request, a queue batch or a cron run works with. */
export interface Scope {
  config: Config;
  services: Services;
  /** The isolate's cached rules (one D1 batch per RULES_TTL_MS at most). */
  rules(): Promise<Rules>;
}

export function scopeOf(env: Env, location?: string, background?: Background): Scope {
  const config = configOf(env);
  const storage: StorageMeter = { calls: 0 };
  const bound = withStorageDistance(env, config.EMULATE_STORAGE_RTT_MS, storage);
  return {
    config,
    services: createServices(bound, config, storage, location, background),
    rules: () => getRules(bound.DB, config.RULES_TTL_MS),
  };
}
