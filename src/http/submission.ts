// What the lead routes (POST /v1/leads, /v1/pings, /v1/posts) share: the campaign a body names,
// the lead and consent checked against it (every wrong field listed), the request's metadata, and
// the deferred writes of the pipeline.
import type { Context } from "hono";
import { parseConsent } from "../lead/consent";
import { parseLead, type LeadData } from "../lead/fields";
import { log } from "../lib/log";
import type { Campaign, Rules } from "../rules/compile";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** The active campaign the body names: 422 without one, 404 for an unknown one. */
export function campaignOf(rules: Rules, input: Record<string, unknown>): Campaign {
  const slug = typeof input.campaign === "string" ? input.campaign.trim() : "";
  if (!slug) throw new ApiError(422, "validation_failed", "campaign is required", [{ path: "campaign", message: "is required" }]);
  const campaign = rules.campaignsBySlug.get(slug);
  if (!campaign) throw new ApiError(404, "unknown_campaign", `no active campaign "${slug.slice(0, 64)}"`);
  return campaign;
}

/** The full lead and its consent under the campaign's fields, or a 422 listing every wrong field. */
export function validLead(campaign: Campaign, input: Record<string, unknown>): { lead: LeadData; consent: Record<string, string | boolean> | null } {
  const fields = parseLead(campaign.fields, input);
  const consent = parseConsent(input, campaign.requireConsent);
  const errors = [...(fields.ok ? [] : fields.errors), ...(consent.ok ? [] : consent.errors)];
  if (!fields.ok || !consent.ok) throw new ApiError(422, "validation_failed", `${errors.length} field(s) are not valid`, errors);
  return { lead: fields.lead, consent: consent.consent };
}

/** Where the lead came from, as stored with it (never logged). */
export function requestMeta(c: Context<AppEnv>, input: Record<string, unknown>, extra: Record<string, string | null>): Record<string, string | null> {
  const cf = (c.req.raw as Request & { cf?: IncomingRequestCfProperties }).cf;
  return {
    ip: c.req.header("cf-connecting-ip") ?? null,
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
