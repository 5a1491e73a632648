import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesFilter } from "../../src/auction/filters";
import { isScheduleOpen } from "../../src/auction/schedule";
import { capWindows } from "../../src/lib/time";
import { FilterSchema, ScheduleSchema } from "../../src/rules/schemas";

const lead = { state: "TX", zip: "75001", age: 42, homeowner: true, credit: "good" };
const f = (x: unknown) => FilterSchema.parse(x);

describe("buyer filters", () => {
  it.each([
    [{ field: "state", op: "eq", value: "tx" }, true],
    [{ field: "state", op: "neq", value: "TX" }, false],
    [{ field: "state", op: "in", values: ["CA", "TX"] }, true],
    [{ field: "zip", op: "not_in", values: ["75001"] }, false],
    [{ field: "age", op: "range", min: 30, max: 50 }, true],
    [{ field: "age", op: "range", min: 43 }, false],
    [{ field: "zip", op: "regex", pattern: "^750" }, true],
    [{ field: "homeowner", op: "eq", value: true }, true],
    [{ field: "vehicle_year", op: "exists" }, false],
    [{ field: "vehicle_year", op: "range", max: 2000 }, false],
  ])("%j -> %s", (filter, expected) => {
    expect(matchesFilter(f(filter), lead)).toBe(expected);
  });

  it("rejects bad filter rules at validation", () => {
    expect(FilterSchema.safeParse({ field: "age", op: "range" }).success).toBe(false);
    expect(FilterSchema.safeParse({ field: "zip", op: "regex", pattern: "([" }).success).toBe(false);
  });

  it("takes patterns a backtracking engine would choke on (RE2 runs them: test/unit/regex.test.ts), refuses what RE2 can't run", () => {
    for (const pattern of ["(a+)+$", "^(\\w+\\s?)*$", "(x*)*y", "((ab)*)+c", "^9[0-4]\\d{3}$", "^(CA|TX|FL)$", "gmail\\.com$"])
      expect(FilterSchema.safeParse({ field: "zip", op: "regex", pattern }).success).toBe(true);
    expect(matchesFilter(f({ field: "zip", op: "regex", pattern: "^(\\w+\\s?)*$" }), { zip: `${"word ".repeat(200)}!` })).toBe(false);
    for (const pattern of ["(\\d)\\1", "^(?!000)\\d{5}$"])
      expect(FilterSchema.safeParse({ field: "zip", op: "regex", pattern }).success).toBe(false);
  });

  it("property: range matches exactly the numbers inside it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: -1000, max: 1000 }),
        (a, b, v) => {
          const [min, max] = a <= b ? [a, b] : [b, a];
          expect(matchesFilter(f({ field: "n", op: "range", min, max }), { n: v })).toBe(v >= min && v <= max);
        },
      ),
    );
  });
});

describe("schedules in the buyer's time zone", () => {
  const weekdays9to5 = ScheduleSchema.parse({ windows: [{ days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "17:00" }] });

  it("is open 9-5 New York time, whatever UTC says", () => {
    // Monday 2026-11-23 13:59 UTC = 08:59 EST; 14:00 UTC = 09:00 EST.
    expect(isScheduleOpen(weekdays9to5, "America/New_York", Date.parse("2026-11-23T13:59:00Z"))).toBe(false);
    expect(isScheduleOpen(weekdays9to5, "America/New_York", Date.parse("2026-11-23T14:00:00Z"))).toBe(true);
    // The same instant is 06:00 in Los Angeles: closed there.
    expect(isScheduleOpen(weekdays9to5, "America/Los_Angeles", Date.parse("2026-11-23T14:00:00Z"))).toBe(false);
    // Friday 17:00 local is closed (end is exclusive); Saturday is closed.
    expect(isScheduleOpen(weekdays9to5, "America/New_York", Date.parse("2026-11-27T22:00:00Z"))).toBe(false);
    expect(isScheduleOpen(weekdays9to5, "America/New_York", Date.parse("2026-11-28T15:00:00Z"))).toBe(false);
  });

  it("follows daylight saving: 09:00 local is 13:00 UTC in summer, 14:00 UTC in winter", () => {
    expect(isScheduleOpen(weekdays9to5, "America/New_York", Date.parse("2026-07-06T13:00:00Z"))).toBe(true);
    expect(isScheduleOpen(weekdays9to5, "America/New_York", Date.parse("2026-11-23T13:00:00Z"))).toBe(false);
  });

  it("runs overnight windows past midnight into the next day", () => {
    const nights = ScheduleSchema.parse({ timezone: "Europe/London", windows: [{ days: ["fri"], start: "22:00", end: "06:00" }] });
    expect(isScheduleOpen(nights, "UTC", Date.parse("2026-11-27T23:00:00Z"))).toBe(true); // Fri 23:00
    expect(isScheduleOpen(nights, "UTC", Date.parse("2026-11-28T05:59:00Z"))).toBe(true); // Sat 05:59
    expect(isScheduleOpen(nights, "UTC", Date.parse("2026-11-28T06:00:00Z"))).toBe(false);
    expect(isScheduleOpen(nights, "UTC", Date.parse("2026-11-26T23:00:00Z"))).toBe(false); // Thu
  });

  it("no schedule means always open", () => {
    expect(isScheduleOpen(null, "UTC", 0)).toBe(true);
  });

  it("cap windows tell the two 01:00 hours of a DST fall-back apart", () => {
    // 2026-11-01: New York falls back at 02:00 EDT -> 01:00 EST.
    const first = capWindows(Date.parse("2026-11-01T05:30:00Z"), "America/New_York");
    const second = capWindows(Date.parse("2026-11-01T06:30:00Z"), "America/New_York");
    expect(first.day).toBe("2026-11-01");
    expect(second.day).toBe("2026-11-01");
    expect(first.hour).not.toBe(second.hour);
  });
});
