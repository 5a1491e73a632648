// Reading buyers' answers: the native protocol's JSON, and any other format by the response rules in
// the contract (status codes, paths into JSON, form-encoded or XML bodies — elements and attributes —
// or a regex over plain text, matched by RE2 in linear time). A malformed answer is `invalid` or an `error`, never a bid. Pure.
import { XMLParser } from "fast-xml-parser";
import { dollarsToCents, MAX_BID_CENTS } from "../lib/money";
import { own } from "../lib/own";
import { cachedRegex } from "../lib/strings";
import { DEFAULT_ACCEPTED_VALUES, type ResponseRules } from "../rules/schemas";
import type { Answer, PingAnswer, PostAnswer } from "./wire";

const MAX_TOKEN = 256;
/** How much of a plain-text answer the contract's regex reads. */
const MAX_REGEX_INPUT = 4096;

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

/**
 * A second price for a shared lead beside the bid (`shared_bid`): absent, none named; 0, no shared
 * bid; otherwise checked like the bid. A malformed one makes the whole answer invalid.
 */
function withSharedBid(bid: PingAnswer, cents: number | undefined, raw: unknown): PingAnswer {
  if (bid.kind !== "bid" || raw === undefined || raw === null || raw === "") return bid;
  const problem = checkBid(cents, raw);
  if (problem?.kind === "invalid") return { kind: "invalid", reason: `shared_bid: ${problem.reason}` };
  return { ...bid, sharedBidCents: problem ? null : cents! };
}

export function readNativePing(a: Answer): PingAnswer {
  if (a.status === 204) return { kind: "no_bid", reason: "HTTP 204" };
  if (a.status < 200 || a.status > 299) return { kind: "error", reason: `HTTP ${a.status}` };
  const json = parseJsonObject(a.body);
  if (!json) return { kind: "invalid", reason: "answer is not a JSON object" };
  if (json.bid === undefined || json.bid === null) return { kind: "no_bid", reason: "no bid in answer" };
  // The native protocol takes bids as JSON numbers only; a string is a malformed answer.
  const cents = typeof json.bid === "number" ? dollarsToCents(json.bid) : undefined;
  const bid = checkBid(cents, json.bid) ?? { kind: "bid", bidCents: cents!, token: tokenOf(json.bid_id) };
  return withSharedBid(bid, typeof json.shared_bid === "number" ? dollarsToCents(json.shared_bid) : undefined, json.shared_bid);
}

export function readNativePost(a: Answer): PostAnswer {
  if (a.status >= 500) return { kind: "error", reason: `HTTP ${a.status}` };
  const json = parseJsonObject(a.body);
  if (a.status < 200 || a.status > 299) return { kind: "rejected", reason: reasonOf(json?.reason) ?? `HTTP ${a.status}` };
  if (!json || typeof json.accepted !== "boolean") return { kind: "error", reason: "answer has no accepted flag" };
  return json.accepted
    ? { kind: "accepted", buyerLeadId: tokenOf(json.buyer_lead_id) }
    : { kind: "rejected", reason: reasonOf(json.reason) ?? "rejected without reason" };
}

const reasonOf = (v: unknown): string | undefined => (typeof v === "string" && v ? v.slice(0, 200) : undefined);

// ---- by the contract's response rules -----------------------------------------------------

/**
 * A value inside a buyer's answer, by dotted path; own properties only. In XML, `@Name` is an
 * attribute, and an element that has attributes and text reads as its text.
 */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split(".")) cur = own(cur, key);
  const text = own(cur, XML_TEXT);
  return text !== undefined && typeof cur === "object" && !Array.isArray(cur) ? text : cur;
}

const XML_TEXT = "#text";
// No entity expansion (billion laughs): an answer is data, never markup to honour. Attributes are
// read as `@name` keys (values as text); an element's text beside them is "#text".
const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  textNodeName: XML_TEXT,
  parseAttributeValue: false,
  processEntities: false,
  parseTagValue: false,
  trimValues: true,
});

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

export function readTemplatePing(r: ResponseRules, a: Answer): PingAnswer {
  if (r.reject_status?.includes(a.status) || a.status === 204) return { kind: "no_bid", reason: `HTTP ${a.status}` };
  const ok = r.accept_status ? r.accept_status.includes(a.status) : a.status >= 200 && a.status <= 299;
  if (!ok) return { kind: "error", reason: `HTTP ${a.status}` };
  if (r.bid_regex) {
    // A buyer that answers plain text: its contract's regex reads the bid (first capture group).
    const m = cachedRegex(r.bid_regex).exec(a.body.slice(0, MAX_REGEX_INPUT));
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
  const bid = checkBid(cents, raw) ?? {
    kind: "bid",
    bidCents: cents!,
    token: r.bid_token_path ? tokenOf(getPath(obj, r.bid_token_path)) : null,
  };
  const shared = r.shared_bid_path ? getPath(obj, r.shared_bid_path) : undefined;
  return withSharedBid(bid, bidCentsOf(shared, r.bid_unit), shared);
}

export function readTemplatePost(r: ResponseRules, a: Answer): PostAnswer {
  const obj = parseAnswerBody(a.body);
  const reason = () => (r.reason_path ? reasonOf(getPath(obj, r.reason_path)) : undefined);
  if (r.reject_status?.includes(a.status)) return { kind: "rejected", reason: reason() ?? `HTTP ${a.status}` };
  if (a.status >= 500) return { kind: "error", reason: `HTTP ${a.status}` };
  const statusOk = r.accept_status ? r.accept_status.includes(a.status) : a.status >= 200 && a.status <= 299;
  if (!statusOk) return { kind: "rejected", reason: reason() ?? `HTTP ${a.status}` };
  if (r.accepted_regex)
    return cachedRegex(r.accepted_regex).test(a.body.slice(0, MAX_REGEX_INPUT))
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
