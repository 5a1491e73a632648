// A campaigns row as the gateway uses it, or undefined (with its problems recorded).
import type { CampaignRow } from "../../db/schema";
import type { Campaign } from "../model";
import { CHECK_ACTIONS, FieldDefsSchema, JORNAYA_MODES, PreSaleHooksSchema, TRUSTEDFORM_MODES, type FieldDef } from "../schemas";
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

export function compileCampaign(row: CampaignRow, problems: Problems): Campaign | undefined {
  const at = where("campaigns", row.id);
  const fields = parseJson(row.fields, FieldDefsSchema, at("fields"), problems);
  const verifyHooks = parseJson(row.verifyHooks, PreSaleHooksSchema, at("verify_hooks"), problems);
  const before = problems.length;
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
  if (row.retryMaxAttempts < 0) problems.push({ ...at("retry_max_attempts"), message: "must not be negative" });
  for (const col of ["maxBidCents", "pingsPerMinute"] as const)
    if (!positiveOrNull.safeParse(row[col]).success) problems.push({ ...at(snake(col)), message: "must be a positive integer or NULL" });
  if (!fields || !verifyHooks || problems.length > before) return undefined;
  const { createdAt: _c, version: _v, ...rest } = row;
  return { ...rest, fields, verifyHooks };
}
