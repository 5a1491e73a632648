import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BuyerRow, CampaignRow, ContractRow, SourceRow } from "../../src/db/schema";
import { pingSafeLead } from "../../src/lead/ping-safe";
import { compileRules } from "../../src/rules/compile";
import { FieldDefsSchema, PII_NAMES } from "../../src/rules/schemas";

const campaignRow = (over: Partial<CampaignRow> = {}): CampaignRow => ({
  id: "c1",
  slug: "auto",
  name: "Auto",
  status: "active",
  fields: JSON.stringify([
    { name: "zip", type: "zip", ping: true },
    { name: "email", type: "email" },
  ]),
  mode: "auction",
  pingTimeoutMs: 500,
  floorCents: 0,
  exclusive: true,
  maxBuyers: 1,
  dedupeWindowS: 0,
  postDeadlineMs: 2000,
  maxFanout: 100,
  requireConsent: false,
  retryMaxAttempts: 3,
  retryBaseDelayS: 30,
  saleWindowS: 3600,
  maxBidCents: null,
  pingsPerMinute: null,
  retentionDays: 1095,
  consentMaxAgeS: 86_400,
  oneToOne: false,
  trustedform: "off",
  jornaya: "off",
  jornayaOnFail: "reject",
  jornayaOnTimeout: "continue",
  verifyHooks: "[]",
  scrubs: "[]",
  qualityWeighting: false,
  qualityWindowDays: 30,
  qualityReturnWeight: 100,
  qualityRejectWeight: 25,
  qualityFailureWeight: 25,
  qualityPositiveWeight: 10,
  sellByValue: false,
  resellReturns: false,
  resaleDelayS: 3600,
  resaleMaxAgeDays: 30,
  agedTiers: "[]",
  agedSold: "shared",
  version: 1,
  createdAt: 0,
  ...over,
});
const buyerRow: BuyerRow = {
  id: "b1",
  name: "B",
  status: "active",
  dedupeWindowS: 60,
  dedupeScope: "buyer",
  billing: "none",
  creditLimitCents: 0,
  lowBalanceCents: null,
  billingEpoch: 0,
  billingSince: 0,
  version: 1,
  createdAt: 0,
};
const contractRow = (over: Partial<ContractRow> = {}): ContractRow => ({
  id: "k1",
  buyerId: "b1",
  campaignId: "c1",
  name: "k",
  status: "active",
  pausedByBuyer: false,
  pingUrl: "https://b.example/ping",
  postUrl: "https://b.example/post",
  deletionUrl: null,
  protocol: '{"kind":"native"}',
  secret: "0123456789abcdef",
  pingSecret: null,
  secretNext: null,
  pingSecretNext: null,
  signatureV1: false,
  apiHeaders: "{}",
  samplePingAnswer: null,
  samplePostAnswer: null,
  timeoutMs: 300,
  postTimeoutMs: 2000,
  minPingMs: 0,
  pricing: "dynamic",
  fixedPriceCents: null,
  minBidCents: 0,
  bidAdjustBps: 10_000,
  priority: 0,
  filters: "[]",
  priceRules: "[]",
  schedule: null,
  timezone: "UTC",
  capHour: null,
  capDay: null,
  capMonth: null,
  budgetDayCents: null,
  budgetMonthCents: null,
  fallback: false,
  maxBidCents: null,
  breakerWindowS: 900,
  breakerMinSamples: 20,
  breakerRejectPct: 80,
  breakerErrorPct: 50,
  breakerTimeoutPct: 50,
  breakerCooldownS: 300,
  returnWindowH: 72,
  returnCapBps: 1500,
  returnReasons: '["bad_data"]',
  returnAutoApprove: '["bad_data"]',
  agedMinDays: null,
  agedMaxDays: null,
  sharedPriceBps: null,
  testPingUrl: null,
  testPostUrl: null,
  version: 1,
  createdAt: 0,
  ...over,
});
const sourceRow: SourceRow = {
  id: "s1",
  name: "S",
  status: "active",
  apiKeyHash: "a".repeat(64),
  apiKeyHashNext: null,
  reportKeyHash: null,
  publishableKey: null,
  allowedCampaigns: '["*"]',
  allowedOrigins: "[]",
  payoutType: "share",
  payoutValue: 7000,
  successUrl: null,
  failureUrl: null,
  postbackUrl: null,
  postbackSecret: null,
  turnstile: false,
  turnstileSecret: null,
  ipPerMinute: 20,
  keyPerMinute: 600,
  pingsPerMinute: 600,
  dailyLeadQuota: null,
  returnClawback: true,
  version: 1,
  createdAt: 0,
};

