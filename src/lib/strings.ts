// Small helpers on strings shared across layers.

/** A stable 32-bit hash of a string (for picking one object of a pool, not for security). */
export function hash32(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}

const regexCache = new Map<string, RegExp>();

/** A compiled regex, cached per isolate (patterns come from validated rules, so the set is bounded). */
export function cachedRegex(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) regexCache.set(pattern, (re = new RegExp(pattern)));
  return re;
}
