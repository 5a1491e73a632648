// The sources table as the editor and the rules API show it (./spec.ts): one entry per column.
import { field as f, type TableSpec } from "./spec";

const G = { basics: "Basics", keys: "Keys (write-only)", browser: "Browser forms", money: "Payout", limits: "Limits" };

export const SOURCES: TableSpec = {
  name: "sources",
  title: "Sources",
  singular: "source",
  idPrefix: "src",
  listColumns: ["name", "status", "payout_type", "payout_value", "allowed_campaigns"],
  fixed: ["id", "version", "created_at"],
  fields: [
    f("name", "Name", "text", G.basics, "The publisher's name."),
    f("status", "Status", "select", G.basics, "paused: its keys are refused (401)."),
    f("allowed_campaigns", "Campaigns", "lines", G.basics, "Campaign slugs it may post to, one per line; * for all."),
    f("api_key_hash", "API key", "key", G.keys, "A server's X-Api-Key. Type a new key to set it; only its SHA-256 is stored."),
    f("api_key_hash_next", "Next API key", "key", G.keys, "A second key during a rotation; both work until you move it over."),
    f("report_key_hash", "Reporting key", "key", G.keys, "Logs in to the publisher's console and reads its report; never posts a lead."),
    f("postback_secret", "Postback secret", "secret", G.keys, "Signs postbacks (32+ characters)."),
    f("turnstile_secret", "Turnstile secret", "secret", G.keys, "This source's own Turnstile secret key. Empty: the gateway's."),
    f("publishable_key", "Publishable key", "text", G.browser, "A browser form's public key; valid only from the allowed origins."),
    f("allowed_origins", "Allowed origins", "lines", G.browser, "Exact origins (https://quotes.example.com), one per line."),
    f("turnstile", "Turnstile", "checkbox", G.browser, "Browser submissions must carry a Turnstile token."),
    f("success_url", "Success page", "url", G.browser, "Where a plain HTML form goes when its lead is accepted."),
    f("failure_url", "Failure page", "url", G.browser, "Where it goes otherwise (with the error code and wrong field names)."),
    f("payout_type", "Payout type", "select", G.money, "share: basis points of the sale price; fixed: cents per sold lead."),
    f("payout_value", "Payout", "number", G.money, "share: 7000 = 70 %; fixed: cents (800 = $8.00)."),
    f(
      "return_clawback",
      "Claw back returns",
      "checkbox",
      G.money,
      "An approved return takes the payout back (off: the exchange absorbs it).",
    ),
    f("postback_url", "Postback URL", "url", G.money, "Receives lead.final for leads answered pending (needs a postback secret)."),
    f("ip_per_minute", "Per IP per minute", "number", G.limits, "Browser submissions per client network. Empty: no limit."),
    f("key_per_minute", "Per key per minute", "number", G.limits, "Submissions under the source's key, per channel. Empty: no limit."),
    f("pings_per_minute", "Seller pings per minute", "number", G.limits, "POST /v1/pings per minute. Empty: no limit."),
    f("daily_lead_quota", "Daily lead quota", "number", G.limits, "Leads accepted per UTC day. Empty: no quota."),
  ],
};
