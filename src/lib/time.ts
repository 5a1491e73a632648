// Wall-clock parts of an instant in an IANA time zone. Everything else stays in UTC.
import { WEEKDAYS } from "../rules/schemas";

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