describe("rules compile", () => {
  it("a broken contract disables only itself, with a problem naming its row and column", () => {
    const rules = compileRules({
      campaigns: [campaignRow()],
      sources: [sourceRow],
      buyers: [buyerRow],
      contracts: [
        contractRow(),
        contractRow({ id: "bad_tz", timezone: "Mars/Olympus" }),
        contractRow({ id: "bad_json", filters: "{not json" }),
        contractRow({ id: "bad_filter", filters: '[{"field":"shoe_size","op":"eq","value":1}]' }),
        contractRow({ id: "bad_fixed", pricing: "fixed", fixedPriceCents: null }),
      ],
    });
    expect([...rules.contractsById.keys()]).toEqual(["k1"]);
    expect(rules.problems.map((p) => `${p.id}.${p.column}`)).toEqual([
      "bad_tz.timezone",
      "bad_json.filters",
      "bad_filter.filters",
      "bad_fixed.fixed_price_cents",
    ]);
  });

  it("buyer, postback and redirect URLs must be https (http only to loopback); a postback needs a 32-character secret", () => {
    const rules = compileRules({
      campaigns: [campaignRow()],
      sources: [
        sourceRow,
        { ...sourceRow, id: "s_http", apiKeyHash: "b".repeat(64), successUrl: "http://forms.example/thanks" },
        { ...sourceRow, id: "s_weak", apiKeyHash: "c".repeat(64), postbackUrl: "https://pub.example/hook", postbackSecret: "short" },
        {
          ...sourceRow,
          id: "s_ok",
          apiKeyHash: "d".repeat(64),
          postbackUrl: "https://pub.example/hook",
          postbackSecret: "x".repeat(32),
          failureUrl: "http://localhost:8080/sorry",
        },
        { ...sourceRow, id: "s_clash", apiKeyHash: "e".repeat(64), apiKeyHashNext: "a".repeat(64) },
      ],
      buyers: [buyerRow],
      contracts: [
        contractRow(),
        contractRow({ id: "k_http", postUrl: "http://buyer.example/post" }),
        contractRow({ id: "k_local", pingUrl: "http://127.0.0.1:9/ping", postUrl: "http://localhost:9/post" }),
        contractRow({ id: "k_deletion", deletionUrl: "http://buyer.example/deletions" }),
        contractRow({ id: "k_deletion_ok", deletionUrl: "https://buyer.example/deletions" }),
      ],
    });
    expect(rules.problems.map((p) => `${p.id}.${p.column}`)).toEqual([
      "s_http.success_url",
      "s_weak.postback_secret",
      "s_clash.api_key_hash_next",
      "k_http.post_url",
      "k_deletion.deletion_url",
    ]);
    expect(rules.sourcesByKeyHash.get("a".repeat(64))?.id).toBe("s1"); // a key names one source only
    expect([...rules.contractsById.keys()].sort()).toEqual(["k1", "k_deletion_ok", "k_local"]);
  });

  it("a reporting key is a SHA-256, names one source and is no source's API key (issue #24)", () => {
    const rules = compileRules({
      campaigns: [campaignRow()],
      sources: [
        { ...sourceRow, reportKeyHash: "f".repeat(64) },
        { ...sourceRow, id: "s_badhex", apiKeyHash: "b".repeat(64), reportKeyHash: "not-a-hash" },
        { ...sourceRow, id: "s_own", apiKeyHash: "c".repeat(64), reportKeyHash: "c".repeat(64) },
        { ...sourceRow, id: "s_theirs", apiKeyHash: null, publishableKey: "pk_x", reportKeyHash: "d".repeat(64) },
        { ...sourceRow, id: "s_later", apiKeyHash: "d".repeat(64) },
      ],
      buyers: [buyerRow],
      contracts: [contractRow()],
    });
    expect(rules.problems.map((p) => `${p.id}.${p.column}: ${p.message}`)).toEqual([
      "s_badhex.report_key_hash: must be the SHA-256 hex of the key",
      "s_own.report_key_hash: must not be one of the source's API keys",
      "s_theirs.report_key_hash: the same key as source s_later's API key",
    ]);
    expect([...rules.sourcesByReportKeyHash.keys()]).toEqual(["f".repeat(64)]);
    expect(rules.sourcesByReportKeyHash.get("f".repeat(64))?.id).toBe("s1");
    // Refused reporting keys cost only themselves: those sources still post.
    expect(rules.sourcesById.has("s_own")).toBe(true);
    expect(rules.sourcesById.has("s_theirs")).toBe(true);
    expect(rules.sourcesByKeyHash.get("d".repeat(64))?.id).toBe("s_later");
  });

  it("rules:check reads each contract's sample answers with its protocol", () => {
    const protocol = JSON.stringify({
      kind: "template",
      ping: { format: "xml", mapping: { zip: "zip" }, response: { bid_path: "response.price" } },
      post: { format: "xml", mapping: { email: "email" }, response: { accepted_path: "response.status", accepted_values: ["Matched"] } },
    });
    const rules = compileRules({
      campaigns: [campaignRow()],
      sources: [sourceRow],
      buyers: [buyerRow],
      contracts: [
        contractRow({
          id: "k_ok",
          protocol,
          samplePingAnswer: "<response><price>12.50</price></response>",
          samplePostAnswer: "<response><status>Matched</status></response>",
        }),
        contractRow({
          id: "k_bad",
          protocol,
          samplePingAnswer: "<response><amount>12.50</amount></response>",
          samplePostAnswer: "<response><status>Unmatched</status></response>",
        }),
        contractRow({ id: "k_hdr", apiHeaders: '{"X Api Key":"x"}' }),
      ],
    });
    expect(rules.problems.map((p) => `${p.id}.${p.column}: ${p.message}`)).toEqual([
      "k_bad.sample_ping_answer: the sample ping answer reads as no_bid: no bid in answer",
      "k_bad.sample_post_answer: the sample post answer reads as rejected: rejected without reason",
      expect.stringMatching(/^k_hdr\.api_headers: /),
    ]);
    expect([...rules.contractsById.keys()]).toEqual(["k_ok"]);
  });

  it("refuses a campaign that marks personal data ping-safe", () => {
    const rules = compileRules({
      campaigns: [campaignRow({ fields: JSON.stringify([{ name: "email", type: "email", ping: true }]) })],
      sources: [],
      buyers: [],
      contracts: [],
    });
    expect(rules.campaignsBySlug.size).toBe(0);
    expect(rules.problems[0]).toMatchObject({ table: "campaigns", id: "c1", column: "fields" });
    expect(rules.problems[0]!.message).toContain("personal data");
  });

  it("consent checks take known settings only, and TrustedForm needs an email or phone field to match (issue #24)", () => {
    const bad = (id: string, over: Record<string, unknown>) => campaignRow({ id, slug: id, ...over } as Partial<CampaignRow>);
    const rules = compileRules({
      campaigns: [
        campaignRow({ trustedform: "claim_verify", jornaya: "authenticate", jornayaOnFail: "flag", jornayaOnTimeout: "reject" }),
        bad("tf", { trustedform: "retain" }),
        bad("jn", { jornaya: "on" }),
        bad("jf", { jornayaOnFail: "drop" }),
        bad("jt", { jornayaOnTimeout: "" }),
        bad("nomatch", { trustedform: "verify", fields: JSON.stringify([{ name: "zip", type: "zip", ping: true }]) }),
      ],
      sources: [],
      buyers: [],
      contracts: [],
    });
    expect([...rules.campaignsById.keys()]).toEqual(["c1"]);
    expect(rules.problems.map((p) => `${p.id}.${p.column}: ${p.message}`)).toEqual([
      "tf.trustedform: must be one of off, verify, claim, claim_verify",
      "jn.jornaya: must be one of off, authenticate",
      "jf.jornaya_on_fail: must be one of reject, continue, flag",
      "jt.jornaya_on_timeout: must be one of reject, continue, flag",
      "nomatch.trustedform: TrustedForm matches the certificate by email or phone: add an email or phone field",
    ]);
  });

  it("paused rows are loaded for validation but never used", () => {
    const rules = compileRules({
      campaigns: [campaignRow()],
      sources: [sourceRow],
      buyers: [{ ...buyerRow, status: "paused" }],
      contracts: [contractRow()],
    });
    expect(rules.contractsById.size).toBe(0);
    expect(rules.problems).toEqual([]);
  });
});

