// Structured logs: one JSON line per event. Callers pass ids, counts and reasons — never lead PII.
export type LogFields = Record<string, string | number | boolean | null | undefined | string[]>;

export function log(event: string, fields: LogFields = {}, level: "info" | "warn" | "error" = "info"): void {
  const line = JSON.stringify({ at: new Date().toISOString(), level, event, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
