// The D1 data model. Rules (campaigns, sources, buyers, contracts, experiments, suppressions) are
// edited by admins through the rules API and the console's editor, or with migrations and `wrangler
// d1 execute`; every change to a rule row is recorded in `rule_changes` by triggers (src/db/audit-
// triggers.ts). Records (leads, pings, posts, lead_events) are written by the gateway. Money is integer cents; times are epoch milliseconds (UTC).
// JSON columns hold structured rules and are validated by the zod schemas in src/rules/schemas.ts
// on every read: a bad one disables only its own row.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const createdAt = () =>
  integer("created_at", { mode: "number" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const campaigns = sqliteTable("campaigns", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  status: text("status", { enum: ["active", "paused"] })
    .notNull()
    .default("active"),
  /** JSON: FieldDef[] — the lead fields this campaign accepts. */
  fields: text("fields").notNull(),
  mode: text("mode", { enum: ["auction", "waterfall"] })
    .notNull()
    .default("auction"),
  /** Overall deadline for the ping phase. */
  pingTimeoutMs: integer("ping_timeout_ms").notNull().default(800),
  floorCents: integer("floor_cents").notNull().default(0),
  exclusive: integer("exclusive", { mode: "boolean" }).notNull().default(true),
  /** Shared campaigns: how many distinct buyers may buy one lead. */
  maxBuyers: integer("max_buyers").notNull().default(1),
  /** Campaign-level duplicate window (same phone or email). 0 disables. */
  dedupeWindowS: integer("dedupe_window_s").notNull().default(2_592_000),
  /** Time allowed for the synchronous post cascade, from the first post. */
  postDeadlineMs: integer("post_deadline_ms").notNull().default(3000),
  /** Maximum buyers pinged for one lead (keeps within the per-invocation subrequest limit). */
  maxFanout: integer("max_fanout").notNull().default(100),
  requireConsent: integer("require_consent", { mode: "boolean" }).notNull().default(false),
  retryMaxAttempts: integer("retry_max_attempts").notNull().default(5),
  retryBaseDelayS: integer("retry_base_delay_s").notNull().default(30),
  /** How long after receipt a lead may still be sold by retries. */
  saleWindowS: integer("sale_window_s").notNull().default(3600),
  /** A bid above this (cents) is recorded as `invalid` and ignored; null: no campaign-wide ceiling. */
  maxBidCents: integer("max_bid_cents"),
  /** Cost bound: pings this campaign may send per minute (per location); null: unbounded. */
  pingsPerMinute: integer("pings_per_minute"),
  /** Days after which a lead's personal fields are redacted (the record stays); null: kept. */
  retentionDays: integer("retention_days").default(1095),
  /** The oldest a consent timestamp may be at submission, in seconds; null: any age. */
  consentMaxAgeS: integer("consent_max_age_s").default(86_400),
  /** One-to-one consent: only buyers the consumer named in `consent_sellers` may buy the lead. */
  oneToOne: integer("one_to_one", { mode: "boolean" }).notNull().default(false),
  /**
   * TrustedForm before posting (Certificate API v4, src/services/trustedform.ts): off; verify (match
   * the lead + verify the consent); claim (match + retain); claim_verify (match + retain + verify).
   */
  trustedform: text("trustedform", { enum: ["off", "verify", "claim", "claim_verify"] })
    .notNull()
    .default("off"),
  /** Jornaya before posting: off, or authenticate the lead's LeadiD token (src/services/jornaya.ts). */
  jornaya: text("jornaya", { enum: ["off", "authenticate"] })
    .notNull()
    .default("off"),
  /** What a token Jornaya does not authenticate (or a missing one) does: reject, continue or flag. */
  jornayaOnFail: text("jornaya_on_fail", { enum: ["reject", "continue", "flag"] })
    .notNull()
    .default("reject"),
  /** What a Jornaya timeout or error does: reject, continue or flag. */
  jornayaOnTimeout: text("jornaya_on_timeout", { enum: ["reject", "continue", "flag"] })
    .notNull()
    .default("continue"),
  /** JSON: PreSaleHook[] — verification hooks called before any post (src/services/presale.ts). */
  verifyHooks: text("verify_hooks").notNull().default("[]"),
  /**
   * JSON: Scrub[] (src/rules/scrubs.ts) — litigator and blacklist scrubs and phone/email validators
   * run with the pre-sale checks, their results cached per consumer fingerprint.
   */
  scrubs: text("scrubs").notNull().default("[]"),
  /** Rank by bid x the contract's quality score (src/auction/quality.ts) instead of the raw bid. */
  qualityWeighting: integer("quality_weighting", { mode: "boolean" }).notNull().default(false),
  /** The quality score's window (days) and weights (percent of each rate taken off the score). */
  qualityWindowDays: integer("quality_window_days").notNull().default(30),
  qualityReturnWeight: integer("quality_return_weight").notNull().default(100),
  qualityRejectWeight: integer("quality_reject_weight").notNull().default(25),
  qualityFailureWeight: integer("quality_failure_weight").notNull().default(25),
  qualityPositiveWeight: integer("quality_positive_weight").notNull().default(10),
  /**
   * Sell each lead exclusive or shared (up to `max_buyers`), whichever pays more (src/auction/by-value.ts).
   * Needs `exclusive = 0` and `max_buyers` >= 2: the campaign's leads may be shared, one may go to a single buyer.
   */
  sellByValue: integer("sell_by_value", { mode: "boolean" }).notNull().default(false),
  /** After an approved return, offer the lead again (after `resale_delay_s`) to buyers that never had it. */
  resellReturns: integer("resell_returns", { mode: "boolean" }).notNull().default(false),
  resaleDelayS: integer("resale_delay_s").notNull().default(3600),
  /** No resale (returned or aged) of a lead, or of a consent, older than this many days. */
  resaleMaxAgeDays: integer("resale_max_age_days").notNull().default(30),
  /** JSON: AgedTier[] — when unsold (and shared) leads are offered to aged-lead contracts, and each tier's floor. */
  agedTiers: text("aged_tiers").notNull().default("[]"),
  /** Which sold leads join the aged tiers too: none; shared (sold shared); all (exclusive ones too, from the first tier). */
  agedSold: text("aged_sold", { enum: ["none", "shared", "all"] })
    .notNull()
    .default("shared"),
  /** Bumped by every change (a trigger bumps it for SQL that does not): the rules API's compare-and-set. */
  version: integer("version").notNull().default(1),
  createdAt: createdAt(),
});

export const sources = sqliteTable("sources", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  status: text("status", { enum: ["active", "paused"] })
    .notNull()
    .default("active"),
  /** SHA-256 hex of the server API key (X-Api-Key). The key itself is never stored. */
  apiKeyHash: text("api_key_hash").unique(),
  /** A second API key (its SHA-256), active beside the first while a publisher rotates keys. */
  apiKeyHashNext: text("api_key_hash_next"),
  /**
   * SHA-256 hex of the source's reporting key: logs in to its console and reads GET
   * /v1/reports/summary (X-Report-Key), never posts a lead. How a browser-only source, whose
   * publishable key is public, sees its own leads.
   */
  reportKeyHash: text("report_key_hash").unique(),
  /** Publishable key for browser forms: public by design, only valid with an allowed Origin. */
  publishableKey: text("publishable_key").unique(),
  /** JSON: string[] of campaign slugs, or ["*"]. */
  allowedCampaigns: text("allowed_campaigns").notNull().default('["*"]'),
  /** JSON: string[] of exact origins (https://form.example.com). */
  allowedOrigins: text("allowed_origins").notNull().default("[]"),
  payoutType: text("payout_type", { enum: ["share", "fixed"] })
    .notNull()
    .default("share"),
  /** share: basis points of the sale price (7000 = 70%); fixed: cents per sold lead. */
  payoutValue: integer("payout_value").notNull().default(7000),
  successUrl: text("success_url"),
  failureUrl: text("failure_url"),
  postbackUrl: text("postback_url"),
  postbackSecret: text("postback_secret"),
  /** Browser submissions must carry a Cloudflare Turnstile token (on for new sources). */
  turnstile: integer("turnstile", { mode: "boolean" }).notNull().default(true),
  /** This source's Turnstile secret key; null: the gateway's TURNSTILE_SECRET_KEY. */
  turnstileSecret: text("turnstile_secret"),
  /** Browser submissions per client IP per minute; null: no limit. */
  ipPerMinute: integer("ip_per_minute").default(20),
  /** Submissions per minute under the source's key (publishable or API key); null: no limit. */
  keyPerMinute: integer("key_per_minute").default(600),
  /** Seller pings (POST /v1/pings) per minute; null: no limit. */
  pingsPerMinute: integer("pings_per_minute").default(600),
  /** Leads accepted per UTC day; null: no quota. */
  dailyLeadQuota: integer("daily_lead_quota"),
  /** An approved return takes back this source's payout (else the exchange absorbs it). */
  returnClawback: integer("return_clawback", { mode: "boolean" }).notNull().default(true),
  /** Bumped by every change (a trigger bumps it for SQL that does not): the rules API's compare-and-set. */
  version: integer("version").notNull().default(1),
  createdAt: createdAt(),
});

