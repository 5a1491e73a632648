// Every error code the API answers with, and what it means: one list that types the errors raised
// anywhere (ApiError in http/, the failures below), the OpenAPI document's error body and the table in
// docs/API.md (a test checks the two agree).
import type * as z from "zod";

export const ERROR_CODES = {
  unsupported_media_type: "the body is not JSON, urlencoded or multipart",
  payload_too_large: "the body is larger than the limit",
  malformed_json: "the body is not valid JSON, or not a JSON object",
  malformed_form: "the form body could not be parsed, or carries a file",
  invalid_encoding: "the body is not valid text in its charset (UTF-8 unless declared), or holds ill-formed Unicode",
  unauthorized: "a key, token, session or signature is missing or wrong",
  origin_not_allowed: "the browser's origin may not post for this source",
  campaign_not_allowed: "the source may not post to this campaign",
  bot_check_failed: "the browser's Turnstile token is missing, refused or spent",
  bot_check_unavailable: "Turnstile's siteverify did not answer (or no secret is configured): retry",
  rate_limited: "over a per-IP or per-key rate limit (see Retry-After)",
  ping_rate_limited: "over the source's seller-ping rate limit (see Retry-After)",
  limits_unavailable: "the rate limiter could not be reached, so a browser's submission is refused: retry",
  daily_quota_reached: "the source's daily lead quota is used up (see Retry-After)",
  validation_failed: "a field is not valid: every wrong field is listed in `fields`",
  unknown_campaign: "no active campaign with that slug",
  campaign_misconfigured: "the campaign's rules do not validate: retry after Retry-After",
  idempotency_conflict: "the idempotency key was used for a different lead",
  storage_unavailable: "the lead could not be stored (nothing was accepted): retry with the same Idempotency-Key",
  gateway_misconfigured: "the gateway lacks a secret or setting it needs (see /admin/health): retry after Retry-After",
  overloaded: "the gateway is at capacity for the moment (nothing was stored): retry after Retry-After",
  rules_unavailable: "the rules could not be loaded: retry shortly",
  unknown_ping: "no offer with that ping_id for this source",
  ping_used: "the ping's offer was already posted",
  ping_expired: "the ping's offer expired",
  ping_mismatch: "the posted lead does not match its ping",
  not_found: "no such route or record",
  already_decided: "the return was already approved or denied",
  already_returned: "the lead was already returned under this contract",
  returns_not_allowed: "the contract takes no returns",
  reason_not_allowed: "the return reason is not one the contract allows",
  return_window_closed: "the contract's return window has closed",
  return_cap_reached: "the contract's return cap is reached",
  period_closed: "the date falls in a period an invoice has closed (or the period overlaps an invoiced one)",
  already_booked: "that reference was booked before with a different amount",
  bad_signature: "the Stripe-Signature header is missing, forged or too old",
  webhook_replayed: "this exact signed event was delivered before (a replay); nothing was booked",
  list_in_use: "the value list is named by contracts' filters or price rules: change them first",
  version_required: "a rule write must say which version it changes (If-Match or `version`)",
  version_conflict: "the rule row changed since the version the write names: read it again",
  already_exists: "a rule row with that id exists already",
  revert_conflict: "the change can't be undone as it stands (the row changed since, or records depend on it)",
  internal_error: "an unexpected failure (logged); nothing internal is shown",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** One wrong input: where (a dotted path, or `body` for the body as a whole) and why. */
export interface FieldError {
  path: string;
  message: string;
}

/** zod's issues as the API's field errors: the one place they are mapped. */
export function fieldErrors(error: Pick<z.ZodError, "issues">): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join(".") || "body", message: i.message }));
}

/** A dependency (D1, a Durable Object) is down and nothing was accepted: the caller should retry. Mapped to 503. */
export class Unavailable extends Error {
  constructor(
    readonly code: Extract<ErrorCode, "storage_unavailable" | "rules_unavailable">,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A request refused by the code below the edge, with the status and error code it answers (the edge
 * maps it as it is): how a rule edit says "422 this field", "409 changed since" or "404".
 */
export class Refusal extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 422 | 428,
    readonly code: ErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }
}

/** The same idempotency key came with a different request: mapped to 409, nothing was accepted. */
export class IdempotencyConflict extends Error {
  readonly code = "idempotency_conflict";
  constructor(readonly leadId: string) {
    super("this Idempotency-Key was used for a different lead; use a new key for a new lead");
  }
}

/** A rate limit or quota refused the request before anything was stored: mapped to 429 with Retry-After. */
export class LimitReached extends Error {
  constructor(
    readonly code: Extract<ErrorCode, "rate_limited" | "daily_quota_reached" | "ping_rate_limited">,
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}
