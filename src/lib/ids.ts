// Time-sortable ids (ULID), so records cluster by creation time in D1 indexes.
import { ulid } from "ulidx";

export const newId = (prefix: "ld" | "pg" | "po" | "cl" | "sp" | "rt"): string => `${prefix}_${ulid()}`;

/** A new rule row's id (`ct_01k…`): lower case, as admins type ids. */
export const newRuleId = (prefix: string): string => `${prefix}_${ulid().toLowerCase()}`;