export const buyers = sqliteTable("buyers", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  status: text("status", { enum: ["active", "paused"] })
    .notNull()
    .default("active"),
  /** Buyer-level dedupe: never sell this buyer the same consumer twice within this window. */
  dedupeWindowS: integer("dedupe_window_s").notNull().default(2_592_000),
  /** "buyer": the window spans all the buyer's campaigns; "contract": each contract on its own. */
  dedupeScope: text("dedupe_scope", { enum: ["buyer", "contract"] })
    .notNull()
    .default("buyer"),
  /**
   * How the auction treats its money (docs/ADMIN.md, Billing): none (never checked), prepaid (the
   * balance must cover each price) or credit (what it owes may not pass credit_limit_cents).
   */
  billing: text("billing", { enum: ["none", "prepaid", "credit"] })
    .notNull()
    .default("none"),
  creditLimitCents: integer("credit_limit_cents").notNull().default(0),
  /** Crossing below this balance records a balance_low event; null: no threshold. */
  lowBalanceCents: integer("low_balance_cents"),
  /** Moved on by a trigger whenever billing or the credit limit changes: the wallet re-reads the ledger. */
  billingEpoch: integer("billing_epoch").notNull().default(0),
  /** When billing or the credit limit last changed (epoch ms; set by the same trigger). */
  billingSince: integer("billing_since").notNull().default(0),
  /** Bumped by every change (a trigger bumps it for SQL that does not): the rules API's compare-and-set. */
  version: integer("version").notNull().default(1),
  createdAt: createdAt(),
});

