// Which source is submitting: a server with its API key, or a browser form with the source's
// publishable key from an allowed Origin.
import type { Context } from "hono";
import { configOf, type Env } from "../env";
import { getRules } from "../rules/cache";
import { sha256Hex, timingSafeEqualHex } from "../lib/crypto";
import type { Campaign, Rules, Source } from "../rules/compile";
import { ApiError } from "./errors";

export interface Credentials {
  apiKey: string | null;
  publishableKey: string | null;
  origin: string | null;
}

export async function authenticate(rules: Rules, creds: Credentials, campaign: Campaign): Promise<Source> {
  let source: Source | undefined;
  if (creds.apiKey) {
    source = rules.sourcesByKeyHash.get(await sha256Hex(creds.apiKey));
    if (!source) throw new ApiError(401, "unauthorized", "unknown API key (X-Api-Key)");
  } else if (creds.publishableKey) {
    source = rules.sourcesByPublishableKey.get(creds.publishableKey);
    if (!source) throw new ApiError(401, "unauthorized", "unknown publishable key");
    if (!creds.origin || !source.allowedOrigins.includes(creds.origin))
      throw new ApiError(403, "origin_not_allowed", `origin ${creds.origin ?? "(none)"} may not post for this source`);
  } else {
    throw new ApiError(401, "unauthorized", "send X-Api-Key, or a publishable key from a browser form");
  }
  if (!source.allowedCampaigns.includes("*") && !source.allowedCampaigns.includes(campaign.slug))
    throw new ApiError(403, "campaign_not_allowed", `this source may not post to campaign ${campaign.slug}`);
  return source;
}

/** Origins any active source allows: what a CORS preflight (which carries no key) can be answered for. */
export function originAllowedByAnySource(rules: Rules, origin: string): boolean {
  for (const s of rules.sourcesById.values()) if (s.allowedOrigins.includes(origin)) return true;
  return false;
}

/** Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`; without the secret they do not exist. */
export async function requireAdmin(c: Context<{ Bindings: Env }>): Promise<void> {
  const token = c.env.ADMIN_TOKEN;
  if (!token) throw new ApiError(404, "not_found", "not found");
  const given = c.req.header("authorization")?.replace(/^Bearer\s+/i, "") ?? "";
  if (!timingSafeEqualHex(await sha256Hex(given), await sha256Hex(token))) throw new ApiError(401, "unauthorized", "bad admin token");
}

/** Server-side source routes (lead trace, reports): the source's X-Api-Key, and the rules it was checked against. */
export async function requireSourceKey(c: Context<{ Bindings: Env }>): Promise<{ source: Source; rules: Rules }> {
  const apiKey = c.req.header("x-api-key");
  if (!apiKey) throw new ApiError(401, "unauthorized", "send the source's X-Api-Key");
  const rules = await getRules(c.env.DB, configOf(c.env).RULES_TTL_MS);
  const source = rules.sourcesByKeyHash.get(await sha256Hex(apiKey));
  if (!source) throw new ApiError(401, "unauthorized", "unknown API key (X-Api-Key)");
  return { source, rules };
}
