// Which source is calling: a server with its API key, or a browser form with the source's
// publishable key from an allowed Origin.
import { sha256Hex } from "../lib/crypto";
import type { Campaign, Rules, Source } from "../rules/compile";
import { ApiError } from "./errors";

export interface Credentials {
  apiKey: string | null;
  publishableKey: string | null;
  origin: string | null;
}

export async function sourceByApiKey(rules: Rules, apiKey: string | null | undefined): Promise<Source> {
  if (!apiKey) throw new ApiError(401, "unauthorized", "send the source's X-Api-Key");
  const source = rules.sourcesByKeyHash.get(await sha256Hex(apiKey));
  if (!source) throw new ApiError(401, "unauthorized", "unknown API key (X-Api-Key)");
  return source;
}

export async function authenticate(rules: Rules, creds: Credentials, campaign: Campaign): Promise<Source> {
  let source: Source | undefined;
  if (creds.apiKey) {
    source = await sourceByApiKey(rules, creds.apiKey);
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
