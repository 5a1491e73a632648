// Buyer wire formats. The native protocol (docs/BUYER_PROTOCOL.md) needs no configuration; any other
// buyer is described by a request template and response rules in its contract, not by code.
// Building requests and reading answers are pure; the HTTP exchange is in ./http.ts.
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { isSafePath, own } from "../lib/own";
import { cachedRegex } from "../lib/strings";
import type { ConsentRecord } from "../lead/consent";
import type { LeadData, LeadValue } from "../lead/fields";
import { centsToDollars, dollarsToCents, MAX_BID_CENTS } from "../lib/money";
import type { Contract } from "../rules/model";
import { DEFAULT_ACCEPTED_VALUES, type RequestTemplate, type ResponseRules } from "../rules/schemas";

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
}

export type PingAnswer =
  | { kind: "bid"; bidCents: number; token: string | null }
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

const JSON_TYPE = "application/json";
const FORM_TYPE = "application/x-www-form-urlencoded";
const XML_TYPE = "application/xml";
const MAX_TOKEN = 256;

// ---- native -------------------------------------------------------------------------------

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const tokenOf = (v: unknown): string | null =>
  typeof v === "string" && v.length > 0 ? v.slice(0, MAX_TOKEN) : typeof v === "number" ? String(v) : null;

/** Checks a bid in cents: finite, not negative, not absurd. */
function checkBid(cents: number | undefined, raw: unknown): PingAnswer | undefined {
  if (cents === undefined) return { kind: "invalid", reason: `bid is not a number: ${JSON.stringify(raw)?.slice(0, 40)}` };
  if (cents < 0) return { kind: "invalid", reason: "negative bid" };
  if (cents > MAX_BID_CENTS) return { kind: "invalid", reason: `absurd bid above $${MAX_BID_CENTS / 100}` };
  if (cents === 0) return { kind: "no_bid", reason: "bid 0" };
  return undefined;
}

function readNativePing(a: Answer): PingAnswer {
  if (a.status === 204) return { kind: "no_bid", reason: "HTTP 204" };
  if (a.status < 200 || a.status > 299) return { kind: "error", reason: `HTTP ${a.status}` };
  const json = parseJsonObject(a.body);
  if (!json) return { kind: "invalid", reason: "answer is not a JSON object" };
  if (json.bid === undefined || json.bid === null) return { kind: "no_bid", reason: "no bid in answer" };
  // The native protocol takes bids as JSON numbers only; a string is a malformed answer.
  const cents = typeof json.bid === "number" ? dollarsToCents(json.bid) : undefined;
  return checkBid(cents, json.bid) ?? { kind: "bid", bidCents: cents!, token: tokenOf(json.bid_id) };
}

function readNativePost(a: Answer): PostAnswer {
  if (a.status >= 500) return { kind: "error", reason: `HTTP ${a.status}` };
  const json = parseJsonObject(a.body);
  if (a.status < 200 || a.status > 299) return { kind: "rejected", reason: reasonOf(json?.reason) ?? `HTTP ${a.status}` };
  if (!json || typeof json.accepted !== "boolean") return { kind: "error", reason: "answer has no accepted flag" };
  return json.accepted
    ? { kind: "accepted", buyerLeadId: tokenOf(json.buyer_lead_id) }
    : { kind: "rejected", reason: reasonOf(json.reason) ?? "rejected without reason" };
}

const reasonOf = (v: unknown): string | undefined => (typeof v === "string" && v ? v.slice(0, 200) : undefined);

// ---- templates ----------------------------------------------------------------------------

/** A value inside a buyer's answer, by dotted path; own properties only. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split(".")) cur = own(cur, key);
  return cur;
}

/** Sets a dotted path in a request being built (paths are checked safe when the rules compile). */
function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  if (!isSafePath(path)) return;
  const keys = path.split(".");
  let cur = obj;
  for (const key of keys.slice(0, -1)) {
    const next = own(cur, key);
    if (next === null || typeof next !== "object") cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

type Values = {
  ping_id: string | null;
  bid_token: string | null;
  price_cents: number | null;
  campaign: string;
  lead_id: string;
  tmax: number | null;
  consent?: ConsentRecord | null;
  retention_days?: number | null;
  trustedform_ping_url?: string | null;
};

function resolve(source: string, lead: LeadData, v: Values): LeadValue | null | undefined {
  switch (source) {
    case "$ping_id":
      return v.ping_id;
    case "$bid_token":
      return v.bid_token;
    case "$price":
      return v.price_cents === null ? null : centsToDollars(v.price_cents);
    case "$price_cents":
      return v.price_cents;
    case "$campaign":
      return v.campaign;
    case "$lead_id":
      return v.lead_id;
    case "$tmax":
      return v.tmax;
    case "$retention_days":
      return v.retention_days ?? null;
    case "$trustedform_ping_url":
      return v.trustedform_ping_url ?? null;
    default: {
      // `$consent.<key>`: the consent evidence (posts only: pings have no consent).
      if (source.startsWith("$consent.")) {
        const value = own(v.consent ?? {}, source.slice(9));
        return Array.isArray(value) ? value.join(",") : ((value as LeadValue | undefined) ?? null);
      }
      return own(lead, source) as LeadValue | undefined;
    }
  }
}

const xmlBuilder = new XMLBuilder({ format: false, suppressEmptyNode: true });
// No entity expansion (billion laughs) and no attributes: an answer is data, never markup to honour.
const xmlParser = new XMLParser({ ignoreAttributes: true, processEntities: false, parseTagValue: false, trimValues: true });

/** Flat fields as form or query parameters (nested values as JSON). */
function params(out: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [k, val] of Object.entries(out)) form.set(k, typeof val === "object" ? JSON.stringify(val) : String(val));
  return form.toString();
}

