// Connector presets (issue #27): a preset fills the template, the contract's own keys win, the result
// is valid input again, and each preset reads its platform's documented answers.
import { describe, expect, it } from "vitest";
import { readPing, readPost } from "../../src/buyers/protocol";
import { compileRules } from "../../src/rules/compile";
import { PRESET_NAMES, PRESETS, withPreset } from "../../src/rules/presets";
import { ProtocolSchema } from "../../src/rules/schemas";
import { contract } from "./fixtures";
import { ruleRows } from "./rule-rows";

const parse = (raw: unknown) => ProtocolSchema.parse(raw);

describe("presets", () => {
  it("fill format, fixed fields and answer rules; the contract's own keys win, key by key", () => {
    const p = parse({
      kind: "template",
      preset: "boberdoo",
      post: { static: { Key: "k", Mode: "full" }, mapping: { Zip: "zip" }, response: { reason_path: "response.reason" } },
    });
    if (p.kind !== "template") throw new Error("template expected");
    expect(p.ping).toBeUndefined(); // a direct post: no ping template unless the contract has one
    expect(p.post.format).toBe("form");
    expect(p.post.static).toEqual({ API_Action: "pingPostLead", Mode: "full", Format: "XML", Key: "k" });
    expect(Object.keys(p.post.mapping)).toEqual(["Lead_ID", "Zip"]);
    expect(p.post.response).toMatchObject({ accepted_path: "response.status", reason_path: "response.reason" });
    expect(parse(p)).toEqual(p); // parsed again, the same
    expect(withPreset(withPreset({ kind: "template", preset: "leadspedia", post: {} }))).toEqual(
      withPreset({ kind: "template", preset: "leadspedia", post: {} }),
    );
  });

  it("an unknown preset is refused by name", () => {
    const r = ProtocolSchema.safeParse({ kind: "template", preset: "nope", post: { format: "json", mapping: {}, response: {} } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("preset");
  });

  it.each<[string, string, string, string, string]>([
    [
      "boberdoo",
      '<?xml version="1.0"?><response><status>Matched</status><lead_id>26635027</lead_id><process_information><best_bid>0.10</best_bid></process_information></response>',
      "<response><status>Unmatched</status><process_information><unmatched_reason>No matching buyers</unmatched_reason></process_information></response>",
      "<response><status>Matched</status><lead_id>21777961</lead_id><price>6.66</price></response>",
      "<response><status>Error</status><error>Duplicate lead</error></response>",
    ],
    [
      "leadspedia",
      '{"result":"success","msg":"Lead Pinged","ping_id":"LP-PING-5","price":14}',
      '{"result":"failed","msg":"No buyers available"}',
      '{"result":"success","msg":"Lead Accepted","lead_id":"LP-9","price":14}',
      '{"result":"failed","msg":"Duplicate Lead"}',
    ],
    [
      "leadconduit",
      '{"outcome":"success","lead":{"id":"55c8e255a56b8d5f2e69e1d9"},"price":12.5}',
      '{"outcome":"failure","reason":"No buyer for this lead","lead":{"id":"x"},"price":0}',
      '{"outcome":"success","lead":{"id":"55c8e255a56b8d5f2e69e1d9"},"price":0}',
      '{"outcome":"failure","reason":"Failed email validation","lead":{"id":"x"},"price":0}',
    ],
    ["form_text", "price=12.50", "NO BID", "SUCCESS 1001", "REJECTED: duplicate"],
  ])("%s reads its platform's answers", (preset, bid, noBid, accepted, rejected) => {
    const c = contract({ id: preset, protocol: parse({ kind: "template", preset, ping: { mapping: {} }, post: { mapping: {} } }) });
    expect(readPing(c, { status: 200, body: bid })).toMatchObject({ kind: "bid" });
    expect(readPing(c, { status: 200, body: noBid }).kind).toBe("no_bid");
    expect(readPost(c, { status: 200, body: accepted }).kind).toBe("accepted");
    expect(readPost(c, { status: 200, body: rejected })).toMatchObject({ kind: "rejected" });
  });

  it("every preset is listed", () => {
    expect(PRESET_NAMES).toEqual(Object.keys(PRESETS));
    expect(PRESET_NAMES).toEqual(["boberdoo", "leadspedia", "leadconduit", "form_text"]);
  });
});

describe("rules:check on templates (issue #27)", () => {
  const check = (protocol: unknown, extra: object = {}) => {
    const rules = compileRules(ruleRows([{ id: "k1", protocol: JSON.stringify(protocol), ...extra }]));
    return { problems: rules.problems.map((p) => `${p.column}: ${p.message}`), warnings: rules.warnings.map((w) => w.message) };
  };
  const boberdoo = (mapping: Record<string, unknown> = { Zip: "zip" }) => ({
    kind: "template",
    preset: "boberdoo",
    ping: { mapping },
    post: { mapping: {} },
  });

  it("reads a contract's sample answers with its preset", () => {
    const matched =
      "<response><status>Matched</status><lead_id>1</lead_id><process_information><best_bid>4.10</best_bid></process_information></response>";
    expect(
      check(boberdoo(), { samplePingAnswer: matched, samplePostAnswer: "<response><status>Matched</status></response>" }).problems,
    ).toEqual([]);
    expect(check(boberdoo(), { samplePingAnswer: "<response><status>Unmatched</status></response>" }).problems).toEqual([
      "sample_ping_answer: the sample ping answer reads as no_bid: failure",
    ]);
  });

  it("validates transforms and presets, naming what is wrong", () => {
    expect(check(boberdoo({ DOB: { from: "dob", date: "%Y-%m-%d" } })).problems[0]).toMatch(/^protocol: .*date pattern/);
    expect(check({ kind: "template", preset: "nope", post: { format: "json", mapping: {}, response: {} } }).problems[0]).toMatch(
      /^protocol: .*preset/,
    );
  });

  it("warns about entries that can send nothing: unknown fields, and personal fields in a ping", () => {
    expect(check(boberdoo({ Email: { from: "email", case: "lower" }, Shoe: "shoe_size", Zip: "zip" })).warnings).toEqual([
      'ping mapping "Email" reads "email", which is not ping-safe: pings never carry it, so it sends nothing',
      'ping mapping "Shoe" reads "shoe_size", which campaign auto does not have: it sends nothing',
    ]);
  });
});
