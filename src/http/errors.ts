// One error type, one error body and one handler: every failure is a JSON 4xx naming what is
// wrong, an unavailable dependency is a 503 with Retry-After, and anything unexpected is a logged
// 500 without internals.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ERROR_CODE_LIST, fieldErrors, LimitReached, Refusal, Unavailable, type ErrorCode, type FieldError } from "../lib/errors";
import { log } from "../lib/log";

export const ErrorBodySchema = z
  .object({
    error: z.enum(ERROR_CODE_LIST).describe("machine-readable code (docs/API.md, Error codes)"),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).describe("every field that is wrong (422)"),
  })
  .openapi("Error");
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
    /** Headers the answer carries (Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A JSON body under its schema, or a 422 listing every wrong field. */
export function parsedOr422<T>(schema: z.ZodType<T>, body: unknown): T {
  const p = schema.safeParse(body);
  if (!p.success) throw new ApiError(422, "validation_failed", "the body is not valid", fieldErrors(p.error));
  return p.data;
}

/** A limit's refusal as the 429 it answers. */
export const tooMany = (e: LimitReached) => new ApiError(429, e.code, e.message, [], { "retry-after": String(Math.max(1, e.retryAfterS)) });

export const errorBody = (e: ApiError): ErrorBody => ({ error: e.code, message: e.message, fields: e.fields });

export function onError(err: Error, c: Context): Response {
  if (err instanceof LimitReached) err = tooMany(err);
  if (err instanceof Refusal) err = new ApiError(err.status, err.code, err.message, err.fields);
  // A request validator's own refusal: a JSON body that does not parse.
  if (err instanceof HTTPException && err.status === 400) err = new ApiError(400, "malformed_json", "the body is not valid JSON");
  if (err instanceof ApiError) return c.json(errorBody(err), err.status, err.headers);
  if (err instanceof Unavailable) {
    log("unavailable", { path: new URL(c.req.url).pathname, error: err.code }, "error");
    return c.json({ error: err.code, message: err.message, fields: [] }, 503, { "retry-after": "1" });
  }
  log("unhandled_error", { path: new URL(c.req.url).pathname, error: err.message.slice(0, 200) }, "error");
  return c.json({ error: "internal_error", message: "internal error", fields: [] }, 500);
}

const ERROR_MEANINGS = {
  400: "Malformed JSON or form body",
  401: "Missing or unknown key or token",
  403: "Origin or campaign not allowed for this source, or the browser's Turnstile check failed (bot_check_failed)",
  404: "Not found",
  413: "Body larger than the limit (32 KB by default)",
  415: "Unsupported content type",
  409: "A conflict: the Idempotency-Key (or external_id) was used for a different lead, the ping_id was already posted, the value list is still in use, or a rule row changed since the version sent",
  410: "The ping's offer expired",
  422: "Not valid: every wrong field is listed",
  428: "The write names no version: send If-Match or `version`",
  429: "Over a rate limit or the source's daily quota: nothing was stored; retry after Retry-After seconds",
  503: "A dependency (D1, a Durable Object, Turnstile's siteverify) is unavailable and nothing was accepted; retry after Retry-After seconds",
} as const;
type ErrorStatus = keyof typeof ERROR_MEANINGS;

/** OpenAPI responses for the error statuses a route can answer, all with the one error body. */
export function errorResponses<const S extends ErrorStatus>(
  ...statuses: S[]
): Record<S, { description: string; content: { "application/json": { schema: typeof ErrorBodySchema } } }> {
  const out = {} as Record<S, { description: string; content: { "application/json": { schema: typeof ErrorBodySchema } } }>;
  for (const s of statuses) out[s] = { description: ERROR_MEANINGS[s], content: { "application/json": { schema: ErrorBodySchema } } };
  return out;
}