export const contracts = sqliteTable(
  "contracts",
  {
    id: text("id").primaryKey(),
    buyerId: text("buyer_id")
      .notNull()
      .references(() => buyers.id),
    campaignId: text("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    name: text("name").notNull(),
    status: text("status", { enum: ["active", "paused"] })
      .notNull()
      .default("active"),
    /** Paused by its buyer in the buyer's console (which may resume only these), not by an admin. */
    pausedByBuyer: integer("paused_by_buyer", { mode: "boolean" }).notNull().default(false),
    /** Null for fixed-price (direct post) contracts, which are never pinged. */
    pingUrl: text("ping_url"),
    postUrl: text("post_url").notNull(),
    /**
     * Where deletion notices go (a consumer this contract bought was erased: docs/BUYER_PROTOCOL.md);
     * null: the post URL for a native contract, none for a template one.
     */
    deletionUrl: text("deletion_url"),
    /** JSON: Protocol — "native", or request templates and response rules for ping and post. */
    protocol: text("protocol").notNull().default('{"kind":"native"}'),
    /** HMAC-SHA256 key for request signatures (posts, and pings unless ping_secret is set). */
    secret: text("secret").notNull(),
    /** A separate key for pings, if the buyer wants one. */
    pingSecret: text("ping_secret"),
    /**
     * During a rotation: the keys that replace `secret` and `ping_secret`. Requests then carry a
     * signature under each key, so the buyer can switch when it is ready.
     */
    secretNext: text("secret_next"),
    pingSecretNext: text("ping_secret_next"),
    /**
     * Also send the deprecated v1 signature (over timestamp and body only: no method, path or
     * direction), for a buyer whose verifier still reads it. Off unless the buyer asks.
     */
    signatureV1: integer("signature_v1", { mode: "boolean" }).notNull().default(false),
    /** JSON: headers sent with every request to this buyer (API keys): secrets, never echoed. */
    apiHeaders: text("api_headers").notNull().default("{}"),
    /** A sample of the buyer's answers: rules:check reads them with the protocol (a bid, an acceptance). */
    samplePingAnswer: text("sample_ping_answer"),
    samplePostAnswer: text("sample_post_answer"),
    timeoutMs: integer("timeout_ms").notNull().default(500),
    /**
     * How long one post to this buyer may take, within what is left of the campaign's post deadline:
     * a buyer whose CRM hangs costs one slot of the cascade, not the lead.
     */
    postTimeoutMs: integer("post_timeout_ms").notNull().default(2000),
    /** The least time the buyer needs to answer a ping: with less left in the auction, it is not pinged. */
    minPingMs: integer("min_ping_ms").notNull().default(0),
    pricing: text("pricing", { enum: ["dynamic", "fixed"] })
      .notNull()
      .default("dynamic"),
    fixedPriceCents: integer("fixed_price_cents"),
    minBidCents: integer("min_bid_cents").notNull().default(0),
    /** Effective bid = bid x adjust_bps / 10000 (10000 = 1.0), in integer arithmetic. */
    bidAdjustBps: integer("bid_adjust_bps").notNull().default(10_000),
    /** Higher wins ties on effective bid, and orders the waterfall. */
    priority: integer("priority").notNull().default(0),
    /** JSON: Filter[] — all must match. */
    filters: text("filters").notNull().default("[]"),
    /**
     * JSON: PriceRule[] (src/rules/price-rules.ts) — ordered; the first whose conditions match the lead
     * sets, adjusts or multiplies its price, or refuses it. None: the contract's own price.
     */
    priceRules: text("price_rules").notNull().default("[]"),
    /** JSON: Schedule or null (always open). */
    schedule: text("schedule"),
    /** IANA time zone for cap windows (and the schedule's default). */
    timezone: text("timezone").notNull().default("UTC"),
    capHour: integer("cap_hour"),
    capDay: integer("cap_day"),
    capMonth: integer("cap_month"),
    budgetDayCents: integer("budget_day_cents"),
    budgetMonthCents: integer("budget_month_cents"),
    /** Fallback contracts are the lower tiers: tried by the retry queue after the live auction. */
    fallback: integer("fallback", { mode: "boolean" }).notNull().default(false),
    /** A bid above this (cents) is recorded as `invalid` and ignored; null: no ceiling. */
    maxBidCents: integer("max_bid_cents"),
    /**
     * Circuit breaker (src/auction/breaker.ts): over the last `breaker_window_s`, with at least
     * `breaker_min_samples` requests, a reject, error or timeout rate (percent) above its threshold
     * pauses the contract for `breaker_cooldown_s`, then a probe decides. A null threshold is off.
     */
    breakerWindowS: integer("breaker_window_s").notNull().default(900),
    breakerMinSamples: integer("breaker_min_samples").notNull().default(20),
    breakerRejectPct: integer("breaker_reject_pct").default(80),
    breakerErrorPct: integer("breaker_error_pct").default(50),
    breakerTimeoutPct: integer("breaker_timeout_pct").default(50),
    breakerCooldownS: integer("breaker_cooldown_s").notNull().default(300),
    /** Hours after the sale during which the buyer may return the lead; 0: no returns. */
    returnWindowH: integer("return_window_h").notNull().default(72),
    /** The most of a rolling 30 days' purchases that may be returned, in basis points. */
    returnCapBps: integer("return_cap_bps").notNull().default(1500),
    /** JSON: string[] — the reason codes the buyer may return with. */
    returnReasons: text("return_reasons").notNull().default('["bad_data","disconnected","duplicate","wrong_person","not_interested"]'),
    /** JSON: string[] — reasons approved without an admin. */
    returnAutoApprove: text("return_auto_approve").notNull().default('["bad_data","disconnected"]'),
    /**
     * An aged-lead contract: it buys only leads between these ages (days), offered by the campaign's
     * aged tiers or a returned lead's resale; never in a lead's live or retry rounds. Both NULL: fresh leads.
     */
    agedMinDays: integer("aged_min_days"),
    agedMaxDays: integer("aged_max_days"),
    /**
     * What a shared lead is worth to this buyer, in basis points of its bid (or fixed price), when its
     * ping answer gives no shared price of its own (campaigns that sell by value). NULL: the same price.
     */
    sharedPriceBps: integer("shared_price_bps"),
    /** The buyer's sandbox endpoints, for "test this buyer" (never used by the auction). */
    testPingUrl: text("test_ping_url"),
    testPostUrl: text("test_post_url"),
    /** Bumped by every change (a trigger bumps it for SQL that does not): the rules API's compare-and-set. */
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [index("contracts_campaign_idx").on(t.campaignId)],
);

export const suppressions = sqliteTable("suppressions", {
  /** SHA-256 hex of a normalized phone (E.164) or email. */
  hash: text("hash").primaryKey(),
  kind: text("kind", { enum: ["phone", "email"] }).notNull(),
  reason: text("reason").notNull(),
  createdAt: createdAt(),
});

export const leads = sqliteTable(
  "leads",
  {
    id: text("id").primaryKey(),
    campaignId: text("campaign_id").notNull(),
    sourceId: text("source_id").notNull(),
    status: text("status", {
      enum: ["received", "auctioning", "pending", "sold", "unsold", "duplicate", "rejected", "erased"],
    }).notNull(),
    reason: text("reason"),
    /**
     * Per source and channel ("server:<key>" or "browser:<key>"): a retried submission with the same
     * key gets the first result; with a different lead, a 409.
     */
    idempotencyKey: text("idempotency_key"),
    /** SHA-256 of the normalized submission (campaign, lead, consent), to tell a retry from a reuse. */
    requestHash: text("request_hash"),
    /** The LeadJournal its rounds write their sales to (a pool object of the location that took it). */
    journal: text("journal"),
    /** The original lead when status is duplicate. */
    duplicateOf: text("duplicate_of"),
    /** JSON: the normalized lead (PII; never logged). */
    data: text("data").notNull(),
    /** JSON: TCPA consent evidence. */
    consent: text("consent"),
    /** JSON: ip, user agent, country, region. */
    meta: text("meta").notNull(),
    phoneHash: text("phone_hash"),
    emailHash: text("email_hash"),
    priceCents: integer("price_cents").notNull().default(0),
    payoutCents: integer("payout_cents").notNull().default(0),
    marginCents: integer("margin_cents").notNull().default(0),
    /** Retry attempts made by the queue consumer. */
    attempts: integer("attempts").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
    finalAt: integer("final_at"),
    /** When its personal fields were redacted (retention or erasure); null while they are kept. */
    redactedAt: integer("redacted_at"),
    /** The experiment and variant it was assigned to (deterministically), or null. */
    experimentId: text("experiment_id"),
    variant: text("variant"),
    /** Until when its TrustedForm certificate can be claimed, once leadgate checked it in for resale (null: not checked in). */
    certUntil: integer("cert_until"),
  },
  (t) => [
    uniqueIndex("leads_source_idem_uq").on(t.sourceId, t.idempotencyKey),
    index("leads_campaign_created_idx").on(t.campaignId, t.createdAt),
    index("leads_status_idx").on(t.status),
    // The console's live feed and per-minute lead figures read recent leads across campaigns.
    index("leads_created_idx").on(t.createdAt),
    // Erasure and access requests find a consumer's leads by fingerprint.
    index("leads_phone_hash_idx").on(t.phoneHash),
    index("leads_experiment_idx").on(t.experimentId, t.variant),
    index("leads_email_hash_idx").on(t.emailHash),
  ],
);

/** One row per contract considered for a lead: skipped (with reason), or pinged (with outcome and bid). */
export const pings = sqliteTable(
  "pings",
  {
    id: text("id").primaryKey(),
    leadId: text("lead_id").notNull(),
    contractId: text("contract_id").notNull(),
    attempt: integer("attempt").notNull().default(0),
    outcome: text("outcome", {
      enum: ["bid", "no_bid", "timeout", "late", "error", "invalid", "below_floor", "skipped", "discarded"],
    }).notNull(),
    reason: text("reason"),
    httpStatus: integer("http_status"),
    latencyMs: integer("latency_ms"),
    bidCents: integer("bid_cents"),
    effectiveCents: integer("effective_cents"),
    bidToken: text("bid_token"),
    createdAt: createdAt(),
  },
  (t) => [index("pings_lead_idx").on(t.leadId), index("pings_contract_idx").on(t.contractId, t.createdAt)],
);

/** One row per post attempt. A lead is sold to a contract at most once (partial unique index). */
export const posts = sqliteTable(
  "posts",
  {
    id: text("id").primaryKey(),
    leadId: text("lead_id").notNull(),
    contractId: text("contract_id").notNull(),
    attempt: integer("attempt").notNull().default(0),
    outcome: text("outcome", {
      enum: ["accepted", "rejected", "error", "timeout", "cap_full", "no_funds", "duplicate", "unavailable"],
    }).notNull(),
    reason: text("reason"),
    httpStatus: integer("http_status"),
    latencyMs: integer("latency_ms"),
    priceCents: integer("price_cents").notNull(),
    payoutCents: integer("payout_cents").notNull().default(0),
    buyerLeadId: text("buyer_lead_id"),
    /** Sold as an exclusive lead (no other buyer in the same sale). */
    exclusive: integer("exclusive", { mode: "boolean" }).notNull().default(false),
    /** The resale this post belongs to (null: the lead's first sale, its live or retry rounds). */
    resaleId: text("resale_id"),
    createdAt: createdAt(),
  },
  (t) => [
    index("posts_lead_idx").on(t.leadId),
    index("posts_resale_idx").on(t.resaleId),
    index("posts_contract_idx").on(t.contractId, t.createdAt),
    uniqueIndex("posts_one_sale_uq")
      .on(t.leadId, t.contractId)
      .where(sql`outcome = 'accepted'`),
  ],
);

/** The lead's lifecycle trace: validation, dedupe, auction rounds, retries, final outcome. */
export const leadEvents = sqliteTable(
  "lead_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    leadId: text("lead_id").notNull(),
    at: integer("at").notNull(),
    kind: text("kind").notNull(),
    /** JSON detail, never PII. */
    detail: text("detail"),
  },
  (t) => [index("lead_events_lead_idx").on(t.leadId, t.at)],
);

export type CampaignRow = typeof campaigns.$inferSelect;
export type SourceRow = typeof sources.$inferSelect;
export type BuyerRow = typeof buyers.$inferSelect;
export type ContractRow = typeof contracts.$inferSelect;
export type LeadRow = typeof leads.$inferSelect;
export type LeadStatus = LeadRow["status"];
export type PingRow = typeof pings.$inferInsert;
export type PostRow = typeof posts.$inferInsert;

/** Deployment facts that scripts need to remember, e.g. that stored fingerprints were re-keyed. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/**
 * Console sessions' epoch per subject (`admin`, `source:<id>`): a session carries the epoch it was
 * made in and is refused once it moved on. Logging out bumps it, and so does changing a source's keys
 * (a trigger on sources, in the migration), so no session outlives its logout or its key.
 */
export const consoleSessions = sqliteTable("console_sessions", {
  subject: text("subject").primaryKey(),
  epoch: integer("epoch").notNull().default(0),
  changedAt: integer("changed_at").notNull(),
});

/** Pings from publishers that sell by ping/post (POST /v1/pings), for their ping-to-post ratio. */
export const sellerPings = sqliteTable(
  "seller_pings",
  {
    pingId: text("ping_id").primaryKey(),
    sourceId: text("source_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    bids: integer("bids").notNull(),
    payoutCents: integer("payout_cents").notNull(),
    /** The lead its post created, once posted. */
    leadId: text("lead_id"),
    createdAt: createdAt(),
  },
  (t) => [index("seller_pings_source_idx").on(t.sourceId, t.createdAt)],
);

/**
 * The circuit breaker's state per contract, written by the cron's evaluation (src/queues/breakers.ts)
 * and read with the rules. No row: closed.
 */
export const contractHealth = sqliteTable("contract_health", {
  contractId: text("contract_id").primaryKey(),
  state: text("state", { enum: ["closed", "open", "half_open"] }).notNull(),
  reason: text("reason"),
  /** When the current state began. */
  since: integer("since").notNull(),
  /** open: when the cool-down ends and probing starts. */
  until: integer("until"),
  /** How many times the breaker has tripped (opened), ever. */
  trips: integer("trips").notNull().default(0),
});

/** Every breaker transition, for reports and the trace of an operator's question "why paused?". */
export const breakerEvents = sqliteTable(
  "breaker_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    contractId: text("contract_id").notNull(),
    at: integer("at").notNull(),
    fromState: text("from_state").notNull(),
    toState: text("to_state").notNull(),
    reason: text("reason"),
  },
  (t) => [index("breaker_events_contract_idx").on(t.contractId, t.at)],
);

export type ContractHealthRow = typeof contractHealth.$inferSelect;

/**
 * The console's figures per contract, per minute (`grain` m) and per hour (h), added to as each
 * round's records are written (src/db/rollups.ts). Histogram columns: lat_0..6 (latency buckets),
 * bid_0..4 (bid buckets).
 */
export const rollupContracts = sqliteTable(
  "rollup_contracts",
  {
    grain: text("grain", { enum: ["m", "h"] }).notNull(),
    bucket: integer("bucket").notNull(),
    contractId: text("contract_id").notNull(),
    pings: integer("pings").notNull().default(0),
    bids: integer("bids").notNull().default(0),
    bidCents: integer("bid_cents").notNull().default(0),
    timeouts: integer("timeouts").notNull().default(0),
    errors: integer("errors").notNull().default(0),
    posts: integer("posts").notNull().default(0),
    accepted: integer("accepted").notNull().default(0),
    rejected: integer("rejected").notNull().default(0),
    postFailed: integer("post_failed").notNull().default(0),
    revenueCents: integer("revenue_cents").notNull().default(0),
    lat0: integer("lat_0").notNull().default(0),
    lat1: integer("lat_1").notNull().default(0),
    lat2: integer("lat_2").notNull().default(0),
    lat3: integer("lat_3").notNull().default(0),
    lat4: integer("lat_4").notNull().default(0),
    lat5: integer("lat_5").notNull().default(0),
    lat6: integer("lat_6").notNull().default(0),
    bid0: integer("bid_0").notNull().default(0),
    bid1: integer("bid_1").notNull().default(0),
    bid2: integer("bid_2").notNull().default(0),
    bid3: integer("bid_3").notNull().default(0),
    bid4: integer("bid_4").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.grain, t.bucket, t.contractId] })],
);

