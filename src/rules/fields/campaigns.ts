// The campaigns table as the editor and the rules API show it (./spec.ts): one entry per column.
import { CHECK_ACTIONS } from "../schemas";
import { SCRUB_VENDORS, TCPA_LIST_TYPES } from "../scrubs";
import { field as f, type RowColumn, type TableSpec } from "./spec";

const action = (key: string, label: string): RowColumn => ({ key, label, kind: "select", options: CHECK_ACTIONS });

/** The cells of a scrub connector's row (src/rules/scrubs.ts); the last three belong to one vendor each. */
const SCRUB_COLUMNS: readonly RowColumn[] = [
  { key: "vendor", label: "vendor", kind: "select", options: SCRUB_VENDORS },
  { key: "name", label: "name", kind: "text" },
  { key: "timeout_ms", label: "timeout (ms)", kind: "number" },
  action("on_fail", "listed or invalid"),
  action("on_timeout", "vendor down"),
  { key: "cache_s", label: "cache (s)", kind: "number" },
  { key: "cost_cents", label: "cost (cents)", kind: "number" },
  { key: "types", label: "TCPA lists", kind: "list", options: TCPA_LIST_TYPES },
  { key: "ver", label: "Blacklist version", kind: "select", options: ["v1", "v3", "v5"] },
  { key: "check", label: "validates", kind: "select", options: ["phone", "email"] },
];

const HOOK_COLUMNS: readonly RowColumn[] = [
  { key: "name", label: "name", kind: "text" },
  { key: "url", label: "URL", kind: "text" },
  { key: "timeout_ms", label: "timeout (ms)", kind: "number" },
  action("on_fail", "fails"),
  action("on_timeout", "no answer"),
];

const AGED_TIER_COLUMNS: readonly RowColumn[] = [
  { key: "days", label: "days old", kind: "number" },
  { key: "floor_cents", label: "floor (cents)", kind: "number" },
];

const G = {
  basics: "Basics",
  auction: "Auction",
  dedupe: "Duplicates and retries",
  consent: "Consent and checks",
  data: "Data",
  quality: "Quality",
  resale: "Resale and aged leads",
};

