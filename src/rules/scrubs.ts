// A campaign's scrub and validation connectors (campaigns.scrubs): litigator and blacklist scrubs
// and a phone or email validator, run with the pre-sale checks (src/services/scrubs.ts). Each result
// is cached per consumer fingerprint for `cache_s` (scrubs are paid per call), each paid call's cost
// is recorded for the campaign's report, and `on_fail` / `on_timeout` say what a listed consumer and
// a vendor that is down do to the lead.
import * as z from "zod";
import { CHECK_ACTIONS } from "./schemas";

export const SCRUB_VENDORS = ["tcpa_litigator", "dncscrub", "blacklist_alliance", "validator"] as const;
export type ScrubVendor = (typeof SCRUB_VENDORS)[number];

/** TCPA Litigator List's list types (`type`): TCPA plaintiffs and trolls, DNC complainers, or both. */
export const TCPA_LIST_TYPES = ["tcpa", "dnc", "all"] as const;

export const ScrubSchema = z
  .object({
    vendor: z.enum(SCRUB_VENDORS),
    /** The check's name in the trace and the report (default: the vendor). */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,31}$/, "names are snake_case, at most 32 chars")
      .optional(),
    /** The posts wait for it at most this long (it runs while the pings are out). */
    timeout_ms: z.number().int().min(50).max(3000).default(1000),
    /** A listed (or invalid) consumer: reject, continue or flag. */
    on_fail: z.enum(CHECK_ACTIONS).default("reject"),
    /** The vendor down: a timeout, an error, a redirect, an unreadable answer. */
    on_timeout: z.enum(CHECK_ACTIONS).default("continue"),
    /** How long a result is reused for the same consumer, in seconds (0: every lead is checked). */
    cache_s: z
      .number()
      .int()
      .min(0)
      .max(90 * 86_400)
      .default(7 * 86_400),
    /** What one call costs, in cents, for the campaign's scrub report (cached results cost nothing). */
    cost_cents: z.number().int().min(0).max(10_000).default(0),
    /** tcpa_litigator: the lists to scrub against. */
    types: z.array(z.enum(TCPA_LIST_TYPES)).min(1).max(3).optional(),
    /** blacklist_alliance: the lookup's API version. */
    ver: z.enum(["v1", "v3", "v5"]).optional(),
    /** validator: what it validates. */
    check: z.enum(["phone", "email"]).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const own: Record<ScrubVendor, string[]> = {
      tcpa_litigator: ["types"],
      dncscrub: [],
      blacklist_alliance: ["ver"],
      validator: ["check"],
    };
    for (const key of ["types", "ver", "check"] as const)
      if (s[key] !== undefined && !own[s.vendor].includes(key))
        ctx.addIssue({ code: "custom", message: `"${key}" is not a ${s.vendor} option` });
  });
export type Scrub = z.infer<typeof ScrubSchema>;

export const ScrubsSchema = z
  .array(ScrubSchema)
  .max(5)
  .refine((list) => new Set(list.map((s) => s.name ?? s.vendor)).size === list.length, "two scrubs with one name: give them names");

/** The check's name. */
export const scrubName = (s: Scrub): string => s.name ?? s.vendor;

/** What a cached result answers: the vendor and the options that change its answer. */
export function scrubCacheKey(s: Scrub): string {
  if (s.vendor === "tcpa_litigator") return `tcpa_litigator:${[...(s.types ?? ["tcpa"])].sort().join("+")}`;
  if (s.vendor === "blacklist_alliance") return `blacklist_alliance:${s.ver ?? "v3"}`;
  if (s.vendor === "validator") return `validator:${s.check ?? "phone"}`;
  return s.vendor;
}
