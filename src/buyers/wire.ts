// The buyer wire's vocabulary: what a ping and a post carry, the request as sent, the answer as
// received and what it says. Plain types; building is in ./templates.ts and ./protocol.ts, reading
// in ./answers.ts.
import type { ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";

export interface PingContext {
  pingId: string;
  campaign: string;
  leadId: string;
  /** Ping-safe fields only (see pingSafeLead). */
  lead: LeadData;
  /** How long the buyer has to answer, in ms (what is left of the auction, within its timeout). */
  tmaxMs: number;
  /** The TrustedForm certificate's ping URL, if the consumer's form had one (never the certificate). */
  trustedformPingUrl?: string | null;
}

/** The ping's time budget, on every ping whatever its format (the native body has `tmax` too). */
export const TMAX_HEADER = "x-leadgate-tmax";

export interface PostContext {
  pingId: string | null;
  bidToken: string | null;
  priceCents: number;
  campaign: string;
  leadId: string;
  lead: LeadData;
  /** The consent evidence that travels with the lead (null: none was given). */
  consent?: ConsentRecord | null;
  /** How long the exchange keeps the consumer's personal data (days; null: no limit set). */
  retentionDays?: number | null;
  /** Sold as an exclusive lead (no other buyer in this sale). */
  exclusive?: boolean;
  /** Offered again: after another buyer returned it, or as an aged lead (null: its first sale). */
  resale?: { reason: "returned" | "unsold" | "sold"; ageDays: number } | null;
}

export type PingAnswer =
  | {
      kind: "bid";
      bidCents: number;
      token: string | null;
      /** Its price for a shared lead, when it named one (null: none, it buys exclusive leads only). */
      sharedBidCents?: number | null;
    }
  | { kind: "no_bid"; reason: string }
  | { kind: "invalid"; reason: string }
  | { kind: "error"; reason: string };

export type PostAnswer =
  { kind: "accepted"; buyerLeadId: string | null } | { kind: "rejected"; reason: string } | { kind: "error"; reason: string };

export interface WireRequest {
  method: "POST" | "GET";
  /** Empty for a GET. */
  body: string;
  contentType: string | null;
  headers: Record<string, string>;
  /** A GET's parameters, appended to the contract's URL. */
  query?: string;
}

export interface Answer {
  status: number;
  body: string;
}

export const JSON_TYPE = "application/json";
export const FORM_TYPE = "application/x-www-form-urlencoded";
export const XML_TYPE = "application/xml";
