// What every table's compiler shares: JSON columns parsed under their zod schema with a problem that
// names the row and column, the URL rule, the bounds the round's timing relies on.
import * as z from "zod";
import type { RuleProblem } from "../model";

export function parseJson<T>(
  raw: string | null,
  schema: z.ZodType<T>,
  where: Omit<RuleProblem, "message">,
  problems: RuleProblem[],
): T | undefined {
  let value: unknown;
  try {
    value = raw === null ? null : JSON.parse(raw);
  } catch {
    problems.push({ ...where, message: "not valid JSON" });
    return undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    problems.push({ ...where, message: z.prettifyError(parsed.error).replace(/\n/g, "; ") });
    return undefined;
  }
  return parsed.data;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** `https:`, or `http:` to loopback only (local development and tests): consumer data never travels in clear. */
export function isDeployableUrl(u: string | null): boolean {
  if (u === null) return false;
  try {
    const url = new URL(u);
    return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
  } catch {
    return false;
  }
}
export const URL_RULE = "must be an https: URL (http: only to 127.0.0.1 or localhost)";

/**
 * The longest a round can last is bounded: pings by the campaign's ping timeout, the cascade by its
 * post deadline. So a post always finishes well inside a cap block and a dedupe hold, and the
 * sweeper (which waits longer than any round) never starts a second round beside a running one.
 */
export const MAX_PING_TIMEOUT_MS = 10_000;
export const MAX_POST_DEADLINE_MS = 30_000;

/** A contract's signing keys: the current one, and the next during a rotation. */
export const keys = (current: string, next: string | null): string[] => (next ? [current, next] : [current]);

/** Shortest postback secret: a signature is only as strong as its key. */
export const MIN_POSTBACK_SECRET = 32;

export const positiveOrNull = z.number().int().positive().nullable();

/** camelCase column key to its SQL name, for problem reports. */
export const snake = (key: string) => key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

export type Problems = RuleProblem[];
export const where = (table: RuleProblem["table"], id: string) => (column: string) => ({ table, id, column });
