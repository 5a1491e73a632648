// What the two views of a lead's trace (a source's and an operator's) share.
import { z } from "@hono/zod-openapi";

export const iso = z.string().describe("ISO 8601 UTC");

export const isoOf = (ms: number) => new Date(ms).toISOString();

/** An event's stored JSON detail, or the raw text if it is not JSON. */
export const parseDetail = (d: string | null): unknown => {
  if (d === null) return null;
  try {
    return JSON.parse(d) as unknown;
  } catch {
    return d;
  }
};
