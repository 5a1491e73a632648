// A contracts row, against its buyer and campaign, as the gateway uses it — or undefined, with every
// problem recorded. Its sample answers are read with the buyer's own protocol, so a template that
// can't read its buyer's answers is caught before a lead is lost to it.
import type { BuyerRow, CampaignRow, ContractHealthRow, ContractQualityRow, ContractRow } from "../../db/schema";
import { walletSettingsOf } from "../../billing/wallet";
import { readPing, readPost } from "../../buyers/protocol";
import { describeRule, priceFor } from "../../auction/price-rules";
import type { Campaign, CompiledPriceRule, Contract, RuleProblem } from "../model";
import {
  ApiHeadersSchema,
  FiltersSchema,
  MAX_RESALE_AGE_DAYS,
  ProtocolSchema,
  ScheduleSchema,
  StringListSchema,
  TimeZoneSchema,
  type Protocol,
} from "../schemas";
import { compilePriceRules, resolveFilters, type ListSets } from "./pricing";
import { isDeployableUrl, keys, MAX_POST_DEADLINE_MS, parseJson, positiveOrNull, snake, URL_RULE, where, type Problems } from "./shared";

type At = (column: string) => Omit<RuleProblem, "message">;

/** What a contract is checked against: its buyer and campaign rows (a paused campaign's contracts are checked too). */
export interface ContractContext {
  buyer: BuyerRow | undefined;
  campaignRow: CampaignRow | undefined;
  /** The compiled campaign, when it validates (its fields name what filters may use). */
  campaign: Campaign | undefined;
  health?: ContractHealthRow;
  quality?: ContractQualityRow;
  /** The value lists, as sets (./pricing.ts); absent: none. */
  lists?: ListSets;
}

/** The contract's sample answers must read as a bid and an acceptance under its protocol. */
function checkSampleAnswers(row: ContractRow, protocol: Protocol, at: At, problems: Problems): void {
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
 * Each price rule, applied to the contract's price (its fixed price, or the bid its sample ping answer
 * reads as), must leave a price to sell at: a rule that prices the sample at nothing is a mistake.
 */
function checkSamplePrices(row: ContractRow, protocol: Protocol, rules: CompiledPriceRule[], at: At, problems: Problems): void {
  const sample = row.samplePingAnswer === null ? undefined : readPing({ protocol }, { status: 200, body: row.samplePingAnswer });
  const base = row.pricing === "fixed" ? row.fixedPriceCents : sample?.kind === "bid" ? sample.bidCents : null;
  if (base === null || base <= 0) return;
  rules.forEach((rule, i) => {
    const p = priceFor({ priceRules: [{ ...rule, when: [] }] }, {}, base);
    if (p.kind === "price" && p.cents <= 0)
      problems.push({
        ...at("price_rules"),
        message: `${describeRule(i + 1, rule.name)} prices ${base}c (the ${row.pricing === "fixed" ? "fixed price" : "sample bid"}) at ${p.cents}c`,
      });
  });
}

