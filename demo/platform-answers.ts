// Mock buyers on common platforms (Behaviour.platform): each checks the request as its platform would
// and answers in the shapes the platform documents, so the connector presets (src/rules/presets.ts)
// are tested against what such a buyer really says. Pure (no Node imports): workerd tests share it.
//   boberdoo     pingPostLead, form fields; XML <response><status>Matched|Unmatched|Error</status>…
//   leadspedia   ping.do / post.do, form fields; JSON {"result":"success"|"failed","msg",…}
//   leadconduit  flow submissions, flat JSON; JSON {"outcome":"success"|"failure"|"error","reason",…}
//   form_text    form fields; a line of text (price=12.50 / SUCCESS 123 / REJECTED: reason)
import type { Behaviour, RawAnswer } from "./constants";

export const PLATFORMS = ["boberdoo", "leadspedia", "leadconduit", "form_text"] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface PlatformRequest {
  kind: "ping" | "post";
  body: string;
  contentType: string;
  /** The mock buyer's name: its ids start with it. */
  name: string;
  reject: boolean;
}

const XML = "application/xml";
const JSON_TYPE = "application/json";
const xml = (inner: string): RawAnswer => ({ body: `<?xml version="1.0" encoding="UTF-8"?><response>${inner}</response>`, type: XML });
const json = (v: unknown): RawAnswer => ({ body: JSON.stringify(v), type: JSON_TYPE });
const text = (s: string): RawAnswer => ({ body: s, type: "text/plain" });

const bidOf = (b: Behaviour): number => (typeof b.bid === "number" ? b.bid : 0);
const formOf = (req: PlatformRequest) =>
  req.contentType.startsWith("application/x-www-form-urlencoded") ? new URLSearchParams(req.body) : null;

function boberdoo(req: PlatformRequest, b: Behaviour): RawAnswer {
  const form = formOf(req);
  const error = (e: string) => xml(`<status>Error</status><error>${e}</error>`);
  if (!form) return error("Request must be form encoded");
  if (form.get("API_Action") !== "pingPostLead") return error("Invalid API_Action");
  if (!form.get("Key") || !form.get("SRC")) return error("Invalid Key or SRC");
  if (form.get("Mode") !== req.kind) return error(`Mode must be ${req.kind}`);
  const leadId = `${req.name}-77`;
  if (req.kind === "ping") {
    if (bidOf(b) <= 0)
      return xml(
        `<status>Unmatched</status><lead_id>${leadId}</lead_id><process_information><total_bids>0</total_bids><unmatched_reason>No matching buyers</unmatched_reason></process_information>`,
      );
    return xml(
      `<status>Matched</status><lead_type>33</lead_type><lead_id>${leadId}</lead_id><process_information><total_bids>1</total_bids><bid_mode>ping</bid_mode><unmatched_reason /><best_bid>${bidOf(b).toFixed(2)}</best_bid></process_information>`,
    );
  }
  if (form.get("Lead_ID") !== leadId) return error("Invalid Lead_ID");
  if (req.reject) return error(b.rejectReason ?? "Duplicate lead");
  return xml(`<status>Matched</status><lead_id>${leadId}</lead_id><price>${bidOf(b).toFixed(2)}</price>`);
}

function leadspedia(req: PlatformRequest, b: Behaviour): RawAnswer {
  const form = formOf(req);
  const failed = (msg: string) => json({ result: "failed", msg, errors: [msg] });
  if (!form || !form.get("lp_campaign_id") || !form.get("lp_campaign_key")) return failed("Invalid Campaign ID or Key");
  if (req.kind === "ping")
    return bidOf(b) > 0
      ? json({ result: "success", msg: "Lead Pinged", ping_id: `${req.name}-PING-5`, price: bidOf(b) })
      : failed("No buyers available");
  if (form.get("lp_ping_id") !== `${req.name}-PING-5`) return failed("Invalid Ping ID");
  return req.reject
    ? failed(b.rejectReason ?? "Duplicate Lead")
    : json({ result: "success", msg: "Lead Accepted", lead_id: `${req.name}-LEAD-9`, price: bidOf(b) });
}

function leadconduit(req: PlatformRequest, b: Behaviour): RawAnswer {
  let lead: unknown;
  try {
    lead = req.contentType.startsWith(JSON_TYPE) ? JSON.parse(req.body) : undefined;
  } catch {
    lead = undefined;
  }
  if (lead === null || typeof lead !== "object" || Array.isArray(lead))
    return json({ outcome: "error", reason: "Unsupported lead format" });
  // Flat JSON: a nested value is not a field.
  if (Object.values(lead).some((v) => v !== null && typeof v === "object"))
    return json({ outcome: "error", reason: "Fields must be flat" });
  const id = `${req.name}5fd8e255a56b8d5f2e69e1d9`.slice(-24);
  if (req.kind === "ping")
    return bidOf(b) > 0
      ? json({ outcome: "success", lead: { id }, price: bidOf(b) })
      : json({ outcome: "failure", reason: "No buyer for this lead", lead: { id }, price: 0 });
  return req.reject
    ? json({ outcome: "failure", reason: b.rejectReason ?? "Failed email validation", lead: { id }, price: 0 })
    : json({ outcome: "success", lead: { id }, price: 0 });
}

function formText(req: PlatformRequest, b: Behaviour): RawAnswer {
  if (!formOf(req)) return text("ERROR: form fields expected");
  if (req.kind === "ping") return bidOf(b) > 0 ? text(`price=${bidOf(b).toFixed(2)}`) : text("NO BID");
  return req.reject ? text(`REJECTED: ${b.rejectReason ?? "duplicate"}`) : text(`SUCCESS ${req.name}-1001`);
}

/** What a buyer on `platform` answers this request. */
export function platformAnswer(platform: Platform, req: PlatformRequest, b: Behaviour): RawAnswer {
  switch (platform) {
    case "boberdoo":
      return boberdoo(req, b);
    case "leadspedia":
      return leadspedia(req, b);
    case "leadconduit":
      return leadconduit(req, b);
    case "form_text":
      return formText(req, b);
  }
}
