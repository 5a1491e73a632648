// A campaigns row as the gateway uses it, or undefined (with its problems recorded).
import type { CampaignRow } from "../../db/schema";
import type { Campaign } from "../model";
import { ScrubsSchema } from "../scrubs";
import {
  AgedTiersSchema,
  CHECK_ACTIONS,
  FieldDefsSchema,
  JORNAYA_MODES,
  MAX_RESALE_AGE_DAYS,
  PreSaleHooksSchema,
  TRUSTEDFORM_MODES,
  type AgedTier,
  type FieldDef,
} from "../schemas";
import {
  isDeployableUrl,
  MAX_PING_TIMEOUT_MS,
  MAX_POST_DEADLINE_MS,
  parseJson,
  positiveOrNull,
  snake,
  URL_RULE,
  where,
  type Problems,
} from "./shared";

/** The consent checks' settings: known values only (SQLite takes any text), and what they need. */
function consentCheckProblems(
  row: CampaignRow,
  fields: FieldDef[] | undefined,
  at: (c: string) => Omit<Problems[number], "message">,
  problems: Problems,
) {
  const oneOf = (col: "trustedform" | "jornaya" | "jornayaOnFail" | "jornayaOnTimeout", allowed: readonly string[]) => {
    if (!allowed.includes(row[col])) problems.push({ ...at(snake(col)), message: `must be one of ${allowed.join(", ")}` });
  };
  oneOf("trustedform", TRUSTEDFORM_MODES);
  oneOf("jornaya", JORNAYA_MODES);
  oneOf("jornayaOnFail", CHECK_ACTIONS);
  oneOf("jornayaOnTimeout", CHECK_ACTIONS);
  // TrustedForm matches the certificate to the lead's consumer by email or phone; without either, every lead fails.
  if (row.trustedform !== "off" && fields && !fields.some((f) => f.type === "email" || f.type === "phone"))
    problems.push({ ...at("trustedform"), message: "TrustedForm matches the certificate by email or phone: add an email or phone field" });
}

/** Exclusive or shared by value, and resales: what each needs of the rest of the row. */
function resaleProblems(
  row: CampaignRow,
  tiers: AgedTier[] | undefined,
  at: (c: string) => Omit<Problems[number], "message">,
  problems: Problems,
) {
  if (row.sellByValue && (row.exclusive || row.maxBuyers < 2))
    problems.push({ ...at("sell_by_value"), message: "selling by value needs a shared campaign: exclusive = 0 and max_buyers >= 2" });
  if (row.sellByValue && row.mode !== "auction") problems.push({ ...at("sell_by_value"), message: "selling by value needs mode auction" });
  if (!["none", "shared", "all"].includes(row.agedSold)) problems.push({ ...at("aged_sold"), message: "must be one of none, shared, all" });
  if (row.resaleDelayS < 0 || row.resaleDelayS > 30 * 86_400)
    problems.push({ ...at("resale_delay_s"), message: "must be between 0 and 2592000 (30 days)" });
  if (row.resaleMaxAgeDays < 1 || row.resaleMaxAgeDays > MAX_RESALE_AGE_DAYS)
    problems.push({ ...at("resale_max_age_days"), message: `must be between 1 and ${MAX_RESALE_AGE_DAYS}` });
  const last = tiers?.at(-1);
  if (last && last.days > row.resaleMaxAgeDays)
    problems.push({ ...at("aged_tiers"), message: `a tier at ${last.days} days is past resale_max_age_days (${row.resaleMaxAgeDays})` });
  if (last && row.retentionDays !== null && last.days >= row.retentionDays)
    problems.push({ ...at("aged_tiers"), message: `a tier at ${last.days} days is past the retention (${row.retentionDays} days)` });
}

export function compileCampaign(row: CampaignRow, problems: Problems): Campaign | undefined {
  const at = where("campaigns", row.id);
  const fields = parseJson(row.fields, FieldDefsSchema, at("fields"), problems);
  const verifyHooks = parseJson(row.verifyHooks, PreSaleHooksSchema, at("verify_hooks"), problems);
  const agedTiers = parseJson(row.agedTiers, AgedTiersSchema, at("aged_tiers"), problems);
  const scrubs = parseJson(row.scrubs, ScrubsSchema, at("scrubs"), problems);
  const before = problems.length;
  resaleProblems(row, agedTiers, at, problems);
  for (const h of verifyHooks ?? [])
    if (!isDeployableUrl(h.url)) problems.push({ ...at("verify_hooks"), message: `hook ${h.name}: url ${URL_RULE}` });
  consentCheckProblems(row, fields, at, problems);
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
  // Retry rounds are numbered 1..retry_max_attempts; resale rounds from RESALE_ROUND_BASE (1000) up.
  if (row.retryMaxAttempts < 0 || row.retryMaxAttempts > 100)
    problems.push({ ...at("retry_max_attempts"), message: "must be between 0 and 100" });
  for (const col of ["maxBidCents", "pingsPerMinute"] as const)
    if (!positiveOrNull.safeParse(row[col]).success) problems.push({ ...at(snake(col)), message: "must be a positive integer or NULL" });
  if (scrubs?.length && fields && !fields.some((f) => f.type === "phone" || f.type === "email"))
    problems.push({ ...at("scrubs"), message: "scrubs check the consumer's phone or email: add a phone or email field" });
  if (!fields || !verifyHooks || !agedTiers || !scrubs || problems.length > before) return undefined;
  const { createdAt: _c, version: _v, ...rest } = row;
  return { ...rest, fields, verifyHooks, agedTiers, scrubs };
}