/** Where the contract sends leads and how it is priced. */
function checkEndpointsAndPrice(row: ContractRow, protocol: Protocol | undefined, at: At, problems: Problems): void {
  if (!TimeZoneSchema.safeParse(row.timezone).success)
    problems.push({ ...at("timezone"), message: `unknown IANA time zone "${row.timezone}"` });
  if (!isDeployableUrl(row.postUrl)) problems.push({ ...at("post_url"), message: URL_RULE });
  for (const col of ["deletionUrl", "testPingUrl", "testPostUrl"] as const)
    if (row[col] !== null && !isDeployableUrl(row[col])) problems.push({ ...at(snake(col)), message: URL_RULE });
  if (row.pricing === "dynamic" && !isDeployableUrl(row.pingUrl))
    problems.push({ ...at("ping_url"), message: `a dynamic-price contract needs a ping URL that ${URL_RULE.replace("must be", "is")}` });
  if (row.pricing === "fixed" && (row.fixedPriceCents === null || row.fixedPriceCents <= 0))
    problems.push({ ...at("fixed_price_cents"), message: "a fixed-price contract needs a positive price" });
  if (row.pricing === "dynamic" && protocol?.kind === "template" && !protocol.ping)
    problems.push({ ...at("protocol"), message: "a dynamic-price template contract needs a ping template" });
  if (row.bidAdjustBps < 0 || row.bidAdjustBps > 100_000)
    problems.push({ ...at("bid_adjust_bps"), message: "must be between 0 and 100000" });
  if (row.timeoutMs < 10 || row.timeoutMs > 10_000) problems.push({ ...at("timeout_ms"), message: "must be between 10 and 10000" });
  if (row.postTimeoutMs < 100 || row.postTimeoutMs > MAX_POST_DEADLINE_MS)
    problems.push({ ...at("post_timeout_ms"), message: `must be between 100 and ${MAX_POST_DEADLINE_MS}` });
  if (row.minPingMs < 0 || row.minPingMs > row.timeoutMs)
    problems.push({ ...at("min_ping_ms"), message: "must be between 0 and timeout_ms" });
  for (const col of ["secret", "pingSecret", "secretNext", "pingSecretNext"] as const) {
    const v = row[col];
    if (v !== null && v.length < 16) problems.push({ ...at(snake(col)), message: "must be at least 16 characters" });
  }
}

/** Caps and the circuit breaker's thresholds. */
function checkLimits(row: ContractRow, at: At, problems: Problems): void {
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
}

const lowest = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

interface ParsedColumns {
  protocol: Protocol;
  filters: Contract["filters"];
  priceRules: Contract["priceRules"];
  schedule: Contract["schedule"];
  apiHeaders: Record<string, string>;
  returnReasons: string[];
  returnAutoApprove: string[];
}

function build(row: ContractRow, buyer: BuyerRow, ctx: ContractContext, p: ParsedColumns): Contract {
  const { health, quality } = ctx;
  return {
    id: row.id,
    buyerId: row.buyerId,
    buyerName: buyer.name,
    campaignId: row.campaignId,
    name: row.name,
    pingUrl: row.pingUrl,
    postUrl: row.postUrl,
    protocol: p.protocol,
    postSecrets: keys(row.secret, row.secretNext),
    apiHeaders: p.apiHeaders,
    pingSecrets: keys(row.pingSecret ?? row.secret, row.pingSecret ? row.pingSecretNext : row.secretNext),
    signatureV1: row.signatureV1,
    timeoutMs: row.timeoutMs,
    postTimeoutMs: row.postTimeoutMs,
    minPingMs: row.minPingMs,
    pricing: row.pricing,
    fixedPriceCents: row.fixedPriceCents,
    minBidCents: row.minBidCents,
    bidAdjustBps: row.bidAdjustBps,
    priority: row.priority,
    filters: p.filters,
    priceRules: p.priceRules,
    schedule: p.schedule,
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
    maxBidCents: lowest(row.maxBidCents, ctx.campaignRow?.maxBidCents ?? null),
    breaker: {
      windowS: row.breakerWindowS,
      minSamples: row.breakerMinSamples,
      rejectPct: row.breakerRejectPct,
      errorPct: row.breakerErrorPct,
      timeoutPct: row.breakerTimeoutPct,
      cooldownS: row.breakerCooldownS,
    },
    health: health ? { state: health.state, reason: health.reason, since: health.since, until: health.until, trips: health.trips } : null,
    returns: { windowH: row.returnWindowH, capBps: row.returnCapBps, reasons: p.returnReasons, autoApprove: p.returnAutoApprove },
    qualityBps: quality?.scoreBps ?? 10_000,
    wallet: walletSettingsOf(buyer),
    aged: row.agedMinDays !== null && row.agedMaxDays !== null ? { minDays: row.agedMinDays, maxDays: row.agedMaxDays } : null,
    sharedPriceBps: row.sharedPriceBps,
  };
}