/** Reject and failure reasons per contract, per minute and per hour. */
export const rollupReasons = sqliteTable(
  "rollup_reasons",
  {
    grain: text("grain", { enum: ["m", "h"] }).notNull(),
    bucket: integer("bucket").notNull(),
    contractId: text("contract_id").notNull(),
    outcome: text("outcome").notNull(),
    reason: text("reason").notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.grain, t.bucket, t.contractId, t.outcome, t.reason] })],
);

/** One row per round added to the rollups: a replayed round write adds nothing. */
export const rollupMarks = sqliteTable(
  "rollup_marks",
  {
    leadId: text("lead_id").notNull(),
    attempt: integer("attempt").notNull(),
    token: text("token").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.leadId, t.attempt] })],
);

/** The retention job's progress per campaign (src/queues/retention.ts). */
export const retentionRuns = sqliteTable("retention_runs", {
  campaignId: text("campaign_id").primaryKey(),
  lastRunAt: integer("last_run_at").notNull(),
  /** Leads redacted by retention, ever. */
  redacted: integer("redacted").notNull().default(0),
});

/** A buyer's return of a lead it bought: one per lead and contract. Money in cents. */
export const returns = sqliteTable(
  "returns",
  {
    id: text("id").primaryKey(),
    leadId: text("lead_id").notNull(),
    contractId: text("contract_id").notNull(),
    sourceId: text("source_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    reason: text("reason").notNull(),
    note: text("note"),
    status: text("status", { enum: ["pending", "approved", "denied"] }).notNull(),
    requestedBy: text("requested_by", { enum: ["buyer", "admin"] }).notNull(),
    /** Credited to the buyer when approved: the price it paid. */
    priceCents: integer("price_cents").notNull(),
    /** Taken back from the source when approved (0 when the exchange absorbs it). */
    clawbackCents: integer("clawback_cents").notNull(),
    createdAt: createdAt(),
    decidedAt: integer("decided_at"),
  },
  (t) => [
    uniqueIndex("returns_lead_contract_uq").on(t.leadId, t.contractId),
    index("returns_contract_created_idx").on(t.contractId, t.createdAt),
    // Exports page through returns by time (keyset on created_at, id).
    index("returns_created_idx").on(t.createdAt),
  ],
);

/** Outcome feedback from buyers (contacted, converted, bad_data…): one per lead, contract and outcome. */
export const feedback = sqliteTable(
  "feedback",
  {
    leadId: text("lead_id").notNull(),
    contractId: text("contract_id").notNull(),
    outcome: text("outcome").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.leadId, t.contractId, t.outcome] }),
    index("feedback_contract_created_idx").on(t.contractId, t.createdAt),
  ],
);

