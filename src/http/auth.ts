// Which source is calling: a server with its API key, or a browser form with the source's
// publishable key from an allowed Origin. The key is checked before anything else the body names
// (the campaign included), so campaign slugs can't be probed without a key.
import { sha256Hex } from "../lib/crypto";
import type { Rules, Source } from "../rules/model";
import { ApiError } from "./errors";

export interface Credentials {
  apiKey: string | null;
  publishableKey: string | null;
  origin: string | null;
}

/** How a source reached us: browsers hold only a public key, so they learn and may do less. */
export type Channel = "server" | "browser";

export async function sourceByApiKey(rules: Rules, apiKey: string | null | undefined): Promise<Source> {
  if (!apiKey) throw new ApiError(401, "unauthorized", "send the source's X-Api-Key");
  const source = rules.sourcesByKeyHash.get(await sha256Hex(apiKey));
  if (!source) throw new ApiError(401, "unauthorized", "unknown API key (X-Api-Key)");
  return source;
}

export async function authenticate(rules: Rules, creds: Credentials): Promise<{ source: Source; channel: Channel }> {
  if (creds.apiKey) return { source: await sourceByApiKey(rules, creds.apiKey), channel: "server" };
  if (!creds.publishableKey) throw new ApiError(401, "unauthorized", "send X-Api-Key, or a publishable key from a browser form");
  const source = rules.sourcesByPublishableKey.get(creds.publishableKey);
  if (!source) throw new ApiError(401, "unauthorized", "unknown publishable key");
  if (!creds.origin || !source.allowedOrigins.includes(creds.origin))
    throw new ApiError(403, "origin_not_allowed", `origin ${creds.origin?.slice(0, 200) ?? "(none)"} may not post for this source`);
  return { source, channel: "browser" };
}

/** Origins any active source allows: what a CORS preflight (which carries no key) can be answered for. */
export function originAllowedByAnySource(rules: Rules, origin: string): boolean {
  for (const s of rules.sourcesById.values()) if (s.allowedOrigins.includes(origin)) return true;
  return false;
}
