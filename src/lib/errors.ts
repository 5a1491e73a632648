/** A dependency (D1, a Durable Object) is down and nothing was accepted: the caller should retry. Mapped to 503. */
export class Unavailable extends Error {
  constructor(
    readonly code: string,
    message: string,
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
    readonly code: "rate_limited" | "daily_quota_reached" | "ping_rate_limited",
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}
