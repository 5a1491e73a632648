// Structured logs: one JSON line per event. Callers pass ids, counts and reasons — never lead PII.
export type LogFields = Record<string, string | number | boolean | null | undefined | string[]>;

export type LogLevel = "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { info: 0, warn: 1, error: 2 };
let threshold = 0;

/** Set from the LOG_LEVEL var (per isolate). */
export function setLogLevel(level: LogLevel): void {
  threshold = RANK[level];
}

export function log(event: string, fields: LogFields = {}, level: LogLevel = "info"): void {
  if (RANK[level] < threshold) return;
  const line = JSON.stringify({ at: new Date().toISOString(), level, event, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** What was thrown, as a short line for a log field (anything may be thrown, not only an Error). */
export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 200);
