// Buyer schedules: days and hours in the buyer's own time zone.
import type { Schedule } from "../rules/schemas";
import { localParts, WEEKDAYS } from "../lib/time";

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function isScheduleOpen(schedule: Schedule | null, defaultTz: string, at: Date | number): boolean {
  if (!schedule) return true;
  const p = localParts(at, schedule.timezone ?? defaultTz);
  const now = p.hour * 60 + p.minute;
  const today = p.weekday;
  const yesterday = WEEKDAYS[(WEEKDAYS.indexOf(today) + 6) % 7]!;
  return schedule.windows.some((w) => {
    const [start, end] = [minutes(w.start), minutes(w.end)];
    if (start <= end) return w.days.includes(today) && now >= start && now < end;
    // Overnight window (22:00-06:00): the evening part belongs to the listed day,
    // the early-morning part to the day after it.
    return (w.days.includes(today) && now >= start) || (w.days.includes(yesterday) && now < end);
  });
}
