// Wall-clock parts of an instant in an IANA time zone. Everything else stays in UTC.

/** An epoch-ms instant as ISO 8601 UTC, null staying null. */
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

export interface LocalParts {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number; // 0..23
  minute: number;
  weekday: (typeof WEEKDAYS)[number];
  /** UTC offset in effect, e.g. "-05:00": tells the two 01:00 hours of a DST fall-back apart. */
  offset: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      weekday: "short",
      timeZoneName: "longOffset",
    });
    formatters.set(tz, f);
  }
  return f;
}

export function localParts(at: Date | number, tz: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(at)) parts[p.type] = p.value;
  const offset = (parts.timeZoneName ?? "GMT").replace("GMT", "") || "+00:00";
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: (parts.weekday ?? "Sun").toLowerCase().slice(0, 3) as LocalParts["weekday"],
    offset,
  };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Names of the cap windows an instant falls in, in the buyer's time zone. */
export function capWindows(at: Date | number, tz: string): { hour: string; day: string; month: string } {
  const p = localParts(at, tz);
  const day = `${p.year}-${pad(p.month)}-${pad(p.day)}`;
  return { hour: `${day}T${pad(p.hour)}${p.offset}`, day, month: `${p.year}-${pad(p.month)}` };
}

/**
 * How long a cap window's usage outlives the instant that left it, stated once: hour and day windows
 * are kept while their day is within `days` calendar days of today (UTC), month windows while their
 * month is within `months` calendar months of this month (UTC). Windows are named in the buyer's zone,
 * at most 14 h from UTC, so these margins keep every window that is current anywhere.
 */
export const CAP_WINDOW_RETENTION = { days: 3, months: 2 } as const;

/** The oldest day and month names still kept at `now`: a window named before them is pruned. */
export function capWindowCutoffs(now: number): { day: string; month: string } {
  const d = new Date(now);
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - CAP_WINDOW_RETENTION.days));
  const month = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - CAP_WINDOW_RETENTION.months, 1));
  return {
    day: `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`,
    month: `${month.getUTCFullYear()}-${pad(month.getUTCMonth() + 1)}`,
  };
}

/** Whether a stored cap window (`h:…`, `d:…`, `m:…`) is old enough to prune at `now`. */
export function isCapWindowExpired(window: string, now: number): boolean {
  const cut = capWindowCutoffs(now);
  if (window.startsWith("m:")) return window.slice(2, 9) < cut.month;
  return window.slice(2, 12) < cut.day;
}
