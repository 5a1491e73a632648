// Time-sortable ids (ULID), so records cluster by creation time in D1 indexes.
import { ulid } from "ulidx";

export const newId = (prefix: "ld" | "pg" | "po" | "cl" | "sp" | "rt" | "wl" | "inv" | "rs" | "wh" | "evt" | "ex"): string =>
  `${prefix}_${ulid()}`;

/** A random secret (hex), for keys leadgate hands out once. */
export function randomSecret(prefix: string, bytes = 24): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return `${prefix}${[...b].map((x) => x.toString(16).padStart(2, "0")).join("")}`;
}

/** A new rule row's id (`ct_01k…`): lower case, as admins type ids. */
export const newRuleId = (prefix: string): string => `${prefix}_${ulid().toLowerCase()}`;
