// The console's editor through the worker (issue #26): forms (no JavaScript) that add a buyer and a
// contract with filter and schedule rows, errors beside the field they name with what was typed kept,
// CSRF and Origin checks, the audit view with its diff and undo, pause and resume, the returns queue,
// and "Test this buyer" showing what was sent and how the answer was read.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { BuyerTestResult } from "../../src/pipeline/buyer-test";
import { demoLead, gateway, leadReaches, postLead, received, seedDemo, setBuyers, sql } from "../support/helpers";

const TOKEN = "test-admin-token-0123456789abcdef";
const FORM = "application/x-www-form-urlencoded";

let cookie = "";
let logins = 0;
async function login(): Promise<void> {
  // Each test logs in from its own address: the login form allows ten attempts a minute per address.
  const res = await gateway("/console/login", {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": FORM, "cf-connecting-ip": `192.0.2.${++logins}` },
    body: new URLSearchParams({ token: TOKEN }).toString(),
  });
  cookie = res.headers.get("set-cookie")!.split(";")[0]!;
}
const open = (path: string) => gateway(path, { headers: { cookie }, redirect: "manual" });
async function csrf(path: string): Promise<string> {
  const html = await (await open(path)).text();
  return /name="csrf" value="([0-9a-f]+)"/.exec(html)![1]!;
}
const submit = (path: string, fields: [string, string][], headers: Record<string, string> = {}) =>
  gateway(path, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "content-type": FORM, origin: "http://gateway.test", ...headers },
    body: new URLSearchParams(fields).toString(),
  });

/** A form with some fields set to other values. */
const edited = (form: [string, string][], set: Record<string, string>): [string, string][] =>
  form.map(([k, v]): [string, string] => [k, k in set ? set[k]! : v]);

/** The contract form's fields as a person fills them in. */
function contractForm(token: string, extra: [string, string][] = []): [string, string][] {
  return [
    ["csrf", token],
    ["version", "0"],
    ["id", "ct_form"],
    ["buyer_id", "buy_form"],
    ["campaign_id", "cmp_auto"],
    ["name", "Form - CA weekdays"],
    ["status", "active"],
    ["ping_url", `${env.BUYERS_URL}/b/formbuyer/ping?bid=40`],
    ["post_url", `${env.BUYERS_URL}/b/formbuyer/post`],
    ["pricing", "dynamic"],
    ["min_bid_cents", "1000"],
    ["bid_adjust_bps", "10000"],
    ["priority", "0"],
    ["timezone", "America/Chicago"],
    ["timeout_ms", "400"],
    ["min_ping_ms", "0"],
    ["post_timeout_ms", "2000"],
    ["protocol", '{"kind":"native"}'],
    ["secret", "form-contract-secret-0123456789"],
    ["api_headers", "X-Api-Key: form-buyer-key"],
    ["filters.0.field", "state"],
    ["filters.0.op", "in"],
    ["filters.0.value", "CA, TX"],
    ["filters.1.field", "homeowner"],
    ["filters.1.op", "eq"],
    ["filters.1.value", "yes"],
    ...["sun", "mon", "tue", "wed", "thu", "fri", "sat"].map((d): [string, string] => ["schedule.0.days", d]),
    ["schedule.0.start", "00:00"],
    ["schedule.0.end", "24:00"],
    ["breaker_window_s", "900"],
    ["breaker_min_samples", "20"],
    ["breaker_reject_pct", "80"],
    ["breaker_error_pct", "50"],
    ["breaker_timeout_pct", "50"],
    ["breaker_cooldown_s", "300"],
    ["return_window_h", "72"],
    ["return_cap_bps", "1500"],
    ["return_reasons", "bad_data\ndisconnected"],
    ["return_auto_approve", "bad_data"],
    ...extra,
  ];
}

