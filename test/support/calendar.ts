// Instants that break date arithmetic, for tests that must pass on every day of the year: month ends,
// the 29th of February, New Year's Eve, and the daylight-saving changes of the buyer time zones the
// tests use. Tests take "now" from here (or from a property), never from the wall clock.
export const TEST_TIME_ZONES = [
  "UTC",
  "America/New_York",
  "America/Chicago",
  "America/Los_Angeles",
  "Europe/London",
  "Asia/Tokyo",
  // The zones furthest from UTC on either side.
  "Pacific/Kiritimati",
  "Pacific/Pago_Pago",
] as const;

export const AWKWARD_INSTANTS: readonly [string, number][] = (
  [
    ["end of January", "2026-01-31T23:59:59.999Z"],
    ["start of February", "2026-02-01T00:00:00.000Z"],
    ["end of February (common year)", "2026-02-28T23:59:59.999Z"],
    ["start of March", "2026-03-01T00:00:00.000Z"],
    ["US daylight saving starts (New York, 02:00 EST)", "2026-03-08T07:00:00.000Z"],
    ["US daylight saving starts (Los Angeles)", "2026-03-08T10:00:00.000Z"],
    ["EU summer time starts (London)", "2026-03-29T01:00:00.000Z"],
    ["end of April", "2026-04-30T23:30:00.000Z"],
    ["EU summer time ends (London)", "2026-10-25T01:00:00.000Z"],
    ["US daylight saving ends (New York, 02:00 EDT)", "2026-11-01T06:00:00.000Z"],
    ["US daylight saving ends (Chicago)", "2026-11-01T07:00:00.000Z"],
    ["the last day of November", "2026-11-30T23:10:00.000Z"],
    ["New Year's Eve", "2026-12-31T23:59:59.999Z"],
    ["New Year's Day", "2027-01-01T00:00:00.000Z"],
    ["the 29th of February", "2028-02-29T12:00:00.000Z"],
    ["the end of the 29th of February", "2028-02-29T23:59:59.999Z"],
    ["the day after the 29th of February", "2028-03-01T00:00:00.000Z"],
    ["mid-month", "2027-06-15T12:00:00.000Z"],
  ] as const
).map(([name, iso]) => [name, Date.parse(iso)]);
