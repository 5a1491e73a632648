// The rules as the gateway uses them, after validation: campaigns, sources, contracts and the
// settings that travel with them (caps, circuit breaker, returns, experiments). Types only; the lowest
// layer that knows about rules, so the pure core and the wire can name them without the compiler.
import type {
  BuyerRow,
  CampaignRow,
  ContractHealthRow,
  ContractQualityRow,
  ContractRow,
  ExperimentRow,
  SourceRow,
  ValueListRow,
} from "../db/schema";
import type { WalletSettings } from "../billing/wallet";
import type { PriceRule } from "./price-rules";
import type { Scrub } from "./scrubs";
import type { AgedTier, FieldDef, Filter, PreSaleHook, Protocol, Schedule, Variant } from "./schemas";

export type BreakerState = "closed" | "open" | "half_open";

export type TripKind = "reject_rate" | "error_rate" | "timeout_rate";

export interface BreakerSettings {
  windowS: number;
  /** Fewer requests than this in the window decide nothing. */
  minSamples: number;
  /** Thresholds in percent; null: that rate never trips. */
  rejectPct: number | null;
  errorPct: number | null;
  timeoutPct: number | null;
  cooldownS: number;
}

export interface Health {
  state: BreakerState;
  /** Why it tripped: `<kind>: <figures>`. */
  reason: string | null;
  since: number;
  /** open: when the cool-down ends. */
  until: number | null;
  trips: number;
}

export interface ReturnRules {
  windowH: number;
  capBps: number;
  reasons: readonly string[];
  autoApprove: readonly string[];
}

export interface Experiment {
  id: string;
  campaignId: string;
  name: string;
  status: "running" | "ended";
  variants: Variant[];
  startedAt: number;
}

export interface Campaign extends Omit<CampaignRow, "fields" | "createdAt" | "verifyHooks" | "agedTiers" | "scrubs" | "version"> {
  fields: FieldDef[];
  verifyHooks: PreSaleHook[];
  agedTiers: AgedTier[];
  /** Scrub and validation connectors run with the pre-sale checks (./scrubs.ts). */
  scrubs: Scrub[];
}

export interface Source extends Omit<SourceRow, "allowedCampaigns" | "allowedOrigins" | "createdAt" | "version"> {
  allowedCampaigns: string[];
  allowedOrigins: string[];
}

/**
 * A filter as the gateway matches it: a value list (`in_list`) carries its values as a set, and a
 * long inline `in` / `not_in` list carries one too (built once per rules load, never per lead).
 */
export type CompiledFilter = Filter & { readonly set?: ReadonlySet<string> };

/** A price rule with its conditions compiled. */
export type CompiledPriceRule = Omit<PriceRule, "when"> & { when: CompiledFilter[] };

export interface Caps {
  hour: number | null;
  day: number | null;
  month: number | null;
  budgetDayCents: number | null;
  budgetMonthCents: number | null;
}

export interface Contract {
  id: string;
  buyerId: string;
  buyerName: string;
  campaignId: string;
  name: string;
  pingUrl: string | null;
  postUrl: string;
  protocol: Protocol;
  /** Signing keys, current first (a second one during a rotation). */
  postSecrets: string[];
  /** Headers sent with every request to this buyer (its API keys). */
  apiHeaders: Record<string, string>;
  pingSecrets: string[];
  /** Requests also carry the deprecated v1 signature (the contract's `signature_v1`). */
  signatureV1: boolean;
  timeoutMs: number;
  /** One post's own time limit (within the campaign's post deadline). */
  postTimeoutMs: number;
  minPingMs: number;
  pricing: "dynamic" | "fixed";
  fixedPriceCents: number | null;
  minBidCents: number;
  bidAdjustBps: number;
  priority: number;
  filters: CompiledFilter[];
  /** Ordered; the first that matches the lead prices it (./price-rules.ts). */
  priceRules: CompiledPriceRule[];
  schedule: Schedule | null;
  timezone: string;
  caps: Caps;
  fallback: boolean;
  /** Key under which buyer-level dedupe records purchases (buyer or contract scope). */
  dedupeKey: string;
  dedupeWindowS: number;
  /** Bids above this are invalid (the lower of the contract's and the campaign's ceilings). */
  maxBidCents: number | null;
  breaker: BreakerSettings;
  /** The circuit breaker's state when the rules were loaded (null: closed). */
  health: Health | null;
  returns: ReturnRules;
  /** Its quality score (basis points, 10000 = neutral) as the cron last computed it. */
  qualityBps: number;
  /** Its buyer's wallet (prepaid or credit), checked in the auction; null: billing none. */
  wallet: WalletSettings | null;
  /** An aged-lead contract's ages (days, inclusive): it competes only in resales of leads that old. Null: fresh leads. */
  aged: { minDays: number; maxDays: number } | null;
  /** A shared lead's price as basis points of its bid, when its answer names none (null: the same price). */
  sharedPriceBps: number | null;
}

export interface RuleProblem {
  table: "campaigns" | "sources" | "buyers" | "contracts" | "experiments" | "value_lists";
  id: string;
  column: string;
  message: string;
}

export interface Rules {
  campaignsBySlug: Map<string, Campaign>;
  campaignsById: Map<string, Campaign>;
  sourcesByKeyHash: Map<string, Source>;
  sourcesByPublishableKey: Map<string, Source>;
  /** By the SHA-256 of its reporting key: logs in to its console and reads its report, never posts. */
  sourcesByReportKeyHash: Map<string, Source>;
  sourcesById: Map<string, Source>;
  /** Active contracts of active buyers, per campaign id. */
  contractsByCampaign: Map<string, Contract[]>;
  contractsById: Map<string, Contract>;
  problems: RuleProblem[];
  /** Rules that work but deserve a second look (printed by rules:check, never disabling). */
  warnings: RuleProblem[];
  /**
   * Active campaigns whose row does not validate, by slug: their leads get 503
   * `campaign_misconfigured` (retry later), not a misleading 404, and /health reports them.
   */
  brokenCampaigns: Map<string, RuleProblem[]>;
  /** The contracts whose filters or price rules name each value list. */
  listUsers: Map<string, string[]>;
  /** The running experiment of each campaign (at most one). */
  experimentsByCampaign: Map<string, Experiment>;
  /** Every valid experiment, ended ones included (a retry round keeps its lead's variant). */
  experimentsById: Map<string, Experiment>;
}

export interface RuleRows {
  campaigns: CampaignRow[];
  sources: SourceRow[];
  buyers: BuyerRow[];
  contracts: ContractRow[];
  /** Circuit breaker states (absent in tools that check rules without records). */
  health?: ContractHealthRow[];
  quality?: ContractQualityRow[];
  experiments?: ExperimentRow[];
  /** The value lists filters and price rules name (absent: none). */
  lists?: ValueListRow[];
}
