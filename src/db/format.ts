// Stored values as they read back in answers: times (ms since the epoch) as ISO 8601, and the JSON
// text columns (event details, lead bodies) parsed.

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