async function addBuyerAndContract(): Promise<void> {
  const t = await csrf("/console/buyers/new");
  const buyer = await submit("/console/buyers/new", [
    ["csrf", t],
    ["version", "0"],
    ["id", "buy_form"],
    ["name", "Form Buyer"],
    ["status", "active"],
    ["dedupe_window_s", "60"],
    ["dedupe_scope", "buyer"],
  ]);
  expect(buyer.status, await buyer.clone().text()).toBe(303);
  const res = await submit("/console/contracts/new", contractForm(await csrf("/console/contracts/new")));
  expect(res.status, await res.clone().text()).toBe(303);
  expect(res.headers.get("location")).toMatch(/^\/console\/contracts\/ct_form\?saved=\d+$/);
}

beforeEach(async () => {
  await seedDemo();
  await setBuyers({});
  await login();
});

describe("the editor", () => {
  it("adds a buyer and a contract through forms (filter and schedule rows), which then buys a lead", async () => {
    await addBuyerAndContract();
    const row = await env.DB.prepare("SELECT * FROM contracts WHERE id = 'ct_form'").first<Record<string, string>>();
    expect(JSON.parse(row!.filters!)).toEqual([
      { field: "state", op: "in", values: ["CA", "TX"] },
      { field: "homeowner", op: "eq", value: true },
    ]);
    expect(JSON.parse(row!.schedule!)).toEqual({
      windows: [{ days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], start: "00:00", end: "24:00" }],
    });
    expect(JSON.parse(row!.api_headers!)).toEqual({ "X-Api-Key": "form-buyer-key" });
    const page = await (await open("/console/contracts/ct_form")).text();
    expect(page).toMatch(/name="filters.0.value"[^>]*value="CA, TX"/);
    expect(page).not.toContain("form-contract-secret");
    expect(page).not.toContain("form-buyer-key");
    expect(page).toContain("Test this buyer");
    const lead = await (await postLead(demoLead())).json<{ lead_id: string; buyer: string }>();
    expect(lead.buyer).toBe("Form Buyer");
    await leadReaches(lead.lead_id, ["sold"]);
    expect((await received("formbuyer")).find((r) => r.kind === "ping")!.headers["x-api-key"]).toBe("form-buyer-key");
  });

  it("shows an error beside the field it names, keeps what was typed, and stores nothing", async () => {
    await addBuyerAndContract();
    const t = await csrf("/console/contracts/ct_form");
    const before = await env.DB.prepare("SELECT * FROM contracts WHERE id = 'ct_form'").first();
    const res = await submit(
      "/console/contracts/ct_form",
      edited(contractForm(t), { version: "1", timeout_ms: "5", min_bid_cents: "12 dollars" }),
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="e-min_bid_cents" role="alert">a whole number/);
    expect(html).toContain('value="12 dollars"');
    expect(await env.DB.prepare("SELECT * FROM contracts WHERE id = 'ct_form'").first()).toEqual(before);
    // The compiler's own refusal, beside its field.
    const bad = await submit(
      "/console/contracts/ct_form",
      contractForm(t).map(([k, v]): [string, string] => (k === "version" ? [k, "1"] : k === "timeout_ms" ? [k, "5"] : [k, v])),
    );
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/id="e-timeout_ms" role="alert">must be between 10 and 10000/);
    expect(await env.DB.prepare("SELECT * FROM contracts WHERE id = 'ct_form'").first()).toEqual(before);
  });

  it("refuses a form without the page's CSRF token, or from another origin", async () => {
    const token = await csrf("/console/buyers/new");
    const fields: [string, string][] = [
      ["version", "0"],
      ["name", "Sneaky"],
      ["status", "active"],
      ["dedupe_window_s", "60"],
      ["dedupe_scope", "buyer"],
    ];
    expect((await submit("/console/buyers/new", fields)).status).toBe(403);
    expect((await submit("/console/buyers/new", [["csrf", "0".repeat(32)], ...fields])).status).toBe(403);
    expect((await submit("/console/buyers/new", [["csrf", token], ...fields], { origin: "https://evil.example" })).status).toBe(403);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM buyers WHERE name = 'Sneaky'").first()).toEqual({ n: 0 });
    expect((await submit("/console/buyers/new", [["csrf", token], ...fields])).status).toBe(303);
  });

  it("price rules as form rows (issue #27): a TX price and an else rule stored as rules, shown again as rows; a bad amount named beside its cell", async () => {
    await addBuyerAndContract();
    const t = await csrf("/console/contracts/ct_form");
    const page = await (await open("/console/contracts/ct_form")).text();
    expect(page).toContain('name="price_rules.0.when.0.field"');
    expect(page).toContain('<option value="in_list" >is in the list</option>');
    const rules: [string, string][] = [
      ["price_rules.0.name", "Texas"],
      ["price_rules.0.when.0.field", "state"],
      ["price_rules.0.when.0.op", "eq"],
      ["price_rules.0.when.0.value", "TX"],
      ["price_rules.0.when.1.field", "homeowner"],
      ["price_rules.0.when.1.op", "eq"],
      ["price_rules.0.when.1.value", "yes"],
      ["price_rules.0.action", "price_cents"],
      ["price_rules.0.amount", "2,500"],
      ["price_rules.1.when.0.field", ""],
      ["price_rules.1.action", "add_cents"],
      ["price_rules.1.amount", "100"],
      ["price_rules.2.name", ""],
      ["price_rules.2.action", ""],
    ];
    const form = (extra: [string, string][]) =>
      contractForm(t, extra).map(([k, v]): [string, string] => (k === "version" ? [k, "1"] : [k, v]));
    const saved = await submit("/console/contracts/ct_form", form(rules));
    expect(saved.status, await saved.clone().text()).toBe(303);
    const row = await env.DB.prepare("SELECT price_rules FROM contracts WHERE id = 'ct_form'").first<{ price_rules: string }>();
    expect(JSON.parse(row!.price_rules)).toEqual([
      {
        name: "Texas",
        when: [
          { field: "state", op: "eq", value: "TX" },
          { field: "homeowner", op: "eq", value: true },
        ],
        price_cents: 2500,
      },
      { when: [], add_cents: 100 },
    ]);
    const shown = await (await open("/console/contracts/ct_form")).text();
    expect(shown).toContain('name="price_rules.0.amount" aria-label="rule 1: amount" inputmode="numeric" value="2500"');
    expect(shown).toContain('<option value="add_cents" selected>add (cents)</option>');

    // A rule without an amount is refused, named at its cell; nothing is stored.
    const bad = await submit(
      "/console/contracts/ct_form",
      form([
        ["price_rules.0.action", "subtract_cents"],
        ["price_rules.0.amount", "a lot"],
      ]).map(([k, v]): [string, string] => (k === "version" ? [k, "2"] : [k, v])),
    );
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("a whole number of cents");
    expect(
      (await env.DB.prepare("SELECT price_rules FROM contracts WHERE id = 'ct_form'").first<{ price_rules: string }>())!.price_rules,
    ).toBe(row!.price_rules);
  });

  it("a template as form rows (issue #27): a buyer that insists on ten-digit phones, Y/N and MM/DD/YYYY buys once its rows say so; the rows show again; a bad cell is named; what rows can't carry is JSON", async () => {
    await addBuyerAndContract();
    const page = await (await open("/console/contracts/ct_form")).text();
    expect(page).toContain('<select id="protocol.kind" name="protocol.kind"');
    expect(page).not.toContain('name="protocol" '); // no JSON textarea: the rows carry a native format
    expect(page).toContain('<option value="$consent.ip"></option>'); // the sources' list: fields and $values

    const rows: [string, string][] = [
      ["protocol.kind", "template"],
      ["protocol.preset", ""],
      ["protocol.ping.format", ""],
      ["protocol.post.format", "form"],
      ...(
        [
          ["phone", "field", "phone", "format:digits10", ""],
          ["home_owner", "field", "homeowner", "bool", "Y, N"],
          ["birth_date", "field", "dob", "date", "MM/DD/YYYY"],
          ["name", "joined", "{first_name} {last_name}", "case:upper", ""],
        ] as const
      ).flatMap(([key, source, value, kind, param], i): [string, string][] => [
        [`protocol.post.mapping.${i}.key`, key],
        [`protocol.post.mapping.${i}.source`, source],
        [`protocol.post.mapping.${i}.value`, value],
        [`protocol.post.mapping.${i}.t.0.kind`, kind],
        [`protocol.post.mapping.${i}.t.0.param`, param],
        [`protocol.post.mapping.${i}.t.1.kind`, ""],
        [`protocol.post.mapping.${i}.default`, ""],
      ]),
      ["protocol.post.mapping.4.key", ""],
      ["protocol.post.response.0.rule", "accepted_path"],
      ["protocol.post.response.0.value", "accepted"],
      ["protocol.post.response.1.rule", "reason_path"],
      ["protocol.post.response.1.value", "reason"],
      ["protocol.post.response.2.rule", ""],
    ];
    const t = await csrf("/console/contracts/ct_form");
    /** The contract, now a direct post at $20, with the format's rows (the page posts rows, not the JSON column). */
    const form = (version: number, set: Record<string, string> = {}) =>
      edited(
        contractForm(t, [["fixed_price_cents", "2000"], ...rows]).filter(([k]) => k !== "protocol"),
        { version: String(version), pricing: "fixed", ping_url: "", ...set },
      );
    const saved = await submit("/console/contracts/ct_form", form(1));
    expect(saved.status, await saved.clone().text()).toBe(303);
    const stored = await env.DB.prepare("SELECT protocol FROM contracts WHERE id = 'ct_form'").first<{ protocol: string }>();
    expect(JSON.parse(stored!.protocol)).toEqual({
      kind: "template",
      post: {
        format: "form",
        mapping: {
          phone: { from: "phone", transforms: [{ format: "digits10" }] },
          home_owner: { from: "homeowner", transforms: [{ bool: ["Y", "N"] }] },
          birth_date: { from: "dob", transforms: [{ date: "MM/DD/YYYY" }] },
          name: { concat: ["first_name", " ", "last_name"], transforms: [{ case: "upper" }] },
        },
        response: { accepted_path: "accepted", reason_path: "reason" },
      },
    });

    // The buyer refuses anything else, and buys the lead as the rows shaped it.
    await setBuyers({ formbuyer: { requires: { phone: "\\d{10}", home_owner: "Y|N", birth_date: "\\d{2}/\\d{2}/\\d{4}" } } });
    await sql("UPDATE contracts SET status = 'paused' WHERE id <> 'ct_form'");
    const lead = demoLead({ state: "CA", homeowner: true, dob: "1979-12-03" });
    const sold = await (await postLead(lead)).json<{ lead_id: string; buyer: string }>();
    await leadReaches(sold.lead_id, ["sold"]);
    const post = (await received("formbuyer")).find((r) => r.kind === "post")!;
    expect(Object.fromEntries(new URLSearchParams(post.body))).toEqual({
      phone: String(lead.phone).replace(/\D/g, ""),
      home_owner: "Y",
      birth_date: "12/03/1979",
      name: "PAT DOE",
    });

    // Shown again as rows, each cell as stored.
    const shown = await (await open("/console/contracts/ct_form")).text();
    expect(shown).toMatch(/name="protocol.post.mapping.3.value"[^>]*value="\{first_name\} \{last_name\}"/);
    expect(shown).toContain('<option value="format:digits10" selected>phone 4155552671</option>');
    expect(shown).toMatch(/name="protocol.post.mapping.1.t.0.param"[^>]*value="Y, N"/);

    // A cell that can't be read is named, what was typed is shown again, and nothing is stored.
    const bad = await submit(
      "/console/contracts/ct_form",
      form(2, { "protocol.post.mapping.0.t.0.kind": "truncate", "protocol.post.mapping.0.t.0.param": "five" }),
    );
    expect(bad.status).toBe(422);
    const badPage = await bad.text();
    expect(badPage).toContain("<code>protocol.post.mapping.0.t.0.param</code> a length: a whole number of characters");
    expect(badPage).toMatch(/name="protocol.post.mapping.0.t.0.param"[^>]*value="five"/);
    expect((await env.DB.prepare("SELECT protocol FROM contracts WHERE id = 'ct_form'").first<{ protocol: string }>())!.protocol).toBe(
      stored!.protocol,
    );

    // A format the rows can't carry exactly (a comma inside a lookup's key) is shown, and saved, as JSON.
    const odd = { kind: "template", post: { format: "json", mapping: { c: { from: "credit", map: { "good,fair": "B" } } }, response: {} } };
    await sql("UPDATE contracts SET protocol = ? WHERE id = 'ct_form'", JSON.stringify(odd));
    const jsonPage = await (await open("/console/contracts/ct_form")).text();
    expect(jsonPage).not.toContain('name="protocol.kind"');
    expect(jsonPage).toMatch(/<textarea rows="8" id="protocol" name="protocol"[^>]*>\{\n  &quot;kind&quot;: &quot;template&quot;/);
    expect(jsonPage).toContain("the form&#39;s rows can&#39;t carry this one exactly");
    // A format edited as JSON and refused is shown again as typed, with its error.
    const typed = edited(form(3), {}).filter(([k]) => !k.startsWith("protocol."));
    const refusedJson = await submit("/console/contracts/ct_form", [...typed, ["protocol", '{"kind":"template"}']]);
    expect(refusedJson.status).toBe(422);
    const refusedPage = await refusedJson.text();
    expect(refusedPage).toMatch(
      /<textarea rows="8" id="protocol" name="protocol"[^>]*>\{&quot;kind&quot;:&quot;template&quot;\}<\/textarea>/,
    );
    expect(refusedPage).toMatch(/id="e-protocol" role="alert">[^<]*expected object[^<]*at post<br>/);
    // …and any format, on asking for it.
    await sql("UPDATE contracts SET protocol = '{\"kind\":\"native\"}' WHERE id = 'ct_form'");
    expect(await (await open("/console/contracts/ct_form?protocol=json")).text()).toMatch(
      /<textarea rows="8" id="protocol" name="protocol"/,
    );
  });

  it("a campaign's scrubs, hooks and aged tiers and an experiment's variants show as rows, each cell as stored; a list rows can't carry shows as JSON", async () => {
    await sql(
      "UPDATE campaigns SET scrubs = ?, aged_tiers = ? WHERE id = 'cmp_auto'",
      JSON.stringify([{ vendor: "tcpa_litigator", types: ["tcpa", "dnc"], cost_cents: 1, on_fail: "flag" }]),
      JSON.stringify([{ days: 3, floor_cents: 400 }]),
    );
    const page = await (await open("/console/campaigns/cmp_auto")).text();
    expect(page).toMatch(/<select name="scrubs.0.vendor"[^>]*>.*<option value="tcpa_litigator" selected>/);
    expect(page).toMatch(/name="scrubs.0.types"[^>]*value="tcpa, dnc"/);
    expect(page).toMatch(/<select name="scrubs.0.on_fail"[^>]*>.*<option value="flag" selected>/);
    expect(page).toMatch(/<select name="scrubs.0.on_timeout"[^>]*><option value="" selected>\(default\)/);
    expect(page).toMatch(/name="aged_tiers.0.floor_cents"[^>]*value="400"/);
    expect(page).toContain('name="aged_tiers.2.days"'); // two blank rows to add one
    expect(page).toContain('name="verify_hooks.0.url"');
    expect(page).not.toContain('name="scrubs" ');

    // An experiment's variants, their settings one level down.
    await sql(
      "INSERT INTO experiments (id, campaign_id, name, variants, started_at) VALUES ('exp_rows', 'cmp_auto', 'Floor test', ?, 0)",
      JSON.stringify([
        { name: "control", share: 1 },
        { name: "high", share: 1, settings: { floor_cents: 1200, quality_weighting: true } },
      ]),
    );
    const experiment = await (await open("/console/experiments/exp_rows")).text();
    expect(experiment).toMatch(/name="variants.1.settings.floor_cents"[^>]*value="1200"/);
    expect(experiment).toMatch(/<select name="variants.1.settings.quality_weighting"[^>]*>.*<option value="yes" selected>/);

    await sql("UPDATE campaigns SET scrubs = ? WHERE id = 'cmp_auto'", JSON.stringify([{ vendor: "dncscrub", extra: { nested: true } }]));
    const odd = await (await open("/console/campaigns/cmp_auto")).text();
    expect(odd).toMatch(/<textarea rows="8" id="scrubs" name="scrubs"[^>]*>\[\n  \{\n    &quot;vendor&quot;: &quot;dncscrub&quot;/);
    expect(odd).toContain("Shown as JSON: rows can&#39;t carry this value.");
  });

  it("a change shows in the audit view with its diff; undo puts the old floor back; a stale form gets a conflict", async () => {
    await addBuyerAndContract();
    const t = await csrf("/console/contracts/ct_form");
    const saved = await submit(
      "/console/contracts/ct_form",
      contractForm(t).map(([k, v]): [string, string] => (k === "version" ? [k, "1"] : k === "min_bid_cents" ? [k, "2500"] : [k, v])),
    );
    expect(saved.status, (await saved.clone().text()).match(/role="alert">[^<]*(<[^>]*>[^<]*){0,3}/g)?.join(" | ")).toBe(303);
    const changeId = /saved=(\d+)/.exec(saved.headers.get("location")!)![1]!;
    const audit = await (await open("/console/audit")).text();
    expect(audit).toContain(`/console/audit/${changeId}`);
    expect(audit).toContain("min_bid_cents");
    const entry = await (await open(`/console/audit/${changeId}`)).text();
    expect(entry).toMatch(/<td[^>]*>min_bid_cents<\/td><td[^>]*>1000<\/td><td[^>]*>2500<\/td>/);
    expect(entry).toContain("by <b>admin</b> (console)");
    // The form still holds version 1: saving it again is a conflict, not an overwrite.
    const stale = await submit(
      "/console/contracts/ct_form",
      contractForm(t).map(([k, v]): [string, string] => (k === "version" ? [k, "1"] : k === "min_bid_cents" ? [k, "3000"] : [k, v])),
    );
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain("someone changed it");
    const undo = await submit(`/console/audit/${changeId}/revert`, [["csrf", await csrf(`/console/audit/${changeId}`)]]);
    expect(undo.status).toBe(303);
    expect(undo.headers.get("location")).toMatch(new RegExp(`undone=${changeId}$`));
    expect((await env.DB.prepare("SELECT min_bid_cents FROM contracts WHERE id = 'ct_form'").first())!.min_bid_cents).toBe(1000);
    expect(await (await open("/console/contracts/ct_form")).text()).toContain(
      'id="min_bid_cents" name="min_bid_cents" aria-describedby="h-min_bid_cents" aria-invalid="false" value="1000"',
    );
  });

  it("pauses and resumes from the list", async () => {
    const t = await csrf("/console/contracts");
    const res = await submit("/console/contracts/ct_alpha/status", [
      ["csrf", t],
      ["version", "1"],
      ["status", "paused"],
    ]);
    expect(res.status).toBe(303);
    expect((await env.DB.prepare("SELECT status FROM contracts WHERE id = 'ct_alpha'").first())!.status).toBe("paused");
    expect(await (await open("/console/contracts?done=paused&id=ct_alpha")).text()).toContain("ct_alpha paused.");
  });

  it("lists say why they are empty, and rows with problems say which column", async () => {
    await sql("DELETE FROM experiments");
    expect(await (await open("/console/experiments")).text()).toContain("No experiments yet");
    await sql("UPDATE contracts SET timeout_ms = 5 WHERE id = 'ct_golf'");
    expect(await (await open("/console/contracts")).text()).toMatch(/1: timeout_ms/);
  });
});

describe("test this buyer", () => {
  it("sends a sample ping and post to the test URL and shows what was sent (personal values masked) and how the answers read", async () => {
    await sql(
      `UPDATE contracts SET test_ping_url = '${env.BUYERS_URL}/b/sandbox/ping', test_post_url = '${env.BUYERS_URL}/b/sandbox/post', api_headers = '{"X-Api-Key":"alpha-key"}' WHERE id = 'ct_alpha'`,
    );
    await setBuyers({ sandbox: { bid: 14.5 } });
    const res = await gateway("/admin/contracts/ct_alpha/test", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ target: "test", post: true }),
    });
    expect(res.status).toBe(200);
    const r = await res.json<BuyerTestResult>();
    expect(r.ping!.read).toMatchObject({ outcome: "bid", bid_cents: 1450 });
    expect(r.ping!.sent.url).toBe(`${env.BUYERS_URL}/b/sandbox/ping`);
    expect(r.ping!.sent.headers["X-Api-Key"]).toBe("(set)");
    expect(r.post!.read).toMatchObject({ outcome: "accepted" });
    expect(r.post!.sent.body).toContain("•••");
    expect(r.post!.sent.body).not.toContain("test.lead@example.com");
    const got = await received("sandbox");
    expect(got.map((g) => g.kind)).toEqual(["ping", "post"]);
    expect(got[0]!.headers["x-leadgate-test"]).toBe("1");
    expect(got[1]!.body).toContain("test.lead@example.com"); // masked in the display only
    // Nothing of it is recorded.
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM pings").first()).toEqual({ n: 0 });
  });

  it("says why an answer could not be read, and shows an operator's own test lead unmasked", async () => {
    await setBuyers({ alpha: { pingAnswer: { body: "<html>maintenance</html>", type: "text/html" } } });
    const t = await csrf("/console/contracts/ct_alpha");
    const res = await submit("/console/contracts/ct_alpha/test", [
      ["csrf", t],
      ["target", "live"],
      ["lead", JSON.stringify(demoLead({ first_name: "Operator" }))],
    ]);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/Read as: <b class="bad">(invalid|error)<\/b>: /);
    expect(html).toContain("&lt;html&gt;maintenance&lt;/html&gt;");
    expect(html).toContain("Sent with your test lead.");
    // A test lead that does not fit the campaign: refused, named.
    const bad = await submit("/console/contracts/ct_alpha/test", [
      ["csrf", t],
      ["target", "live"],
      ["lead", '{"zip": "nope"}'],
    ]);
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("lead.zip");
  });
});

