// The buyers and experiments tables as the editor and the rules API show them (./spec.ts).
import { field as f, type RowColumn, type TableSpec } from "./spec";

/** A routing experiment's arm: its name and share, and the campaign settings it overrides. */
const VARIANT_COLUMNS: readonly RowColumn[] = [
  { key: "name", label: "name", kind: "text" },
  { key: "share", label: "share", kind: "number" },
  { key: "settings.mode", label: "mode", kind: "select", options: ["auction", "waterfall"] },
  { key: "settings.floor_cents", label: "floor (cents)", kind: "number" },
  { key: "settings.ping_timeout_ms", label: "ping deadline (ms)", kind: "number" },
  { key: "settings.quality_weighting", label: "rank by quality", kind: "boolean" },
  { key: "settings.contracts", label: "contracts (ids)", kind: "list" },
];

export const BUYERS: TableSpec = {
  name: "buyers",
  title: "Buyers",
  singular: "buyer",
  idPrefix: "buy",
  listColumns: ["name", "status", "dedupe_window_s", "dedupe_scope"],
  // billing_epoch and billing_since are moved on by a trigger when billing or the credit limit changes.
  fixed: ["id", "version", "created_at", "billing_epoch", "billing_since"],
  fields: [
    f("name", "Name", "text", "Buyer", "The buyer's name: shown in traces, reports and one-to-one consent."),
    f("status", "Status", "select", "Buyer", "paused: none of its contracts are pinged or posted."),
    f("dedupe_window_s", "Never the same consumer twice within (s)", "number", "Buyer", "2592000 = 30 days; 0: no buyer dedupe."),
    f(
      "dedupe_scope",
      "Dedupe across",
      "select",
      "Buyer",
      "buyer: across all its contracts and campaigns; contract: each contract on its own.",
    ),
    f(
      "billing",
      "Billing",
      "select",
      "Money",
      "none: never checked; prepaid: its balance pays each price; credit: it may owe up to its limit.",
    ),
    f("credit_limit_cents", "Credit limit (cents)", "number", "Money", "credit: what it may owe at most (500000 = $5,000)."),
    f("low_balance_cents", "Low balance (cents)", "number", "Money", "Crossing below it records buyer.balance_low. Empty: no threshold."),
  ],
};

export const EXPERIMENTS: TableSpec = {
  name: "experiments",
  title: "Experiments",
  singular: "experiment",
  idPrefix: "exp",
  listColumns: ["name", "campaign_id", "status", "started_at"],
  fixed: ["id", "version"],
  fields: [
    f("campaign_id", "Campaign", "campaign", "Experiment", "The campaign it splits (one running experiment per campaign)."),
    f("name", "Name", "text", "Experiment", "What it compares, e.g. floor $12 vs $10."),
    f("status", "Status", "select", "Experiment", "ended: no new leads are assigned; the report stays."),
    {
      ...f(
        "variants",
        "Variants",
        "records",
        "Experiment",
        '2–10 arms: a name, a traffic share (weights), and what it changes (empty: the campaign\'s own). JSON: [{"name","share","settings":{"floor_cents","mode","ping_timeout_ms","quality_weighting","contracts"}}].',
      ),
      columns: VARIANT_COLUMNS,
    },
    f("started_at", "Started at (epoch ms)", "number", "Experiment", "When it started (leads before it are not assigned)."),
    f("ended_at", "Ended at (epoch ms)", "number", "Experiment", "When it ended. Empty: running."),
  ],
};
