// Load shedding at the edge: an isolate works on at most MAX_INFLIGHT_LEADS lead submissions at once
// (POST /v1/leads, /v1/pings, /v1/posts). Past that, a submission is answered at once with 503
// `overloaded` and Retry-After — before it is read, stored or pinged — rather than queued behind the
// others until everyone times out. A spike then costs the excess a fast retry, not everyone a slow
// answer (bench: the spike test in docs/PERFORMANCE.md).
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

let inFlight = 0;

// First of all middleware, so the excess costs as little as possible: the limit is read from the raw
// var (the parsed configuration comes later).
export const shedLoad: MiddlewareHandler<AppEnv> = async (c, next) => {
  const max = Number(c.env.MAX_INFLIGHT_LEADS ?? 256);
  if (c.req.method !== "POST" || max <= 0) return next();
  if (inFlight >= max)
    throw new ApiError(503, "overloaded", "the gateway is at capacity; retry after Retry-After seconds (nothing was stored)", [], {
      "retry-after": "1",
    });
  inFlight++;
  try {
    await next();
  } finally {
    inFlight--;
  }
};
