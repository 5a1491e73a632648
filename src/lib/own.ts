// Lookups by keys that come from outside (a form, a buyer's answer, an admin's template) read only
// an object's own properties: "constructor" or "__proto__" must never reach Object.prototype.

/** Path segments refused in templates: they name the prototype chain, not data. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The own property `key` of `obj`, or undefined. */
export function own(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === "object" && Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/** A dotted path without prototype-chain segments. */
export const isSafePath = (path: string): boolean => path.split(".").every((k) => k.length > 0 && !UNSAFE_KEYS.has(k));

/** A JSON object (not null, not an array): what may be read key by key. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
