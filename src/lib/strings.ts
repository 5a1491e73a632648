// Small helpers on strings shared across layers, and the one regex engine for admins' patterns.
import { RE2JS } from "re2js";

/** A stable 32-bit hash of a string (for picking one object of a pool, not for security). */
export function hash32(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}

/**
 * The most instructions an admin's pattern may compile to. RE2 matches in time proportional to the
 * input times the program, so with bounded inputs this bounds every match (`[a-z]{1000}` is 1001).
 */
export const MAX_REGEX_PROGRAM = 1000;

/** An admin's pattern (filters, plain-text answers), matched by RE2: linear time, whatever the input. */
export interface LinearRegex {
  readonly engine: "re2";
  /** Whether the pattern matches anywhere in the input. */
  test(input: string): boolean;
  /** The leftmost match and its groups (undefined for a group that took no part), or null. */
  exec(input: string): (string | undefined)[] | null;
}

/** Why RE2 won't take a pattern (backreferences, lookarounds, too large), or undefined when it will. */
export function regexProblem(pattern: string): string | undefined {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    return `not a pattern RE2 accepts (RE2 has no backreferences or lookarounds): ${(err as Error).message}`;
  }
  const size = re.programSize();
  return size > MAX_REGEX_PROGRAM
    ? `too large: it compiles to ${size} RE2 instructions, at most ${MAX_REGEX_PROGRAM} (lower its repeat counts)`
    : undefined;
}

function compile(pattern: string): LinearRegex {
  const re = RE2JS.compile(pattern);
  return {
    engine: "re2",
    test: (input) => re.test(input),
    exec: (input) => {
      const m: unknown[] | null = re.exec(input);
      return m ? m.map((g) => (typeof g === "string" ? g : undefined)) : null;
    },
  };
}

const MAX_CACHED = 1000;
const regexCache = new Map<string, LinearRegex>();

/**
 * A pattern compiled by RE2, cached per isolate. Patterns come from validated rules (regexProblem
 * found none), so one that RE2 refuses throws here as a broken invariant.
 */
export function cachedRegex(pattern: string): LinearRegex {
  let re = regexCache.get(pattern);
  if (!re) {
    if (regexCache.size >= MAX_CACHED) regexCache.clear(); // rules change rarely: a bound, not an eviction policy
    regexCache.set(pattern, (re = compile(pattern)));
  }
  return re;
}
