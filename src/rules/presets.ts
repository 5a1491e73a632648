// Connector presets: `"preset": "<name>"` in a template protocol fills in what a platform always
// wants (the request format, its fixed fields, how its answers read), so a contract on a common
// platform needs only its URLs, credentials and field names. What the contract writes wins: its
// `static`, `headers`, `mapping` and `response` keys are laid over the preset's, key by key. Each
// preset's answers are the shapes the platform documents (docs/BUYER_PROTOCOL.md, "Presets").
import { isPlainObject as isObject } from "../lib/own";

type Part = Record<string, unknown>;
interface Preset {
  /** For the ping, used when the contract has a ping template. */
  ping: Part;
  post: Part;
}

export const PRESETS = {
  /**
   * boberdoo's pingPostLead API: form fields (API_Action, Mode, the lead type's fields), XML answers
   * `<response><status>Matched|Unmatched|Error</status><lead_id>…</lead_id>…</response>`; a ping asks
   * for the best price (`process_information.best_bid`) and its lead_id comes back as the post's Lead_ID.
   */
  boberdoo: {
    ping: {
      format: "form",
      static: { API_Action: "pingPostLead", Mode: "ping", Return_Best_Price: "1", Format: "XML" },
      response: {
        bid_path: "response.process_information.best_bid",
        bid_token_path: "response.lead_id",
        failure_path: "response.status",
        failure_values: ["Unmatched", "Error"],
        reason_path: "response.process_information.unmatched_reason",
      },
    },
    post: {
      format: "form",
      static: { API_Action: "pingPostLead", Mode: "post", Format: "XML" },
      mapping: { Lead_ID: "$bid_token" },
      response: {
        accepted_path: "response.status",
        accepted_values: ["Matched"],
        failure_path: "response.status",
        failure_values: ["Unmatched", "Error"],
        reason_path: "response.error",
        buyer_lead_id_path: "response.lead_id",
      },
    },
  },
  /**
   * LeadsPedia's ping.do / post.do: form fields (lp_campaign_id, lp_campaign_key, the fields), JSON
   * answers `{"result":"success"|"failed","msg":…,"ping_id":…,"price":…}` and `{"result":…,"lead_id":…}`;
   * the ping's ping_id comes back as the post's lp_ping_id.
   */
  leadspedia: {
    ping: {
      format: "form",
      static: { lp_response: "JSON" },
      response: {
        bid_path: "price",
        bid_token_path: "ping_id",
        failure_path: "result",
        failure_values: ["failed", "error"],
        reason_path: "msg",
      },
    },
    post: {
      format: "form",
      static: { lp_response: "JSON" },
      mapping: { lp_ping_id: "$bid_token" },
      response: {
        accepted_path: "result",
        accepted_values: ["success"],
        failure_path: "result",
        failure_values: ["failed", "error"],
        reason_path: "msg",
        buyer_lead_id_path: "lead_id",
      },
    },
  },
  /**
   * LeadConduit's flow submissions: flat JSON fields, answers `{"outcome":"success"|"failure"|"error",
   * "reason":…,"lead":{"id":…},"price":…}` (the price is the ping's bid; the lead id is the token back).
   */
  leadconduit: {
    ping: {
      format: "json",
      headers: { Accept: "application/json" },
      response: {
        bid_path: "price",
        bid_token_path: "lead.id",
        failure_path: "outcome",
        failure_values: ["failure", "error"],
        reason_path: "reason",
      },
    },
    post: {
      format: "json",
      headers: { Accept: "application/json" },
      response: {
        accepted_path: "outcome",
        accepted_values: ["success"],
        failure_path: "outcome",
        failure_values: ["failure", "error"],
        reason_path: "reason",
        buyer_lead_id_path: "lead.id",
      },
    },
  },
  /**
   * A buyer that takes form fields and answers a line of text: the ping's bid is the number after
   * `price` or `bid` (`price=12.50`, `Bid: $12.50`), a post is accepted when the answer starts with
   * success, accepted or ok (any case); anything else is a reject, with the text as its reason.
   */
  form_text: {
    ping: { format: "form", response: { bid_regex: "(?i)\\b(?:price|bid)\\b\\s*[:=]\\s*\\$?(\\d+(?:\\.\\d{1,2})?)" } },
    post: { format: "form", response: { accepted_regex: "(?i)^\\s*(?:success|accepted|ok)\\b" } },
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];

/** A preset part under the contract's own, key by key for the nested records. */
function laid(preset: Part, own: Part): Part {
  const out: Part = { ...preset, ...own };
  for (const key of ["static", "headers", "mapping", "response"])
    if (isObject(preset[key]) || isObject(own[key]))
      out[key] = { ...(isObject(preset[key]) ? preset[key] : {}), ...(isObject(own[key]) ? own[key] : {}) };
  return out;
}

/**
 * A template protocol with its preset filled in (the `preset` name is kept, so the result is valid
 * input again and says where it came from); anything else unchanged. An unknown preset is left for
 * the schema to refuse.
 */
export function withPreset(raw: unknown): unknown {
  if (!isObject(raw) || raw.kind !== "template" || typeof raw.preset !== "string" || !Object.hasOwn(PRESETS, raw.preset)) return raw;
  const preset: Preset = PRESETS[raw.preset as PresetName];
  const out: Part = { ...raw };
  if (isObject(raw.ping)) out.ping = laid(preset.ping, raw.ping);
  out.post = laid(preset.post, isObject(raw.post) ? raw.post : {});
  return out;
}