describe("ping-safe subset", () => {
  it("property: whatever the rules say, no personal data reaches a ping", () => {
    const name = fc.oneof(fc.constantFrom(...PII_NAMES), fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/));
    const type = fc.constantFrom("text", "email", "phone", "zip", "state", "integer", "dob", "enum");
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ name, type, ping: fc.boolean(), pii: fc.boolean() }), {
          selector: (f) => f.name,
          minLength: 1,
          maxLength: 12,
        }),
        (defs) => {
          // Bypass validation on purpose: the subset must hold even for rules that slipped through.
          const fields = defs.map((d) => ({ ...d, required: false, values: ["x"] })) as ReturnType<typeof FieldDefsSchema.parse>;
          const lead = Object.fromEntries(defs.map((d) => [d.name, `v_${d.name}`]));
          const out = pingSafeLead(fields, { ...lead, age: 40 });
          for (const key of Object.keys(out)) {
            if (key === "age") continue;
            const def = defs.find((d) => d.name === key)!;
            expect(def.ping && !def.pii).toBe(true);
            expect(["email", "phone", "dob"]).not.toContain(def.type);
            expect(PII_NAMES.has(key)).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("rules warnings", () => {
  it("a ping-safe field that looks personal is a warning, not a disabled campaign", () => {
    const rules = compileRules({
      campaigns: [
        campaignRow({
          fields: JSON.stringify([
            { name: "zip", type: "zip", ping: true },
            { name: "fname", type: "text", ping: true },
          ]),
        }),
      ],
      sources: [sourceRow],
      buyers: [buyerRow],
      contracts: [contractRow()],
    });
    expect(rules.problems).toEqual([]);
    expect(rules.campaignsById.has("c1")).toBe(true);
    expect(rules.warnings).toEqual([
      { table: "campaigns", id: "c1", column: "fields", message: expect.stringContaining('"fname" looks like personal data') },
    ]);
  });
});

describe("the deprecated v1 signature is opt-in per contract (issue #24)", () => {
  const compile = (signatureV1: boolean) =>
    compileRules({ campaigns: [campaignRow()], sources: [sourceRow], buyers: [buyerRow], contracts: [contractRow({ signatureV1 })] });

  it("off by default; on, the contract still works and rules:check warns until the buyer verifies v3", () => {
    const off = compile(false);
    expect(off.contractsById.get("k1")?.signatureV1).toBe(false);
    expect(off.warnings).toEqual([]);
    const on = compile(true);
    expect(on.problems).toEqual([]);
    expect(on.contractsById.get("k1")?.signatureV1).toBe(true);
    expect(on.warnings).toEqual([
      { table: "contracts", id: "k1", column: "signature_v1", message: expect.stringContaining("deprecated v1 signature") },
    ]);
  });
});

describe("text is personal unless an admin says otherwise (issue #24)", () => {
  const lead = { zip: "94107", vehicle_make: "Subaru", notes: "call Pat Doe at home" };

  it("a text field marked ping is not pinged until it is also marked pii: false", () => {
    const unconfirmed = FieldDefsSchema.parse([
      { name: "zip", type: "zip", ping: true },
      { name: "vehicle_make", type: "text", ping: true },
      { name: "notes", type: "text", ping: true },
    ]);
    expect(pingSafeLead(unconfirmed, lead)).toEqual({ zip: "94107" });
    const confirmed = FieldDefsSchema.parse([
      { name: "zip", type: "zip", ping: true },
      { name: "vehicle_make", type: "text", ping: true, pii: false },
      { name: "notes", type: "text", ping: true },
    ]);
    expect(pingSafeLead(confirmed, lead)).toEqual({ zip: "94107", vehicle_make: "Subaru" });
  });

  it("rules:check says which text fields are held back, without disabling the campaign", () => {
    const rules = compileRules({
      campaigns: [
        campaignRow({
          fields: JSON.stringify([
            { name: "zip", type: "zip", ping: true },
            { name: "vehicle_make", type: "text", ping: true },
          ]),
        }),
      ],
      sources: [sourceRow],
      buyers: [buyerRow],
      contracts: [contractRow()],
    });
    expect(rules.problems).toEqual([]);
    expect(rules.campaignsById.has("c1")).toBe(true);
    expect(rules.warnings).toEqual([
      {
        table: "campaigns",
        id: "c1",
        column: "fields",
        message: expect.stringContaining('text field "vehicle_make" is marked ping but not "pii": false'),
      },
    ]);
  });

  it("property: whatever the flags, a text field reaches a ping only with an explicit pii: false", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.option(fc.boolean(), { nil: undefined }), (ping, pii) => {
        const fields = FieldDefsSchema.safeParse([{ name: "vehicle_make", type: "text", ping, ...(pii === undefined ? {} : { pii }) }]);
        if (!fields.success) return; // ping with pii: true is refused by the schema itself
        const pinged = "vehicle_make" in pingSafeLead(fields.data, lead);
        expect(pinged).toBe(ping && pii === false);
      }),
    );
  });
});

