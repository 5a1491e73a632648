// One error type and one handler: every failure is a JSON 4xx naming what is wrong, and anything
// unexpected is a logged 500 without internals.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { FieldError } from "../lead/fields";
import type { ErrorBodySchema } from "../lead/response";
import { Unavailable } from "../lib/errors";
import { log } from "../lib/log";

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }
}

export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const errorBody = (e: ApiError): ErrorBody => ({ error: e.code, message: e.message, fields: e.fields });

export function onError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return c.json(errorBody(err), err.status);
  if (err instanceof Unavailable) {
    log("unavailable", { path: new URL(c.req.url).pathname, error: err.code }, "error");
    return c.json({ error: err.code, message: err.message, fields: [] }, 503, { "retry-after": "1" });
  }
  log("unhandled_error", { path: new URL(c.req.url).pathname, error: err.message.slice(0, 200) }, "error");
  return c.json({ error: "internal_error", message: "internal error", fields: [] }, 500);
}
