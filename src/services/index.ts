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
import { trustedformCheckIn, type CheckInOutcome } from "./trustedform";
import type { ScrubConfig } from "./scrub-vendors";
import { fingerprintsForCampaign, type Fingerprint } from "../lead/fingerprints";
import type { Campaign, Rules } from "../rules/model";
import type { QueueTask, RetryMessage } from "./retry-queue";
import { BreakerGate } from "./breakers";
import { CapsClient } from "./caps";
import { walletNotices } from "./billing-events";
import { WalletsClient } from "./wallets";
import { log } from "../lib/log";
import { DedupeClient } from "./dedupe";
import { JournalClient } from "./journal";
import { RateLimits } from "./limits";
import { Turnstile } from "./turnstile";
import { PingBookClient } from "./ping-book";
import { withStorageDistance, type StorageMeter } from "./distance";
import { withTally } from "./tally";
import { Events } from "./events";

export interface Services {
  /** Storage calls counted while EMULATE_STORAGE_RTT_MS is on (see ./distance.ts). */
  storage: StorageMeter;
  caps: CapsClient;
  /** Billed buyers' wallets: blocks of money leased to the isolate, reservations, credits. */
  wallets: WalletsClient;
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
  /** The campaign's pre-sale checks for a lead (TrustedForm, Jornaya, hooks, scrubs); never rejects. */
  preSale(
    campaign: Campaign,
    leadId: string,
    lead: LeadData,
    consent: ConsentRecord | null,
    unique: Promise<boolean>,
    vendor: string,
    fingerprints: Fingerprint[],
  ): Promise<PreSale>;
  /** Extends a TrustedForm certificate to 90 days for a resale (check-in); never rejects. */
  certCheckIn(certUrl: string | undefined): Promise<{ outcome: CheckInOutcome; detail: string | null }>;
  /** Hands a lead to the retry queue for another round after `delaySeconds`. */
  scheduleRetry(leadId: string, delaySeconds?: number): Promise<void>;
  /** Hands other work to the retry queue (an erasure's notices and follow-up). */
  enqueue(tasks: QueueTask[], delaySeconds?: number): Promise<void>;
}

/** The scrub vendors' endpoints and credentials, from the configuration (never from the rules). */
const scrubConfig = (config: Config): ScrubConfig => ({
  tcpaLitigator: {
    url: config.TCPA_LITIGATOR_API_URL,
    username: config.TCPA_LITIGATOR_USERNAME ?? null,
    password: config.TCPA_LITIGATOR_PASSWORD ?? null,
  },
  dncscrub: { url: config.DNCSCRUB_API_URL, loginId: config.DNCSCRUB_LOGIN_ID ?? null },
  blacklistAlliance: { url: config.BLACKLIST_ALLIANCE_API_URL, key: config.BLACKLIST_ALLIANCE_KEY ?? null },
  validator: { url: config.VALIDATOR_API_URL ?? null, key: config.VALIDATOR_API_KEY ?? null },
});

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
    wallets: new WalletsClient(env.BUYER_WALLET, (buyerId, notices) =>
      notices.length === 0
        ? Promise.resolve()
        : walletNotices({ records, events }, buyerId, notices).catch((err: Error) =>
            log("billing_event_failed", { buyer_id: buyerId, error: err.message.slice(0, 200) }, "error"),
          ),
    ),
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
    preSale: (campaign, leadId, lead, consent, unique, vendor, fingerprints) =>
      preSaleChecks(
        { campaign, leadId, lead, consent, vendor, fingerprints },
        {
          trustedform: { url: config.TRUSTEDFORM_API_URL, key: config.TRUSTEDFORM_API_KEY ?? null },
          jornaya: { url: config.JORNAYA_API_URL, accountCode: config.JORNAYA_ACCOUNT_CODE ?? null },
          scrubs: scrubConfig(config),
          scrubStore: records.scrubs,
          now: Date.now(),
        },
        unique,
      ),
    certCheckIn: (certUrl) => trustedformCheckIn(certUrl, { url: config.TRUSTEDFORM_API_URL, key: config.TRUSTEDFORM_API_KEY ?? null }),
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
  const bound = withStorageDistance(withTally(env, config.METER_STORAGE), config.EMULATE_STORAGE_RTT_MS, storage);
  return {
    config,
    services: createServices(bound, config, storage, location, background),
    rules: () => getRules(bound.DB, config.RULES_TTL_MS),
  };
}