describe("resale and sale-by-value settings (issue #28)", () => {
  it("selling by value needs a shared auction; tiers within the resale age and retention; aged contracts name both ages", () => {
    const rules = compileRules({
      campaigns: [
        campaignRow(),
        campaignRow({ id: "c_val", slug: "val", sellByValue: true }),
        campaignRow({ id: "c_val_ok", slug: "val-ok", sellByValue: true, exclusive: false, maxBuyers: 3 }),
        campaignRow({ id: "c_tier", slug: "tier", agedTiers: '[{"days":45,"floor_cents":100}]' }),
        campaignRow({ id: "c_rise", slug: "rise", agedTiers: '[{"days":1,"floor_cents":100},{"days":7,"floor_cents":200}]' }),
        campaignRow({ id: "c_retry", slug: "retry", retryMaxAttempts: 101 }),
      ],
      sources: [sourceRow],
      buyers: [buyerRow],
      contracts: [
        contractRow(),
        contractRow({ id: "k_aged", agedMinDays: 1, agedMaxDays: 30 }),
        contractRow({ id: "k_half", agedMinDays: 1 }),
        contractRow({ id: "k_old", agedMinDays: 5, agedMaxDays: 120 }),
        contractRow({ id: "k_share", sharedPriceBps: 0 }),
      ],
    });
    expect(rules.problems.map((p) => `${p.id}.${p.column}`)).toEqual([
      "c_val.sell_by_value",
      "c_tier.aged_tiers",
      "c_rise.aged_tiers",
      "c_retry.retry_max_attempts",
      "k_half.aged_min_days",
      "k_old.aged_min_days",
      "k_share.shared_price_bps",
    ]);
    expect(rules.campaignsById.get("c_val_ok")).toMatchObject({ sellByValue: true, agedTiers: [] });
    expect(rules.contractsById.get("k_aged")).toMatchObject({ aged: { minDays: 1, maxDays: 30 }, sharedPriceBps: null });
  });
});
