// Time-sortable ids (ULID), so records cluster by creation time in D1 indexes.
import { ulid } from "ulidx";

export const newId = (prefix: "ld" | "pg" | "po" | "cl" | "sp" | "rt" | "wl" | "inv" | "rs"): string => `${prefix}_${ulid()}`;
