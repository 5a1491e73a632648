// Demo configuration: one campaign, two sources and six buyers with different prices, latencies,
// filters and protocols. `npm start` loads it into the local D1; the tests load the same rows.
import { createHash } from "node:crypto";

import { DEMO_API_KEY, DEMO_ORIGIN, DEMO_PUBLISHABLE_KEY, DEMO_SECRET } from "./constants.ts";

export { DEMO_API_KEY, DEMO_ORIGIN, DEMO_PUBLISHABLE_KEY, DEMO_SECRET };

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const q = (v: unknown) =>
  v === null || v === undefined
    ? "NULL"
    : typeof v === "number"
      ? String(v)
      : `'${String(typeof v === "string" ? v : JSON.stringify(v)).replace(/'/g, "''")}'`;

export const DEMO_FIELDS = [
  { name: "first_name", type: "text", required: true },
  { name: "last_name", type: "text", required: true },
  { name: "email", type: "email", required: true },
  { name: "phone", type: "phone", required: true },
  { name: "street", type: "text", pii: true },
  { name: "zip", type: "zip", required: true, ping: true },
  { name: "state", type: "state", required: true, ping: true },
  { name: "dob", type: "dob", required: true },
  { name: "homeowner", type: "boolean", ping: true },
  { name: "vehicle_year", type: "integer", ping: true, min: 1980, max: 2027 },
  { name: "credit", type: "enum", values: ["excellent", "good", "fair", "poor"], ping: true },
];

/** Demo buyers, by mock-buyer name: the behaviour of each mock endpoint (see mock-buyers.ts). */
export const DEMO_BUYER_BEHAVIOURS = {
  alpha: { bid: 18, pingLatencyMs: 40, postLatencyMs: 60 },
  bravo: { bid: 22, pingLatencyMs: 80, postLatencyMs: 90, rejectRate: 0.5, rejectReason: "consumer already in our CRM" },
  charlie: { bid: 15, pingLatencyMs: 120, postLatencyMs: 50 },
  delta: { postLatencyMs: 70 },
  echo: { bid: 12, pingLatencyMs: 60, postLatencyMs: 60, format: "form" as const },
  foxtrot: { postLatencyMs: 30 },
  // A boberdoo-style buyer: XML in, XML out.
  golf: {
    pingLatencyMs: 70,
    postLatencyMs: 80,
    pingAnswer: {
      body: "<?xml version='1.0'?><response><status>Matched</status><price>16.40</price><ping_id>GOLF-PING</ping_id></response>",
      type: "application/xml",
    },
    postAnswer: { body: "<response><status>Matched</status><lead_id>GOLF-LEAD</lead_id></response>", type: "application/xml" },
  },
};

/**
 * How a demo buyer nobody configured answers (`npm start`): a contract an admin adds while following
 * docs/ADMIN.md, pointed at http://127.0.0.1:8790/b/<any name>/ping, bids $10 and accepts its posts.
 */
export const DEMO_ANY_BUYER = { bid: 10, pingLatencyMs: 50, postLatencyMs: 50 };

/** The demo's XML buyer (boberdoo style); docs/BUYER_PROTOCOL.md walks through it. */
const golfProtocol = {
  kind: "template",
  ping: {
    format: "xml",
    xml_root: "request",
    static: { vendor: "leadgate-demo" },
    mapping: { "lead.zip": "zip", "lead.state": "state", "lead.credit": "credit", ping_ref: "$ping_id" },
    response: {
      bid_path: "response.price",
      bid_token_path: "response.ping_id",
      failure_path: "response.status",
      failure_values: ["Unmatched"],
      reason_path: "response.reason",
    },
  },
  post: {
    format: "xml",
    xml_root: "request",
    mapping: {
      ping_id: "$bid_token",
      "lead.first_name": "first_name",
      "lead.last_name": "last_name",
      "lead.email": "email",
      "lead.phone": "phone",
      "lead.zip": "zip",
    },
    response: {
      accepted_path: "response.status",
      accepted_values: ["Matched"],
      reason_path: "response.reason",
      buyer_lead_id_path: "response.lead_id",
    },
  },
};

const echoProtocol = {
  kind: "template",
  ping: {
    format: "form",
    static: { vendor: "leadgate-demo" },
    mapping: { ref: "$ping_id", zipcode: "zip", st: "state", own_home: "homeowner" },
    response: { bid_path: "price", bid_token_path: "token", bid_unit: "dollars" },
  },
  post: {
    format: "form",
    static: { vendor: "leadgate-demo" },
    mapping: {
      ref: "$ping_id",
      token: "$bid_token",
      fname: "first_name",
      lname: "last_name",
      email: "email",
      phone: "phone",
      zipcode: "zip",
      st: "state",
      price: "$price",
    },
    response: { accepted_path: "status", accepted_values: ["ACCEPTED"], reason_path: "msg", buyer_lead_id_path: "lead_ref" },
  },
};