/** Each contract's quality score, computed by the cron (src/queues/quality.ts), read with the rules. */
export const contractQuality = sqliteTable("contract_quality", {
  contractId: text("contract_id").primaryKey(),
  scoreBps: integer("score_bps").notNull(),
  purchases: integer("purchases").notNull(),
  returnRateBps: integer("return_rate_bps").notNull(),
  rejectRateBps: integer("reject_rate_bps").notNull(),
  failureRateBps: integer("failure_rate_bps").notNull(),
  positiveRateBps: integer("positive_rate_bps").notNull(),
  computedAt: integer("computed_at").notNull(),
});

/** A routing experiment on a campaign: variants of its settings, each with a traffic share. */
export const experiments = sqliteTable("experiments", {
  id: text("id").primaryKey(),
  campaignId: text("campaign_id").notNull(),
  name: text("name").notNull(),
  status: text("status", { enum: ["running", "ended"] })
    .notNull()
    .default("running"),
  /** JSON: Variant[] (src/rules/schemas.ts). */
  variants: text("variants").notNull(),
  startedAt: integer("started_at").notNull(),
  endedAt: integer("ended_at"),
  /** Bumped by every change (a trigger bumps it for SQL that does not): the rules API's compare-and-set. */
  version: integer("version").notNull().default(1),
});