export const CAMPAIGNS: TableSpec = {
  name: "campaigns",
  title: "Campaigns",
  singular: "campaign",
  idPrefix: "cmp",
  listColumns: ["slug", "name", "status", "mode", "floor_cents", "ping_timeout_ms"],
  fixed: ["id", "version", "created_at"],
  fields: [
    f("slug", "Slug", "text", G.basics, "What sources send as `campaign` (lower case, dashes)."),
    f("name", "Name", "text", G.basics, "Shown in the console and reports."),
    f("status", "Status", "select", G.basics, "paused: its leads are answered 404 unknown_campaign; its contracts keep their settings."),
    f(
      "fields",
      "Lead fields",
      "fields",
      G.basics,
      "The fields a lead carries. Only fields marked ping (never personal data) are sent in pings.",
    ),
    f(
      "mode",
      "Mode",
      "select",
      G.auction,
      "auction: every eligible buyer is pinged at once; waterfall: one tier after another by priority.",
    ),
    f(
      "floor_cents",
      "Floor (cents)",
      "number",
      G.auction,
      "The lowest bid that can win, in cents (1200 = $12.00). Fallback tiers ignore it.",
    ),
    f("ping_timeout_ms", "Ping deadline (ms)", "number", G.auction, "How long the whole ping phase may take (50–10000)."),
    f(
      "post_deadline_ms",
      "Post deadline (ms)",
      "number",
      G.auction,
      "Time for the synchronous post cascade, from the first post (100–30000).",
    ),
    f("exclusive", "Exclusive", "checkbox", G.auction, "Sold to one buyer. Off: shared, up to max buyers."),
    f("max_buyers", "Max buyers", "number", G.auction, "Shared campaigns: how many buyers may buy one lead (exclusive: 1)."),
    f("max_fanout", "Max buyers pinged", "number", G.auction, "Pings per lead at most (1–1000); lowest priority skipped first."),
    f("max_bid_cents", "Max bid (cents)", "number", G.auction, "A bid above it is invalid and ignored. Empty: no ceiling."),
    f(
      "pings_per_minute",
      "Pings per minute",
      "number",
      G.auction,
      "Outbound pings per minute per location; over it leads wait for a retry round. Empty: no limit.",
    ),
    f(
      "dedupe_window_s",
      "Duplicate window (s)",
      "number",
      G.dedupe,
      "The same phone or email within this many seconds is a duplicate (0: off).",
    ),
    f("retry_max_attempts", "Retry attempts", "number", G.dedupe, "Retry rounds for an unsold lead."),
    f("retry_base_delay_s", "Retry delay (s)", "number", G.dedupe, "The first retry's delay; later ones back off."),
    f("sale_window_s", "Sale window (s)", "number", G.dedupe, "How long after receipt retries may still sell the lead."),
    f(
      "require_consent",
      "Require consent",
      "checkbox",
      G.consent,
      "Leads must carry TCPA consent, its text and a TrustedForm or Jornaya id.",
    ),
    f("consent_max_age_s", "Consent max age (s)", "number", G.consent, "The oldest a consent timestamp may be. Empty: any age."),
    f("one_to_one", "One-to-one consent", "checkbox", G.consent, "Leads name consent_sellers; only those buyers compete."),
    f("trustedform", "TrustedForm", "select", G.consent, "Certificate checks before posting: verify, claim (retain) or both."),
    f("jornaya", "Jornaya", "select", G.consent, "authenticate: the LeadiD token is checked before posting."),
    f("jornaya_on_fail", "Jornaya: not authentic", "select", G.consent, "What a token Jornaya does not authenticate does."),
    f("jornaya_on_timeout", "Jornaya: no answer", "select", G.consent, "What a Jornaya timeout or error does."),
    {
      ...f(
        "verify_hooks",
        "Verification hooks",
        "records",
        G.consent,
        'Up to 5, called before any post: a name, its URL, a timeout (50–3000 ms), what a failure and no answer do. JSON: [{"name","url","timeout_ms","on_fail","on_timeout"}].',
      ),
      columns: HOOK_COLUMNS,
    },
    f("retention_days", "Retention (days)", "number", G.data, "Personal fields are redacted after this many days. Empty: kept."),
    f("quality_weighting", "Rank by quality", "checkbox", G.quality, "Bids rank at bid x adjustment x the contract's quality score."),
    {
      ...f(
        "scrubs",
        "Scrubs",
        "records",
        G.consent,
        'Up to 5 litigator, blacklist and validation connectors, run with the pre-sale checks; a result is reused for cache_s, each call costs cost_cents. TCPA lists: tcpa, dnc, all. JSON: [{"vendor","name","on_fail","on_timeout","cache_s","cost_cents"}].',
      ),
      columns: SCRUB_COLUMNS,
    },
    f(
      "sell_by_value",
      "Sell by value",
      "checkbox",
      G.auction,
      "Each lead exclusive or shared, whichever pays more (needs shared, max buyers 2+).",
    ),
    f("resell_returns", "Resell returns", "checkbox", G.resale, "After an approved return, offer the lead to buyers that never had it."),
    f("resale_delay_s", "Resale delay (s)", "number", G.resale, "How long after the return it is offered again (3600 = an hour)."),
    f("resale_max_age_days", "Resale max age (days)", "number", G.resale, "No resale of a lead, or of its consent, older than this."),
    {
      ...f(
        "aged_tiers",
        "Aged tiers",
        "records",
        G.resale,
        'When unsold leads are offered to aged-lead buyers: at so many days old, at a floor (floors never rising). JSON: [{"days":1,"floor_cents":500},…].',
      ),
      columns: AGED_TIER_COLUMNS,
    },
    f("aged_sold", "Aged: sold leads too", "select", G.resale, "none; shared (leads sold shared); all (exclusive ones too)."),
    f("quality_window_days", "Quality window (days)", "number", G.quality, "The period the quality score is computed over."),
    f("quality_return_weight", "Return weight (%)", "number", G.quality, "How much the return rate lowers the score."),
    f("quality_reject_weight", "Reject weight (%)", "number", G.quality, "How much the post reject rate lowers the score."),
    f("quality_failure_weight", "Failure weight (%)", "number", G.quality, "How much timeouts and errors lower the score."),
    f("quality_positive_weight", "Positive weight (%)", "number", G.quality, "How much positive feedback raises it (0.05 at most)."),
  ],
};