export function demoSeedStatements(buyersBaseUrl: string): string[] {
  const url = (name: string, kind: "ping" | "post") => `${buyersBaseUrl}/b/${name}/${kind}`;
  const contract = (o: Record<string, unknown>) => {
    const cols = Object.keys(o);
    return `INSERT INTO contracts (${cols.join(", ")}) VALUES (${cols.map((c) => q(o[c])).join(", ")});`;
  };
  const base = { campaign_id: "cmp_auto", secret: DEMO_SECRET, timeout_ms: 400 };
  return [
    `INSERT INTO campaigns (id, slug, name, fields, mode, ping_timeout_ms, floor_cents, exclusive, max_buyers, dedupe_window_s, post_deadline_ms, retry_max_attempts, retry_base_delay_s)
     VALUES ('cmp_auto', 'auto-insurance', 'Auto insurance (demo)', ${q(DEMO_FIELDS)}, 'auction', 500, 500, 1, 1, 60, 2000, 3, 30);`,
    `INSERT INTO sources (id, name, api_key_hash, publishable_key, allowed_campaigns, allowed_origins, payout_type, payout_value, success_url, failure_url)
     VALUES ('src_partner', 'Demo publisher (server)', '${sha256(DEMO_API_KEY)}', NULL, '["*"]', '[]', 'share', 7000, NULL, NULL),
            ('src_form', 'Demo landing page (browser form)', NULL, '${DEMO_PUBLISHABLE_KEY}', '["auto-insurance"]', '["${DEMO_ORIGIN}"]', 'fixed', 800, '${DEMO_ORIGIN}/thanks', '${DEMO_ORIGIN}/sorry');`,
    `INSERT INTO buyers (id, name, dedupe_window_s) VALUES ('buy_alpha', 'Alpha Insurance', 60), ('buy_bravo', 'Bravo Direct', 60), ('buy_charlie', 'Charlie Auto', 60),
       ('buy_delta', 'Delta Leads', 60), ('buy_echo', 'Echo Legacy Corp', 60), ('buy_foxtrot', 'Foxtrot Backfill', 60), ('buy_golf', 'Golf XML Media', 60);`,
    contract({
      ...base,
      id: "ct_alpha",
      buyer_id: "buy_alpha",
      name: "Alpha - all states",
      ping_url: url("alpha", "ping"),
      post_url: url("alpha", "post"),
      cap_day: 500,
    }),
    contract({
      ...base,
      id: "ct_bravo",
      buyer_id: "buy_bravo",
      name: "Bravo - homeowners",
      ping_url: url("bravo", "ping"),
      post_url: url("bravo", "post"),
      filters: [{ field: "homeowner", op: "eq", value: true }],
    }),
    contract({
      ...base,
      id: "ct_charlie",
      buyer_id: "buy_charlie",
      name: "Charlie - big states",
      ping_url: url("charlie", "ping"),
      post_url: url("charlie", "post"),
      bid_adjust_bps: 9000,
      filters: [{ field: "state", op: "in", values: ["CA", "TX", "FL", "NY"] }],
      timezone: "America/Chicago",
    }),
    contract({
      ...base,
      id: "ct_delta",
      buyer_id: "buy_delta",
      name: "Delta - direct post",
      pricing: "fixed",
      fixed_price_cents: 900,
      post_url: url("delta", "post"),
    }),
    contract({
      ...base,
      id: "ct_echo",
      buyer_id: "buy_echo",
      name: "Echo - form protocol",
      ping_url: url("echo", "ping"),
      post_url: url("echo", "post"),
      protocol: echoProtocol,
    }),
    contract({
      ...base,
      id: "ct_golf",
      buyer_id: "buy_golf",
      name: "Golf - XML (boberdoo style)",
      ping_url: url("golf", "ping"),
      post_url: url("golf", "post"),
      protocol: golfProtocol,
      sample_ping_answer: DEMO_BUYER_BEHAVIOURS.golf.pingAnswer.body,
      sample_post_answer: DEMO_BUYER_BEHAVIOURS.golf.postAnswer.body,
    }),
    contract({
      ...base,
      id: "ct_foxtrot",
      buyer_id: "buy_foxtrot",
      name: "Foxtrot - fallback",
      pricing: "fixed",
      fixed_price_cents: 400,
      post_url: url("foxtrot", "post"),
      fallback: 1,
    }),
  ];
}