/** An aged-lead contract's ages (both or neither, 1..90 days) and a shared price's share. */
function checkAgedAndShared(row: ContractRow, at: At, problems: Problems): void {
  const { agedMinDays: min, agedMaxDays: max } = row;
  if ((min === null) !== (max === null))
    problems.push({ ...at("aged_min_days"), message: "set both aged_min_days and aged_max_days, or neither" });
  else if (min !== null && max !== null && !(min >= 1 && min <= max && max <= MAX_RESALE_AGE_DAYS))
    problems.push({
      ...at("aged_min_days"),
      message: `aged leads are 1 <= aged_min_days <= aged_max_days <= ${MAX_RESALE_AGE_DAYS} days old`,
    });
  if (row.sharedPriceBps !== null && (row.sharedPriceBps < 1 || row.sharedPriceBps > 10_000))
    problems.push({ ...at("shared_price_bps"), message: "must be between 1 and 10000, or NULL (the same price)" });
}

/** A contract row against its buyer and campaign, or undefined when it does not validate. */
export function compileContract(row: ContractRow, ctx: ContractContext, problems: Problems): Contract | undefined {
  const at = where("contracts", row.id);
  const lists = ctx.lists ?? new Map();
  const protocol = parseJson(row.protocol, ProtocolSchema, at("protocol"), problems);
  const parsedFilters = parseJson(row.filters, FiltersSchema, at("filters"), problems);
  const filters = parsedFilters && resolveFilters(parsedFilters, lists, at("filters"), problems);
  const priceRules = compilePriceRules(row.priceRules, ctx.campaign, lists, at("price_rules"), problems);
  const schedule = parseJson(row.schedule, ScheduleSchema.nullable(), at("schedule"), problems);
  const apiHeaders = parseJson(row.apiHeaders, ApiHeadersSchema, at("api_headers"), problems);
  const returnReasons = parseJson(row.returnReasons, StringListSchema, at("return_reasons"), problems);
  const returnAutoApprove = parseJson(row.returnAutoApprove, StringListSchema, at("return_auto_approve"), problems);
  const before = problems.length;
  if (protocol) checkSampleAnswers(row, protocol, at, problems);
  if (protocol && priceRules) checkSamplePrices(row, protocol, priceRules.compiled, at, problems);
  if (!ctx.buyer) problems.push({ ...at("buyer_id"), message: `no buyer "${row.buyerId}"` });
  if (!ctx.campaignRow) problems.push({ ...at("campaign_id"), message: `no campaign "${row.campaignId}"` });
  checkEndpointsAndPrice(row, protocol, at, problems);
  checkLimits(row, at, problems);
  checkAgedAndShared(row, at, problems);
  if (ctx.campaign && filters) {
    const names = new Set(ctx.campaign.fields.map((f) => f.name));
    names.add("age");
    for (const f of filters)
      if (!names.has(f.field))
        problems.push({ ...at("filters"), message: `filter on unknown field "${f.field}" of campaign ${ctx.campaign.slug}` });
  }
  if (row.returnWindowH < 0 || row.returnWindowH > 24 * 90)
    problems.push({ ...at("return_window_h"), message: "must be between 0 and 2160 hours" });
  if (row.returnCapBps < 0 || row.returnCapBps > 10_000)
    problems.push({ ...at("return_cap_bps"), message: "must be 0..10000 basis points" });
  if (!protocol || !filters || !priceRules || !apiHeaders || !returnReasons || !returnAutoApprove || schedule === undefined)
    return undefined;
  if (problems.length > before || !ctx.buyer) return undefined;
  const parsed = { protocol, filters, priceRules: priceRules.compiled, schedule, apiHeaders, returnReasons, returnAutoApprove };
  return build(row, ctx.buyer, ctx, parsed);
}
