// Turns raw D1 rows into validated, ready-to-use rules. Pure: the loader (src/rules/cache.ts) and
// `npm run rules:check` both call it. A row that fails validation is left out with a problem that
// names it; everything else keeps working.
import * as z from "zod";
import type { BuyerRow, CampaignRow, ContractHealthRow, ContractQualityRow, ContractRow, SourceRow } from "../db/schema";
import { readPing, readPost } from "../buyers/protocol";
import { personalLookingPingFields } from "../lead/ping-safe";
import type { Campaign, Contract, Experiment, RuleProblem, RuleRows, Rules, Source } from "./model";
import {
  ApiHeadersSchema,
  FieldDefsSchema,
  FiltersSchema,
  OriginListSchema,
  PreSaleHooksSchema,
  ProtocolSchema,
  ScheduleSchema,
  StringListSchema,
  TimeZoneSchema,
  VariantsSchema,
  type Protocol,
} from "./schemas";

function parseJson<T>(
  raw: string | null,
  schema: z.ZodType<T>,
  where: Omit<RuleProblem, "message">,
  problems: RuleProblem[],
): T | undefined {
  let value: unknown;
  try {
    value = raw === null ? null : JSON.parse(raw);
  } catch {
    problems.push({ ...where, message: "not valid JSON" });
    return undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    problems.push({ ...where, message: z.prettifyError(parsed.error).replace(/\n/g, "; ") });
    return undefined;
  }
  return parsed.data;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** `https:`, or `http:` to loopback only (local development and tests): consumer data never travels in clear. */
export function isDeployableUrl(u: string | null): boolean {
  if (u === null) return false;
  try {
    const url = new URL(u);
    return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
  } catch {
    return false;
  }
}
const URL_RULE = "must be an https: URL (http: only to 127.0.0.1 or localhost)";

/**
 * The longest a round can last is bounded: pings by the campaign's ping timeout, the cascade by its
 * post deadline. So a post always finishes well inside a cap block and a dedupe hold, and the
 * sweeper (which waits longer than any round) never starts a second round beside a running one.
 */
export const MAX_PING_TIMEOUT_MS = 10_000;
export const MAX_POST_DEADLINE_MS = 30_000;

/** A contract's signing keys: the current one, and the next during a rotation. */
const keys = (current: string, next: string | null): string[] => (next ? [current, next] : [current]);

/** Shortest postback secret: a signature is only as strong as its key. */
export const MIN_POSTBACK_SECRET = 32;

const positiveOrNull = z.number().int().positive().nullable();

/** camelCase column key to its SQL name, for problem reports. */
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

type Problems = RuleProblem[];
const where = (table: RuleProblem["table"], id: string) => (column: string) => ({ table, id, column });

/** A campaign row, or undefined (with its problems recorded) when it does not validate. */
function compileCampaign(row: CampaignRow, problems: Problems): Campaign | undefined {
  const at = where("campaigns", row.id);
  const fields = parseJson(row.fields, FieldDefsSchema, at("fields"), problems);
  const verifyHooks = parseJson(row.verifyHooks, PreSaleHooksSchema, at("verify_hooks"), problems);
  const before = problems.length;
  for (const h of verifyHooks ?? [])
    if (!isDeployableUrl(h.url)) problems.push({ ...at("verify_hooks"), message: `hook ${h.name}: url ${URL_RULE}` });
  for (const col of ["retentionDays", "consentMaxAgeS"] as const)
    if (!positiveOrNull.safeParse(row[col]).success) problems.push({ ...at(snake(col)), message: "must be a positive integer or NULL" });
  if (row.pingTimeoutMs < 50 || row.pingTimeoutMs > MAX_PING_TIMEOUT_MS)
    problems.push({ ...at("ping_timeout_ms"), message: `must be between 50 and ${MAX_PING_TIMEOUT_MS}` });
  if (row.floorCents < 0) problems.push({ ...at("floor_cents"), message: "must not be negative" });
  if (row.maxBuyers < 1) problems.push({ ...at("max_buyers"), message: "must be at least 1" });
  if (row.exclusive && row.maxBuyers !== 1)
    problems.push({ ...at("max_buyers"), message: "an exclusive campaign sells to exactly 1 buyer" });
  if (row.maxFanout < 1 || row.maxFanout > 1000) problems.push({ ...at("max_fanout"), message: "must be between 1 and 1000" });
  if (row.postDeadlineMs < 100 || row.postDeadlineMs > MAX_POST_DEADLINE_MS)
    problems.push({ ...at("post_deadline_ms"), message: `must be between 100 and ${MAX_POST_DEADLINE_MS}` });
  if (row.retryMaxAttempts < 0) problems.push({ ...at("retry_max_attempts"), message: "must not be negative" });
  for (const col of ["maxBidCents", "pingsPerMinute"] as const)
    if (!positiveOrNull.safeParse(row[col]).success) problems.push({ ...at(snake(col)), message: "must be a positive integer or NULL" });
  if (!fields || !verifyHooks || problems.length > before) return undefined;
  const { createdAt: _c, ...rest } = row;
  return { ...rest, fields, verifyHooks };
}

function compileSource(row: SourceRow, problems: Problems): Source | undefined {
  const at = where("sources", row.id);
  const allowedCampaigns = parseJson(row.allowedCampaigns, StringListSchema, at("allowed_campaigns"), problems);
  const allowedOrigins = parseJson(row.allowedOrigins, OriginListSchema, at("allowed_origins"), problems);
  const before = problems.length;
  if (row.payoutType === "share" && (row.payoutValue < 0 || row.payoutValue > 10_000))
    problems.push({ ...at("payout_value"), message: "a revenue share is 0..10000 basis points" });
  if (row.payoutType === "fixed" && row.payoutValue < 0) problems.push({ ...at("payout_value"), message: "must not be negative" });
  if (!row.apiKeyHash && !row.publishableKey)
    problems.push({ ...at("api_key_hash"), message: "a source needs an API key hash or a publishable key" });
  for (const col of ["apiKeyHash", "apiKeyHashNext"] as const) {
    const v = row[col];
    if (v && !/^[0-9a-f]{64}$/.test(v)) problems.push({ ...at(snake(col)), message: "must be the SHA-256 hex of the key" });
  }
  for (const col of ["successUrl", "failureUrl", "postbackUrl"] as const) {
    if (row[col] !== null && !isDeployableUrl(row[col])) problems.push({ ...at(snake(col)), message: URL_RULE });
  }
  for (const col of ["ipPerMinute", "keyPerMinute", "pingsPerMinute", "dailyLeadQuota"] as const)
    if (!positiveOrNull.safeParse(row[col]).success) problems.push({ ...at(snake(col)), message: "must be a positive integer or NULL" });
  if (row.turnstileSecret !== null && row.turnstileSecret.trim() === "")
    problems.push({ ...at("turnstile_secret"), message: "must be NULL or a Turnstile secret key" });
  if (row.postbackUrl !== null && (row.postbackSecret ?? "").length < MIN_POSTBACK_SECRET)
    problems.push({
      ...at("postback_secret"),
      message: `a source with a postback_url needs a postback_secret of at least ${MIN_POSTBACK_SECRET} characters`,
    });
  if (!allowedCampaigns || !allowedOrigins || problems.length > before) return undefined;
  const { createdAt: _c, ...rest } = row;
  return { ...rest, allowedCampaigns, allowedOrigins };
}

/** The contract's sample answers must read as a bid and an acceptance under its protocol. */
function checkSampleAnswers(
  row: ContractRow,
  protocol: Protocol,
  at: (column: string) => Omit<RuleProblem, "message">,
  problems: Problems,
): void {
  if (row.samplePingAnswer !== null) {
    const a = readPing({ protocol }, { status: 200, body: row.samplePingAnswer });
    if (a.kind !== "bid") problems.push({ ...at("sample_ping_answer"), message: `the sample ping answer reads as ${a.kind}: ${a.reason}` });
  }
  if (row.samplePostAnswer !== null) {
    const a = readPost({ protocol }, { status: 200, body: row.samplePostAnswer });
    if (a.kind !== "accepted")
      problems.push({ ...at("sample_post_answer"), message: `the sample post answer reads as ${a.kind}: ${a.reason}` });
  }
}

/**
 * A contract row against its buyer and campaign (rows, so that a contract of a paused campaign is
 * still checked), or undefined when it does not validate.
 */
function compileContract(
  row: ContractRow,
  buyer: BuyerRow | undefined,
  campaignRow: CampaignRow | undefined,
  campaign: Campaign | undefined,
  health: ContractHealthRow | undefined,
  quality: ContractQualityRow | undefined,
  problems: Problems,
): Contract | undefined {
  const at = where("contracts", row.id);
  const protocol = parseJson(row.protocol, ProtocolSchema, at("protocol"), problems);
  const filters = parseJson(row.filters, FiltersSchema, at("filters"), problems);
  const schedule = parseJson(row.schedule, ScheduleSchema.nullable(), at("schedule"), problems);
  const apiHeaders = parseJson(row.apiHeaders, ApiHeadersSchema, at("api_headers"), problems);
  const returnReasons = parseJson(row.returnReasons, StringListSchema, at("return_reasons"), problems);
  const returnAutoApprove = parseJson(row.returnAutoApprove, StringListSchema, at("return_auto_approve"), problems);
  const before = problems.length;
  if (protocol) checkSampleAnswers(row, protocol, at, problems);
  if (!buyer) problems.push({ ...at("buyer_id"), message: `no buyer "${row.buyerId}"` });
  if (!campaignRow) problems.push({ ...at("campaign_id"), message: `no campaign "${row.campaignId}"` });
  if (!TimeZoneSchema.safeParse(row.timezone).success)
    problems.push({ ...at("timezone"), message: `unknown IANA time zone "${row.timezone}"` });
  if (!isDeployableUrl(row.postUrl)) problems.push({ ...at("post_url"), message: URL_RULE });
  if (row.pricing === "dynamic" && !isDeployableUrl(row.pingUrl))
    problems.push({ ...at("ping_url"), message: `a dynamic-price contract needs a ping URL that ${URL_RULE.replace("must be", "is")}` });
  if (row.pricing === "fixed" && (row.fixedPriceCents === null || row.fixedPriceCents <= 0))
    problems.push({ ...at("fixed_price_cents"), message: "a fixed-price contract needs a positive price" });
  if (row.pricing === "dynamic" && protocol?.kind === "template" && !protocol.ping)
    problems.push({ ...at("protocol"), message: "a dynamic-price template contract needs a ping template" });
  if (row.bidAdjustBps < 0 || row.bidAdjustBps > 100_000)
    problems.push({ ...at("bid_adjust_bps"), message: "must be between 0 and 100000" });
  if (row.timeoutMs < 10 || row.timeoutMs > 10_000) problems.push({ ...at("timeout_ms"), message: "must be between 10 and 10000" });
  if (row.minPingMs < 0 || row.minPingMs > row.timeoutMs)
    problems.push({ ...at("min_ping_ms"), message: "must be between 0 and timeout_ms" });
  for (const col of ["secret", "pingSecret", "secretNext", "pingSecretNext"] as const) {
    const v = row[col];
    if (v !== null && v.length < 16) problems.push({ ...at(snake(col)), message: "must be at least 16 characters" });
  }
  for (const col of ["capHour", "capDay", "capMonth", "budgetDayCents", "budgetMonthCents", "maxBidCents"] as const) {
    if (!positiveOrNull.safeParse(row[col]).success) problems.push({ ...at(snake(col)), message: "must be a positive integer or NULL" });
  }
  if (row.breakerWindowS < 60 || row.breakerWindowS > 86_400)
    problems.push({ ...at("breaker_window_s"), message: "must be between 60 and 86400" });
  if (row.breakerMinSamples < 1) problems.push({ ...at("breaker_min_samples"), message: "must be at least 1" });
  if (row.breakerCooldownS < 10 || row.breakerCooldownS > 86_400)
    problems.push({ ...at("breaker_cooldown_s"), message: "must be between 10 and 86400" });
  for (const col of ["breakerRejectPct", "breakerErrorPct", "breakerTimeoutPct"] as const) {
    const v = row[col];
    if (v !== null && (!Number.isInteger(v) || v < 1 || v > 100))
      problems.push({ ...at(snake(col)), message: "must be a percentage from 1 to 100, or NULL (off)" });
  }
  if (campaign && filters) {
    const names = new Set(campaign.fields.map((f) => f.name));
    names.add("age");
    for (const f of filters)
      if (!names.has(f.field))
        problems.push({ ...at("filters"), message: `filter on unknown field "${f.field}" of campaign ${campaign.slug}` });
  }
  if (row.returnWindowH < 0 || row.returnWindowH > 24 * 90)
    problems.push({ ...at("return_window_h"), message: "must be between 0 and 2160 hours" });
  if (row.returnCapBps < 0 || row.returnCapBps > 10_000)
    problems.push({ ...at("return_cap_bps"), message: "must be 0..10000 basis points" });
  if (
    !protocol ||
    !filters ||
    !apiHeaders ||
    !returnReasons ||
    !returnAutoApprove ||
    schedule === undefined ||
    problems.length > before ||
    !buyer
  )
    return undefined;
  return {
    id: row.id,
    buyerId: row.buyerId,
    buyerName: buyer.name,
    campaignId: row.campaignId,
    name: row.name,
    pingUrl: row.pingUrl,
    postUrl: row.postUrl,
    protocol,
    postSecrets: keys(row.secret, row.secretNext),
    apiHeaders,
    pingSecrets: keys(row.pingSecret ?? row.secret, row.pingSecret ? row.pingSecretNext : row.secretNext),
    timeoutMs: row.timeoutMs,
    minPingMs: row.minPingMs,
    pricing: row.pricing,
    fixedPriceCents: row.fixedPriceCents,
    minBidCents: row.minBidCents,
    bidAdjustBps: row.bidAdjustBps,
    priority: row.priority,
    filters,
    schedule,
    timezone: row.timezone,
    caps: {
      hour: row.capHour,
      day: row.capDay,
      month: row.capMonth,
      budgetDayCents: row.budgetDayCents,
      budgetMonthCents: row.budgetMonthCents,
    },
    fallback: row.fallback,
    dedupeKey: buyer.dedupeScope === "buyer" ? `buyer:${buyer.id}` : `contract:${row.id}`,
    dedupeWindowS: buyer.dedupeWindowS,
    maxBidCents: lowest(row.maxBidCents, campaignRow?.maxBidCents ?? null),
    breaker: {
      windowS: row.breakerWindowS,
      minSamples: row.breakerMinSamples,
      rejectPct: row.breakerRejectPct,
      errorPct: row.breakerErrorPct,
      timeoutPct: row.breakerTimeoutPct,
      cooldownS: row.breakerCooldownS,
    },
    health: health ? { state: health.state, reason: health.reason, since: health.since, until: health.until, trips: health.trips } : null,
    returns: { windowH: row.returnWindowH, capBps: row.returnCapBps, reasons: returnReasons, autoApprove: returnAutoApprove },
    qualityBps: quality?.scoreBps ?? 10_000,
  };
}

const lowest = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

/** Every row checked; the active, valid ones indexed for the gateway. */
export function compileRules(rows: RuleRows): Rules {
  const problems: Problems = [];
  const rules: Rules = {
    campaignsBySlug: new Map(),
    campaignsById: new Map(),
    sourcesByKeyHash: new Map(),
    sourcesByPublishableKey: new Map(),
    sourcesById: new Map(),
    contractsByCampaign: new Map(),
    contractsById: new Map(),
    problems,
    warnings: [],
    brokenCampaigns: new Map(),
    experimentsByCampaign: new Map(),
    experimentsById: new Map(),
  };
  for (const row of rows.campaigns) {
    const before = problems.length;
    const campaign = compileCampaign(row, problems);
    if (!campaign && row.status === "active") rules.brokenCampaigns.set(row.slug, problems.slice(before));
    for (const name of campaign ? personalLookingPingFields(campaign.fields) : [])
      rules.warnings.push({
        table: "campaigns",
        id: row.id,
        column: "fields",
        message: `ping-safe field "${name}" looks like personal data: buyers see it in every ping`,
      });
    if (!campaign || row.status !== "active") continue;
    rules.campaignsBySlug.set(campaign.slug, campaign);
    rules.campaignsById.set(campaign.id, campaign);
  }
  for (const row of rows.sources) {
    const source = compileSource(row, problems);
    if (!source || row.status !== "active") continue;
    rules.sourcesById.set(source.id, source);
    // Two keys may be active at once while a publisher rotates; a key names exactly one source.
    for (const hash of [source.apiKeyHash, source.apiKeyHashNext]) {
      if (!hash) continue;
      const taken = rules.sourcesByKeyHash.get(hash);
      if (taken && taken.id !== source.id)
        problems.push({ table: "sources", id: source.id, column: "api_key_hash_next", message: `the same key as source ${taken.id}` });
      else rules.sourcesByKeyHash.set(hash, source);
    }
    if (source.publishableKey) rules.sourcesByPublishableKey.set(source.publishableKey, source);
  }
  const buyers = new Map(rows.buyers.map((b) => [b.id, b]));
  const campaignRows = new Map(rows.campaigns.map((c) => [c.id, c]));
  const health = new Map((rows.health ?? []).map((h) => [h.contractId, h]));
  const quality = new Map((rows.quality ?? []).map((q) => [q.contractId, q]));
  for (const row of rows.contracts) {
    const buyer = buyers.get(row.buyerId);
    const campaign = rules.campaignsById.get(row.campaignId);
    const contract = compileContract(
      row,
      buyer,
      campaignRows.get(row.campaignId),
      campaign,
      health.get(row.id),
      quality.get(row.id),
      problems,
    );
    if (!contract || row.status !== "active" || buyer?.status !== "active" || !campaign) continue;
    rules.contractsById.set(contract.id, contract);
    const list = rules.contractsByCampaign.get(contract.campaignId) ?? [];
    list.push(contract);
    rules.contractsByCampaign.set(contract.campaignId, list);
  }
  for (const row of [...(rows.experiments ?? [])].sort((a, b) => a.startedAt - b.startedAt)) {
    const variants = parseJson(row.variants, VariantsSchema, { table: "experiments", id: row.id, column: "variants" }, problems);
    if (!variants) continue;
    const e: Experiment = {
      id: row.id,
      campaignId: row.campaignId,
      name: row.name,
      status: row.status,
      variants,
      startedAt: row.startedAt,
    };
    rules.experimentsById.set(e.id, e);
    if (e.status !== "running") continue;
    if (rules.experimentsByCampaign.has(e.campaignId))
      problems.push({
        table: "experiments",
        id: e.id,
        column: "status",
        message: `campaign ${e.campaignId} already runs experiment ${rules.experimentsByCampaign.get(e.campaignId)!.id}`,
      });
    else rules.experimentsByCampaign.set(e.campaignId, e);
  }
  return rules;
}