function buildTemplate(t: RequestTemplate, lead: LeadData, v: Values): WireRequest {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(t.static)) setPath(out, k, val);
  for (const [k, src] of Object.entries(t.mapping)) {
    const val = resolve(src, lead, v);
    if (val !== undefined && val !== null) setPath(out, k, val);
  }
  switch (t.format) {
    case "json":
      return { method: "POST", body: JSON.stringify(out), contentType: JSON_TYPE, headers: t.headers };
    case "form":
      return { method: "POST", body: params(out), contentType: FORM_TYPE, headers: t.headers };
    case "xml":
      return {
        method: "POST",
        body: `<?xml version="1.0" encoding="UTF-8"?>${xmlBuilder.build({ [t.xml_root]: out }) as string}`,
        contentType: XML_TYPE,
        headers: t.headers,
      };
    case "query":
      return { method: "GET", body: "", contentType: null, headers: t.headers, query: params(out) };
  }
}

/** A JSON, form-encoded or XML answer as an object; undefined for anything else (plain text). */
function parseAnswerBody(body: string): Record<string, unknown> | undefined {
  const json = parseJsonObject(body);
  if (json) return json;
  const text = body.trim();
  if (/^[\w.[\]-]+=[^&]*(&[\w.[\]-]+=[^&]*)*$/.test(text)) return Object.fromEntries(new URLSearchParams(text));
  if (text.startsWith("<")) {
    try {
      const xml: unknown = xmlParser.parse(text);
      if (xml !== null && typeof xml === "object") {
        const { "?xml": _declaration, ...rest } = xml as Record<string, unknown>;
        if (Object.keys(rest).length > 0) return rest;
      }
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const norm = (x: unknown) => (typeof x === "string" ? x.trim().toLowerCase() : x);
const oneOf = (value: unknown, list: readonly unknown[]) => list.some((a) => norm(a) === norm(value));

const isAccepted = (value: unknown, rules: ResponseRules): boolean => oneOf(value, rules.accepted_values ?? DEFAULT_ACCEPTED_VALUES);

/** The HTTP-200 failure the rules describe, if this answer is one. */
function failureIn(r: ResponseRules, obj: Record<string, unknown> | undefined): boolean {
  return (
    r.failure_path !== undefined &&
    obj !== undefined &&
    oneOf(getPath(obj, r.failure_path), r.failure_values ?? ["failure", "error", "false", false])
  );
}

function bidCentsOf(raw: unknown, unit: ResponseRules["bid_unit"]): number | undefined {
  if (unit === "dollars") return dollarsToCents(raw);
  const n = typeof raw === "string" && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
  return typeof n === "number" && Number.isSafeInteger(n) ? n : undefined;
}

function readTemplatePing(r: ResponseRules, a: Answer): PingAnswer {
  if (r.reject_status?.includes(a.status) || a.status === 204) return { kind: "no_bid", reason: `HTTP ${a.status}` };
  const ok = r.accept_status ? r.accept_status.includes(a.status) : a.status >= 200 && a.status <= 299;
  if (!ok) return { kind: "error", reason: `HTTP ${a.status}` };
  if (r.bid_regex) {
    // A buyer that answers plain text: its contract's regex reads the bid (first capture group).
    const m = cachedRegex(r.bid_regex).exec(a.body.slice(0, 4096));
    if (!m || m[1] === undefined) return { kind: "no_bid", reason: "no bid in answer" };
    const cents = bidCentsOf(m[1], r.bid_unit);
    return checkBid(cents, m[1]) ?? { kind: "bid", bidCents: cents!, token: null };
  }
  const obj = parseAnswerBody(a.body);
  if (!obj) return { kind: "invalid", reason: "answer is neither JSON, form-encoded nor XML" };
  const reason = r.reason_path ? reasonOf(getPath(obj, r.reason_path)) : undefined;
  if (failureIn(r, obj)) return { kind: "no_bid", reason: reason ?? "failure" };
  const raw = getPath(obj, r.bid_path ?? "bid");
  if (raw === undefined || raw === null || raw === "") return { kind: "no_bid", reason: reason ?? "no bid in answer" };
  const cents = bidCentsOf(raw, r.bid_unit);
  return (
    checkBid(cents, raw) ?? { kind: "bid", bidCents: cents!, token: r.bid_token_path ? tokenOf(getPath(obj, r.bid_token_path)) : null }
  );
}

function readTemplatePost(r: ResponseRules, a: Answer): PostAnswer {
  const obj = parseAnswerBody(a.body);
  const reason = () => (r.reason_path ? reasonOf(getPath(obj, r.reason_path)) : undefined);
  if (r.reject_status?.includes(a.status)) return { kind: "rejected", reason: reason() ?? `HTTP ${a.status}` };
  if (a.status >= 500) return { kind: "error", reason: `HTTP ${a.status}` };
  const statusOk = r.accept_status ? r.accept_status.includes(a.status) : a.status >= 200 && a.status <= 299;
  if (!statusOk) return { kind: "rejected", reason: reason() ?? `HTTP ${a.status}` };
  if (r.accepted_regex)
    return cachedRegex(r.accepted_regex).test(a.body.slice(0, 4096))
      ? { kind: "accepted", buyerLeadId: null }
      : { kind: "rejected", reason: reasonOf(a.body.trim()) ?? "rejected without reason" };
  if (failureIn(r, obj)) return { kind: "rejected", reason: reason() ?? "failure" };
  const buyerLeadId = r.buyer_lead_id_path ? tokenOf(getPath(obj, r.buyer_lead_id_path)) : null;
  if (!r.accepted_path) return { kind: "accepted", buyerLeadId }; // status alone decides
  if (!obj) return { kind: "error", reason: "answer is neither JSON, form-encoded nor XML" };
  return isAccepted(getPath(obj, r.accepted_path), r)
    ? { kind: "accepted", buyerLeadId }
    : { kind: "rejected", reason: reason() ?? "rejected without reason" };
}

// ---- dispatch -----------------------------------------------------------------------------

export function buildPing(contract: Contract, ctx: PingContext): WireRequest {
  const p = contract.protocol;
  const tmax = { [TMAX_HEADER]: String(ctx.tmaxMs) };
  if (p.kind === "template" && p.ping) {
    const wire = buildTemplate(p.ping, ctx.lead, {
      ping_id: ctx.pingId,
      bid_token: null,
      price_cents: null,
      campaign: ctx.campaign,
      lead_id: ctx.leadId,
      tmax: ctx.tmaxMs,
      trustedform_ping_url: ctx.trustedformPingUrl ?? null,
    });
    return { ...wire, headers: { ...wire.headers, ...contract.apiHeaders, ...tmax } };
  }
  return {
    method: "POST",
    body: JSON.stringify({
      ping_id: ctx.pingId,
      campaign: ctx.campaign,
      tmax: ctx.tmaxMs,
      lead: ctx.lead,
      ...(ctx.trustedformPingUrl ? { trustedform_ping_url: ctx.trustedformPingUrl } : {}),
    }),
    contentType: JSON_TYPE,
    headers: { ...contract.apiHeaders, ...tmax },
  };
}

export function readPing(contract: Pick<Contract, "protocol">, a: Answer): PingAnswer {
  const p = contract.protocol;
  return p.kind === "template" && p.ping ? readTemplatePing(p.ping.response, a) : readNativePing(a);
}

export function buildPost(contract: Contract, ctx: PostContext): WireRequest {
  const p = contract.protocol;
  if (p.kind === "template") {
    const wire = buildTemplate(p.post, ctx.lead, {
      ping_id: ctx.pingId,
      bid_token: ctx.bidToken,
      price_cents: ctx.priceCents,
      campaign: ctx.campaign,
      lead_id: ctx.leadId,
      tmax: null,
      consent: ctx.consent ?? null,
      retention_days: ctx.retentionDays ?? null,
    });
    return { ...wire, headers: { ...wire.headers, ...contract.apiHeaders } };
  }
  return {
    method: "POST",
    body: JSON.stringify({
      ping_id: ctx.pingId,
      bid_id: ctx.bidToken,
      price: centsToDollars(ctx.priceCents),
      campaign: ctx.campaign,
      lead_id: ctx.leadId,
      lead: ctx.lead,
      consent: ctx.consent ? postedConsent(ctx.consent) : null,
      retention_days: ctx.retentionDays ?? null,
    }),
    contentType: JSON_TYPE,
    headers: contract.apiHeaders,
  };
}

/** The consent record as buyers receive it: what was agreed, when, from where, and the proof. */
function postedConsent(c: ConsentRecord) {
  return {
    tcpa_consent: c.tcpa_consent ?? null,
    consent_text: c.tcpa_consent_text ?? null,
    consent_timestamp: c.consent_timestamp ?? null,
    ip: c.ip ?? null,
    user_agent: c.user_agent ?? null,
    trustedform_cert_url: c.trustedform_cert_url ?? null,
    jornaya_leadid: c.jornaya_leadid ?? null,
    sellers: c.consent_sellers ?? null,
  };
}

export function readPost(contract: Pick<Contract, "protocol">, a: Answer): PostAnswer {
  const p = contract.protocol;
  return p.kind === "template" ? readTemplatePost(p.post.response, a) : readNativePost(a);
}