/**
 * A lead offered again (src/pipeline/resale.ts): after a buyer's approved return (`returned`), or by an
 * aged tier because it never sold (`unsold`) or its sale was not exclusive (`sold`). Scheduled when the
 * lead ends or the return is approved; the cron queues what is due (status, due_at). Money in cents.
 */
export const resales = sqliteTable(
  "resales",
  {
    id: text("id").primaryKey(),
    leadId: text("lead_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    reason: text("reason", { enum: ["returned", "unsold", "sold"] }).notNull(),
    /** The aged tier's age in days; 0 for a returned lead's resale. */
    tierDays: integer("tier_days").notNull(),
    /** The return it follows (returned), and the contract that returned the lead: its buyer never gets it again. */
    returnId: text("return_id"),
    returnedContractId: text("returned_contract_id"),
    /** Its round number in the lead's pings and posts (from RESALE_ROUND_BASE up). */
    round: integer("round").notNull(),
    status: text("status", { enum: ["scheduled", "queued", "running", "sold", "unsold", "skipped"] }).notNull(),
    dueAt: integer("due_at").notNull(),
    floorCents: integer("floor_cents").notNull(),
    /** The lead carries a TrustedForm certificate to check in (extend) before it can be resold after 3 days. */
    certCheck: integer("cert_check", { mode: "boolean" }).notNull().default(false),
    queuedAt: integer("queued_at"),
    startedAt: integer("started_at"),
    doneAt: integer("done_at"),
    /** Why it was skipped or did not sell. */
    outcomeReason: text("outcome_reason"),
    buyers: integer("buyers").notNull().default(0),
    priceCents: integer("price_cents").notNull().default(0),
    payoutCents: integer("payout_cents").notNull().default(0),
    marginCents: integer("margin_cents").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("resales_lead_round_uq").on(t.leadId, t.round),
    // One offer per aged tier of a lead, one per return.
    uniqueIndex("resales_lead_tier_uq")
      .on(t.leadId, t.tierDays)
      .where(sql`return_id IS NULL`),
    uniqueIndex("resales_return_uq").on(t.returnId),
    index("resales_due_idx").on(t.status, t.dueAt),
    index("resales_done_idx").on(t.doneAt),
    index("resales_cert_idx")
      .on(t.leadId)
      .where(sql`cert_check = 1`),
  ],
);

export type ResaleRow = typeof resales.$inferSelect;

/**
 * Named value lists (ZIP codes, mostly) that filters and price rules name with `in_list`: uploaded
 * through PUT /admin/lists/{name} or `npm run lists:upload`, read with the rules and compiled into a
 * set once per load (src/rules/lists.ts).
 */
export const valueLists = sqliteTable("value_lists", {
  name: text("name").primaryKey(),
  kind: text("kind", { enum: ["zip", "text"] })
    .notNull()
    .default("text"),
  /** JSON: string[] — the values as compared (trimmed, lower case; ZIPs as 5 digits). */
  values: text("values").notNull(),
  count: integer("count").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Scrub and validation results per consumer fingerprint (peppered, as the dedupe shards key them) and
 * vendor (with the options that change its answer): reused for the campaign's `cache_s`, so a
 * consumer seen again is not paid for again. Erasure removes a person's rows.
 */
export const scrubCache = sqliteTable(
  "scrub_cache",
  {
    vendorKey: text("vendor_key").notNull(),
    fingerprint: text("fingerprint").notNull(),
    outcome: text("outcome", { enum: ["pass", "fail"] }).notNull(),
    detail: text("detail"),
    checkedAt: integer("checked_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.vendorKey, t.fingerprint] }), index("scrub_cache_fingerprint_idx").on(t.fingerprint)],
);

/** Every scrub a lead went through: paid calls with their cost, and cached results (cost 0), for the report. */
export const scrubCalls = sqliteTable(
  "scrub_calls",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    campaignId: text("campaign_id").notNull(),
    leadId: text("lead_id").notNull(),
    name: text("name").notNull(),
    vendor: text("vendor").notNull(),
    outcome: text("outcome", { enum: ["pass", "fail", "timeout", "error"] }).notNull(),
    cached: integer("cached", { mode: "boolean" }).notNull(),
    costCents: integer("cost_cents").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("scrub_calls_campaign_idx").on(t.campaignId, t.at)],
);

/**
 * The audit trail of the rules: one row per change to a campaign, source, buyer, contract or
 * experiment, written by triggers (so SQL run with `wrangler d1 execute` or a migration is recorded
 * too, as `outside`). `before` and `after` are the row as JSON (snake_case columns, version left
 * out) with secrets masked; null before an insert and after a delete.
 */
export const ruleChanges = sqliteTable(
  "rule_changes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    /** Who: a person (an Access email, a named admin token), or `outside` (SQL run outside the API). */
    actor: text("actor").notNull(),
    /** How: api, console, or outside. */
    via: text("via").notNull(),
    tableName: text("table_name").notNull(),
    rowId: text("row_id").notNull(),
    action: text("action", { enum: ["insert", "update", "delete"] }).notNull(),
    before: text("before"),
    after: text("after"),
    /** The row's version after the change (null after a delete). */
    version: integer("version"),
    /** The change this one undid (POST /admin/audit/{id}/revert). */
    reverts: integer("reverts"),
  },
  (t) => [index("rule_changes_row_idx").on(t.tableName, t.rowId, t.id), index("rule_changes_at_idx").on(t.at)],
);

/**
 * Who is changing the rules, for the triggers: the rules API writes this one row, its change and the
 * row's removal in one D1 batch (a transaction), so a change made any other way finds no row and is
 * recorded as `outside`.
 */
export const ruleChangeContext = sqliteTable("rule_change_context", {
  id: integer("id").primaryKey(),
  actor: text("actor").notNull(),
  via: text("via").notNull(),
  at: integer("at").notNull(),
  reverts: integer("reverts"),
});

export type RuleChangeRow = typeof ruleChanges.$inferSelect;

export type ContractQualityRow = typeof contractQuality.$inferSelect;
export type ValueListRow = typeof valueLists.$inferSelect;
export type ExperimentRow = typeof experiments.$inferSelect;

/**
 * The ledger: double-entry and append-only, integer cents. An entry is the legs sharing one
 * `entry_key` (sale:<lead>:<contract>, return:<lead>:<contract>, deposit:<buyer>:<reference>,
 * stripe:<payment>, adjust:<id>, payment:<source>:<reference>); its legs sum to zero, so all accounts
 * do. Accounts: buyer:<id> (what the exchange holds for the buyer: negative = the buyer owes),
 * source:<id> (what the exchange owes the source), house (the margin), cash (money in and out of the
 * exchange's bank). The unique index makes every booking idempotent. Written only by src/db/ledger.ts.
 */
export const ledgerEntries = sqliteTable(
  "ledger_entries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    entryKey: text("entry_key").notNull(),
    account: text("account").notNull(),
    amountCents: integer("amount_cents").notNull(),
    kind: text("kind", { enum: ["sale", "return", "deposit", "topup", "credit", "write_off", "charge", "payment"] }).notNull(),
    /** When it was booked (epoch ms): statements and invoices are periods of this. */
    at: integer("at").notNull(),
    leadId: text("lead_id"),
    contractId: text("contract_id"),
    campaignId: text("campaign_id"),
    /** A deposit's or payment's reference, a Stripe payment's id. */
    reference: text("reference"),
    /** An adjustment's reason. */
    memo: text("memo"),
    /** Who booked it: admin:<name>, stripe, the auction. */
    bookedBy: text("booked_by"),
  },
  (t) => [
    uniqueIndex("ledger_entry_leg_uq").on(t.entryKey, t.account),
    index("ledger_account_at_idx").on(t.account, t.at),
    index("ledger_at_idx").on(t.at),
  ],
);

/** A buyer's closed period: numbered, immutable (its lines and totals are fixed when it is issued). */
export const invoices = sqliteTable(
  "invoices",
  {
    id: text("id").primaryKey(),
    number: integer("number").notNull().unique(),
    buyerId: text("buyer_id").notNull(),
    periodFrom: integer("period_from").notNull(),
    periodTo: integer("period_to").notNull(),
    issuedAt: integer("issued_at").notNull(),
    /** JSON: InvoiceLine[] (src/billing/invoice.ts): per campaign, sales and returns credited. */
    lines: text("lines").notNull(),
    openingCents: integer("opening_cents").notNull(),
    chargesCents: integer("charges_cents").notNull(),
    creditsCents: integer("credits_cents").notNull(),
    paymentsCents: integer("payments_cents").notNull(),
    adjustmentsCents: integer("adjustments_cents").notNull(),
    closingCents: integer("closing_cents").notNull(),
  },
  (t) => [index("invoices_buyer_period_idx").on(t.buyerId, t.periodFrom)],
);

/** Money events that belong to no lead: balance_low, paused_for_balance, resumed, invoice_issued. */
export const billingEvents = sqliteTable(
  "billing_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    buyerId: text("buyer_id").notNull(),
    at: integer("at").notNull(),
    kind: text("kind").notNull(),
    /** JSON detail, never PII. */
    detail: text("detail"),
  },
  (t) => [index("billing_events_buyer_idx").on(t.buyerId, t.at)],
);

/** Stripe events received (one row per event id): what each did, and the signature's time. */
export const stripeEvents = sqliteTable("stripe_events", {
  eventId: text("event_id").primaryKey(),
  type: text("type").notNull(),
  /** The `t` of its Stripe-Signature: the same event signed again is Stripe redelivering it. */
  signedAt: integer("signed_at").notNull(),
  receivedAt: integer("received_at").notNull(),
  outcome: text("outcome", { enum: ["credited", "ignored"] }).notNull(),
  buyerId: text("buyer_id"),
  amountCents: integer("amount_cents"),
  entryKey: text("entry_key"),
});

export type LedgerEntryRow = typeof ledgerEntries.$inferSelect;
export type InvoiceRow = typeof invoices.$inferSelect;

/**
 * Event webhooks: where the rest of the business wants to hear about events (docs/API.md, Webhooks).
 * `events` is a JSON array of event types (src/events/catalog.ts), or ["*"]. During a key rotation
 * the previous secret still signs (a second v3 signature) until `secret_previous_until`.
 */
export const webhookSubscriptions = sqliteTable("webhook_subscriptions", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  events: text("events").notNull(),
  secret: text("secret").notNull(),
  secretPrevious: text("secret_previous"),
  secretPreviousUntil: integer("secret_previous_until"),
  /** Its lead events carry the consumer's contact fields (docs/API.md lists them); off unless asked. */
  includePii: integer("include_pii", { mode: "boolean" }).notNull().default(false),
  status: text("status", { enum: ["active", "paused"] })
    .notNull()
    .default("active"),
  description: text("description"),
  /** Failed attempts in a row (0 after a delivery): the console lists subscriptions that are failing. */
  failures: integer("failures").notNull().default(0),
  lastError: text("last_error"),
  lastFailureAt: integer("last_failure_at"),
  lastSuccessAt: integer("last_success_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Events as emitted, once each (the id is the receiver's idempotency key; ids of business events are
 * derived from what happened, so emitting twice stores one). `sequence` numbers a lead's events 1, 2, 3…
 * in the order they were emitted; `body` is the event's JSON data, never consumer data.
 */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    leadId: text("lead_id"),
    sequence: integer("sequence"),
    body: text("body").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("webhook_events_lead_idx").on(t.leadId, t.sequence), index("webhook_events_created_idx").on(t.createdAt)],
);