describe("the returns queue", () => {
  it("lists pending returns (API and console) and approves one from the console", async () => {
    await setBuyers({ alpha: { bid: 18 } });
    await sql("UPDATE contracts SET return_cap_bps = 10000 WHERE id = 'ct_alpha'");
    const lead = await (await postLead(demoLead())).json<{ lead_id: string }>();
    await leadReaches(lead.lead_id, ["sold"]);
    const admin = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    const filed = await gateway("/admin/returns", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ lead_id: lead.lead_id, contract_id: "ct_alpha", reason: "not_interested" }),
    });
    const filedBody = await filed.json<{ return_id: string; status: string }>();
    const { return_id, status } = filedBody;
    expect(status, JSON.stringify(filedBody)).toBe("pending");
    const listed = await (await gateway("/admin/returns?status=pending", { headers: admin })).json<{ items: { return_id: string }[] }>();
    expect(listed.items.map((r) => r.return_id)).toEqual([return_id]);
    const page = await (await open("/console/returns")).text();
    expect(page).toContain(return_id);
    const ok = await submit(`/console/returns/${return_id}/approve`, [["csrf", await csrf("/console/returns")]]);
    expect(ok.status).toBe(303);
    expect((await env.DB.prepare("SELECT status FROM returns WHERE id = ?").bind(return_id).first())!.status).toBe("approved");
    expect(await (await open("/console/returns")).text()).toContain("No return is waiting for a decision");
  });
});
