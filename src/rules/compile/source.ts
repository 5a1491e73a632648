// A sources row as the gateway uses it, or undefined (with its problems recorded).
import type { SourceRow } from "../../db/schema";
import type { Source } from "../model";
import { OriginListSchema, StringListSchema } from "../schemas";
import { isDeployableUrl, MIN_POSTBACK_SECRET, parseJson, positiveOrNull, snake, URL_RULE, where, type Problems } from "./shared";

export function compileSource(row: SourceRow, problems: Problems): Source | undefined {
  const at = where("sources", row.id);
  const allowedCampaigns = parseJson(row.allowedCampaigns, StringListSchema, at("allowed_campaigns"), problems);
  const allowedOrigins = parseJson(row.allowedOrigins, OriginListSchema, at("allowed_origins"), problems);
  const before = problems.length;
  if (row.payoutType === "share" && (row.payoutValue < 0 || row.payoutValue > 10_000))
    problems.push({ ...at("payout_value"), message: "a revenue share is 0..10000 basis points" });
  if (row.payoutType === "fixed" && row.payoutValue < 0) problems.push({ ...at("payout_value"), message: "must not be negative" });
  if (!row.apiKeyHash && !row.publishableKey)
    problems.push({ ...at("api_key_hash"), message: "a source needs an API key hash or a publishable key" });
  for (const col of ["apiKeyHash", "apiKeyHashNext", "reportKeyHash"] as const) {
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
  const { createdAt: _c, version: _v, ...rest } = row;
  return { ...rest, allowedCampaigns, allowedOrigins };
}