/** One event to one subscription: pending (queued or waiting for its next attempt), delivered or failed (gave up). */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    subscriptionId: text("subscription_id").notNull(),
    eventId: text("event_id").notNull(),
    status: text("status", { enum: ["pending", "delivered", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** When the next attempt is due (pending); null while its subscription is paused. */
    nextAttemptAt: integer("next_attempt_at"),
    /** A consumer is sending it until then: a second copy of its message waits. */
    claimedUntil: integer("claimed_until"),
    /** The day of retries counts from here (the first attempt, or "send again"). */
    firstAttemptAt: integer("first_attempt_at"),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    lastLatencyMs: integer("last_latency_ms"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_sub_event_uq").on(t.subscriptionId, t.eventId),
    index("webhook_deliveries_event_idx").on(t.eventId),
    index("webhook_deliveries_sub_created_idx").on(t.subscriptionId, t.createdAt),
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
  ],
);

/** Every attempt of every delivery: the delivery log (attempt, answer, latency, next retry). */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deliveryId: text("delivery_id").notNull(),
    subscriptionId: text("subscription_id").notNull(),
    attempt: integer("attempt").notNull(),
    outcome: text("outcome", { enum: ["delivered", "retry", "failed"] }).notNull(),
    httpStatus: integer("http_status"),
    error: text("error"),
    latencyMs: integer("latency_ms").notNull(),
    nextAttemptAt: integer("next_attempt_at"),
    at: integer("at").notNull(),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.deliveryId, t.attempt), index("webhook_attempts_at_idx").on(t.at)],
);

/**
 * Every export (GET …/exports/{kind}): who asked, what, and whether consumer fields were included.
 * The audit trail of bulk reads of the records.
 */
export const dataExports = sqliteTable(
  "data_exports",
  {
    id: text("id").primaryKey(),
    /** "admin", "source:<id>" or "buyer:<id>" (through contract <id>). */
    requestedBy: text("requested_by").notNull(),
    kind: text("kind").notNull(),
    format: text("format", { enum: ["csv", "ndjson"] }).notNull(),
    includePii: integer("include_pii", { mode: "boolean" }).notNull(),
    /** JSON: the range and filters asked for. */
    filters: text("filters").notNull(),
    /** Rows streamed, once the export finished (null: still running, or cut short). */
    rows: integer("rows"),
    at: integer("at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (t) => [index("data_exports_at_idx").on(t.at)],
);

export type WebhookSubscriptionRow = typeof webhookSubscriptions.$inferSelect;
export type WebhookEventRow = typeof webhookEvents.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
