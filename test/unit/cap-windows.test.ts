// The cap-window retention rule (lib/time.ts, CAP_WINDOW_RETENTION), checked against its statement
// with independent calendar arithmetic, for every awkward date and as a property over a century.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CAP_WINDOW_RETENTION, capWindows, isCapWindowExpired } from "../../src/lib/time";
import { AWKWARD_INSTANTS, TEST_TIME_ZONES } from "../support/calendar";

const pad = (n: number) => String(n).padStart(2, "0");
/** The UTC month `k` calendar months before `now`'s, named like a window ("2026-09"). */
const monthBefore = (now: number, k: number) => {
  const d = new Date(now);
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - k, 1));
  return `${m.getUTCFullYear()}-${pad(m.getUTCMonth() + 1)}`;
};
/** The UTC day `k` calendar days before `now`'s ("2026-11-27"). */
const dayBefore = (now: number, k: number) => {
  const d = new Date(now);
  const x = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - k));
  return `${x.getUTCFullYear()}-${pad(x.getUTCMonth() + 1)}-${pad(x.getUTCDate())}`;
};
const current = (now: number, tz: string) => {
  const w = capWindows(now, tz);
  return [`h:${w.hour}`, `d:${w.day}`, `m:${w.month}`];
};
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
const zone = fc.constantFrom(...TEST_TIME_ZONES);

describe("cap window retention", () => {
  it.each(AWKWARD_INSTANTS)("%s: every current window is kept, in every zone", (_name, now) => {
    for (const tz of TEST_TIME_ZONES) for (const w of current(now, tz)) expect(isCapWindowExpired(w, now), `${tz} ${w}`).toBe(false);
  });

  it.each(AWKWARD_INSTANTS)("%s: a window goes exactly when it is older than the rule says", (_name, now) => {
    const { days, months } = CAP_WINDOW_RETENTION;
    expect(isCapWindowExpired(`m:${monthBefore(now, months)}`, now)).toBe(false);
    expect(isCapWindowExpired(`m:${monthBefore(now, months + 1)}`, now)).toBe(true);
    expect(isCapWindowExpired(`d:${dayBefore(now, days)}`, now)).toBe(false);
    expect(isCapWindowExpired(`d:${dayBefore(now, days + 1)}`, now)).toBe(true);
    expect(isCapWindowExpired(`h:${dayBefore(now, days)}T23-05:00`, now)).toBe(false);
    expect(isCapWindowExpired(`h:${dayBefore(now, days + 1)}T23+14:00`, now)).toBe(true);
  });

  it("property: windows k months / k days back are expired iff k exceeds the retention", () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 90 }), (now, km, kd) => {
        expect(isCapWindowExpired(`m:${monthBefore(now, km)}`, now)).toBe(km > CAP_WINDOW_RETENTION.months);
        expect(isCapWindowExpired(`d:${dayBefore(now, kd)}`, now)).toBe(kd > CAP_WINDOW_RETENTION.days);
      }),
      { numRuns: 500 },
    );
  });

  it("property: no window that is current in any zone is ever pruned", () => {
    fc.assert(
      fc.property(instant, zone, (now, tz) => {
        for (const w of current(now, tz)) expect(isCapWindowExpired(w, now)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
