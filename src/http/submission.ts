// What the lead routes (POST /v1/leads, /v1/pings, /v1/posts) share, in the order they run it: who
// is sending (key, rate limits, and a browser's Turnstile token: nothing is stored or pinged for a
// sender refused here), the campaign the body names, the lead and consent checked against it (every
// wrong field listed), the request's metadata, and the deferred writes of the pipeline.
import type { Context } from "hono";
import { parseConsent, type Consent } from "../lead/consent";
import { parseLead, type LeadData } from "../lead/fields";
import { LimitReached } from "../lib/errors";
import { log } from "../lib/log";
import type { SubmissionLimits } from "../limits/policy";
import type { LimitVerdict } from "../limits/window";
import { UNAVAILABLE } from "../services/limits";
import type { Campaign, Rules, Source } from "../rules/model";
import { authenticate, type Channel, type Credentials } from "./auth";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** The form field (and header, for `fetch` clients) that carries the Turnstile token. */
export const TURNSTILE_FIELD = "cf-turnstile-response";

export const clientIp = (c: Context<AppEnv>) => c.req.header("cf-connecting-ip") ?? null;

/** The sending source, by its key (401, or 403 for a browser from another origin). */
export const identifySender = (c: Context<AppEnv>, creds: Credentials) => authenticate(c.var.rules, creds);

/** A limit's verdict as the answer it gives: 429 when over, 503 when a browser source's counter can't be reached. */
function enforce(verdict: LimitVerdict): void {
  if (verdict.ok) return;
  if (verdict.key === UNAVAILABLE)
    throw new ApiError(503, "limits_unavailable", "the rate limiter could not be reached; retry", [], { "retry-after": "1" });
  throw new LimitReached("rate_limited", "too many requests; retry after Retry-After seconds", Math.ceil(verdict.retryAfterMs / 1000));
}

/** A browser source with Turnstile on: its token (403 bot_check_failed, or 503 when siteverify can't say). */
async function checkBot(c: Context<AppEnv>, input: Record<string, unknown>, source: Source): Promise<void> {
  const field = input[TURNSTILE_FIELD];
  const token = c.req.header(TURNSTILE_FIELD) ?? (typeof field === "string" ? field : null);
  const check = await c.var.services.turnstile.verify(token, {
    secret: source.turnstileSecret,
    ip: clientIp(c),
    hostnames: source.allowedOrigins.map((o) => new URL(o).hostname),
  });
  if (check.ok) return;
  log(
    "bot_check_failed",
    { source: source.id, reason: check.reason, detail: check.detail },
    check.reason === "unavailable" ? "error" : "info",
  );
  if (check.reason === "unavailable")
    throw new ApiError(503, "bot_check_unavailable", "the bot check could not be completed; retry", [], { "retry-after": "1" });
  throw new ApiError(403, "bot_check_failed", check.detail, [{ path: TURNSTILE_FIELD, message: check.detail }]);
}

/**
 * The identified sender, screened in this order: the per-network shield (this location's counter),
 * a browser's Turnstile token, then the key's budget (one counter for the whole exchange). A browser
 * source's limits fail closed (503) when their counter can't be reached; a server's fail open (logged).
 */
export async function screenSender(
  c: Context<AppEnv>,
  input: Record<string, unknown>,
  { source, channel }: { source: Source; channel: Channel },
  limits: SubmissionLimits,
): Promise<void> {
  const { limits: counters } = c.var.services;
  const failClosed = channel === "browser";
  enforce(await counters.check(source.id, limits.shield, { scope: "location", failClosed }));
  if (channel === "browser" && source.turnstile) await checkBot(c, input, source);
  enforce(await counters.check(source.id, limits.budget, { scope: "global", failClosed }));
}

/**
 * The active campaign the body names, for this source: 422 without one, 404 unknown, 503 broken
 * rules, 403 not allowed.
 */
export function campaignOf(rules: Rules, source: Source, input: Record<string, unknown>): Campaign {
  if (input.campaign !== undefined && typeof input.campaign !== "string") {
    const got = input.campaign === null ? "null" : Array.isArray(input.campaign) ? "a list" : `a ${typeof input.campaign}`;
    const message = `must be the campaign's slug, a string such as "auto-insurance"; received ${got}`;
    throw new ApiError(422, "validation_failed", `campaign ${message}`, [{ path: "campaign", message }]);
  }
  const slug = typeof input.campaign === "string" ? input.campaign.trim() : "";
  if (!slug)
    throw new ApiError(422, "validation_failed", 'campaign is required: the campaign\'s slug, a string such as "auto-insurance"', [
      { path: "campaign", message: "is required" },
    ]);
  const campaign = rules.campaignsBySlug.get(slug);
  if (!campaign) {
    // An active campaign whose rules don't validate: its leads are not lost, the sender retries.
    if (rules.brokenCampaigns.has(slug))
      throw new ApiError(503, "campaign_misconfigured", `campaign "${slug.slice(0, 64)}" is misconfigured; retry later`, [], {
        "retry-after": "60",
      });
    throw new ApiError(404, "unknown_campaign", `no active campaign "${slug.slice(0, 64)}"`);
  }
  if (!source.allowedCampaigns.includes("*") && !source.allowedCampaigns.includes(campaign.slug))
    throw new ApiError(403, "campaign_not_allowed", `this source may not post to campaign ${campaign.slug}`);
  return campaign;
}

/** The full lead and its consent under the campaign's fields, or a 422 listing every wrong field. */
export function validLead(campaign: Campaign, input: Record<string, unknown>): { lead: LeadData; consent: Consent | null } {
  const fields = parseLead(campaign.fields, input);
  const consent = parseConsent(input, { required: campaign.requireConsent, maxAgeS: campaign.consentMaxAgeS, oneToOne: campaign.oneToOne });
  const errors = [...(fields.ok ? [] : fields.errors), ...(consent.ok ? [] : consent.errors)];
  if (!fields.ok || !consent.ok) throw new ApiError(422, "validation_failed", `${errors.length} field(s) are not valid`, errors);
  return { lead: fields.lead, consent: consent.consent };
}

/** Where the lead came from, as stored with it (never logged). */
export function requestMeta(
  c: Context<AppEnv>,
  input: Record<string, unknown>,
  extra: Record<string, string | null>,
): Record<string, string | null> {
  const cf = (c.req.raw as Request & { cf?: IncomingRequestCfProperties }).cf;
  return {
    ip: clientIp(c),
    user_agent: c.req.header("user-agent")?.slice(0, 512) ?? null,
    country: (cf?.country as string | undefined) ?? null,
    region: (cf?.regionCode as string | undefined) ?? null,
    sub_id: typeof input.sub_id === "string" ? input.sub_id.slice(0, 128) : null,
    ...extra,
  };
}

/** The pipeline's deferred writes: after the answer, a failure logged, never thrown. */
export const deferIn = (c: Context<AppEnv>) => (p: Promise<unknown>) =>
  c.executionCtx.waitUntil(p.catch((err: Error) => log("deferred_write_failed", { error: err.message.slice(0, 200) }, "error")));
