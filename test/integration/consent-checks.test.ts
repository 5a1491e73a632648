// Consent that must prove something, through the worker and the vendors' local stubs
// (demo/trustedform-stub.ts, demo/jornaya-stub.ts): TrustedForm v4 matches the certificate to the
// lead's consumer (another consumer's certificate rejects the lead before any post) and every error
// answer rejects; Jornaya's authentic:0 and its errors inside HTTP 200s do what the campaign says;
// verification hooks never follow a redirect and cannot hold a lead with an endless answer.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { jornayaToken, type JornayaScenario } from "../../demo/jornaya-stub";
import { tfCert, type TfScenario } from "../../demo/trustedform-stub";
import { demoLead, eventually, onlyContracts, postLead, received, seedDemo, setBuyers, sql } from "../support/helpers";

// A fixed moment long past, and no maximum age: these checks never depend on the wall clock.
const CONSENT = { tcpa_consent: true, tcpa_consent_text: "I agree to be contacted.", consent_timestamp: "2020-01-02T03:04:05Z" };
const BUYERS = { alpha: { bid: 18 }, charlie: { bid: 15 } };

interface Answer {
  lead_id: string;
  status: string;
  reason: string | null;
}
const submit = async (body: Record<string, unknown>): Promise<Answer> => {
  const res = await postLead(body);
  expect(res.status).toBe(200);
  return res.json<Answer>();
};
const checksOf = async (leadId: string) => {
  const row = await eventually(async () =>
    env.DB.prepare("SELECT detail FROM lead_events WHERE lead_id = ? AND kind = 'checks'").bind(leadId).first<{ detail: string }>(),
  );
  return JSON.parse(row.detail) as {
    flagged: boolean;
    results: { name: string; outcome: string; action: string; detail: string | null }[];
  };
};
/** The posts any buyer received for this lead: a rejected lead must have none. */
const postsFor = async (leadId: string) =>
  [...(await received("alpha")), ...(await received("charlie"))].filter((r) => r.kind === "post" && r.body.includes(leadId));

beforeEach(async () => {
  await seedDemo();
  await onlyContracts("ct_alpha", "ct_charlie");
  await sql("UPDATE campaigns SET consent_max_age_s = NULL WHERE id = 'cmp_auto'");
  await setBuyers(BUYERS);
});

describe("TrustedForm (Certificate API v4)", () => {
  it("speaks v4: match_lead with the consumer's email and phone, verify, retain with our lead id and the source", async () => {
    await sql("UPDATE campaigns SET trustedform = 'claim_verify' WHERE id = 'cmp_auto'");
    const consumer = demoLead();
    const sale = await submit({ ...consumer, ...CONSENT, trustedform_cert_url: tfCert() });
    expect(sale.status).toBe("sold");
    const [call] = await received("_trustedform");
    expect(call!.path).toBe(`/trustedform/${tfCert().slice(-40)}`);
    expect(call!.headers).toMatchObject({
      authorization: `Basic ${btoa("API:test-trustedform-key")}`,
      "api-version": "4.0",
      "content-type": "application/json",
      accept: "application/json",
    });
    expect(JSON.parse(call!.body)).toEqual({
      match_lead: { email: consumer.email, phone: String(consumer.phone).replace(/\D/g, "") },
      retain: { reference: sale.lead_id, vendor: "Demo publisher (server)" },
      verify: {},
    });
    expect((await checksOf(sale.lead_id)).results).toEqual([
      { name: "trustedform_claim_verify", outcome: "pass", action: "none", detail: null, latency_ms: expect.any(Number) },
    ]);

    await sql("UPDATE campaigns SET trustedform = 'verify' WHERE id = 'cmp_auto'");
    await setBuyers(BUYERS);
    expect((await submit({ ...demoLead(), ...CONSENT, trustedform_cert_url: tfCert() })).status).toBe("sold");
    expect(Object.keys(JSON.parse((await received("_trustedform"))[0]!.body))).toEqual(["match_lead", "verify"]);
  });

  it("a certificate recorded for another consumer rejects the lead before any post", async () => {
    await sql("UPDATE campaigns SET trustedform = 'claim' WHERE id = 'cmp_auto'");
    const stolen = await submit({ ...demoLead(), ...CONSENT, trustedform_cert_url: tfCert("noMatch") });
    expect(stolen).toMatchObject({
      status: "rejected",
      reason: "pre-sale check trustedform_claim: fail (failure: Lead data does not match the certificate)",
    });
    expect(await postsFor(stolen.lead_id)).toHaveLength(0);
  });

  it.each<[TfScenario, "verify" | "claim", string]>([
    ["expired", "claim", "fail (HTTP 404: TrustedForm certificate has expired)"],
    ["notFound", "verify", "fail (HTTP 404: TrustedForm certificate could not be found)"],
    ["badKey", "claim", "error (HTTP 401: Incorrect API key)"],
    ["outOfFunds", "claim", "error (HTTP 402: Account is inactive or out of funds)"],
    ["notVerified", "verify", "fail (failure: Consent languages found were not approved in the account's consent language manager)"],
  ])("%s (%s): the lead is rejected, naming TrustedForm's reason, and posted to no one", async (scenario, mode, said) => {
    await sql(`UPDATE campaigns SET trustedform = '${mode}' WHERE id = 'cmp_auto'`);
    const lead = await submit({ ...demoLead(), ...CONSENT, trustedform_cert_url: tfCert(scenario) });
    expect(lead).toMatchObject({ status: "rejected", reason: `pre-sale check trustedform_${mode}: ${said}` });
    expect(await postsFor(lead.lead_id)).toHaveLength(0);
  });
});

describe("Jornaya (LeadiD Authenticate)", () => {
  const jornaya = (onFail: string, onTimeout: string) =>
    sql(
      "UPDATE campaigns SET jornaya = 'authenticate', jornaya_on_fail = ?, jornaya_on_timeout = ? WHERE id = 'cmp_auto'",
      onFail,
      onTimeout,
    );
  const withToken = (scenario?: JornayaScenario) => submit({ ...demoLead(), ...CONSENT, jornaya_leadid: jornayaToken(scenario, 7) });

  it("asks with the account code and the lead's token; an authentic token lets the lead through", async () => {
    await jornaya("reject", "reject");
    const lead = await withToken();
    expect(lead.status).toBe("sold");
    const [call] = await received("_jornaya");
    expect(call!.method).toBe("GET");
    expect(call!.path).toBe(`/leadid/Authenticate?lac=test-jornaya-account-code&id=${jornayaToken(undefined, 7)}`);
    expect((await checksOf(lead.lead_id)).results).toMatchObject([{ name: "jornaya_authenticate", outcome: "pass", action: "none" }]);
  });

  it("authentic:0 inside an HTTP 200 rejects or flags, as the campaign says; a lead without a token fails the same way", async () => {
    await jornaya("reject", "continue");
    const foreign = await withToken("notAuthentic");
    expect(foreign).toMatchObject({ status: "rejected", reason: "pre-sale check jornaya_authenticate: fail (not authentic)" });
    expect(await postsFor(foreign.lead_id)).toHaveLength(0);
    const none = await submit({ ...demoLead(), ...CONSENT });
    expect(none).toMatchObject({ status: "rejected", reason: "pre-sale check jornaya_authenticate: fail (no Jornaya LeadiD token)" });

    await jornaya("flag", "continue");
    const flagged = await withToken("notAuthentic");
    expect(flagged.status).toBe("sold");
    expect(await checksOf(flagged.lead_id)).toMatchObject({ flagged: true, results: [{ outcome: "fail", action: "flag" }] });
  });

  it("an error wrapped in an HTTP 200 is an error, not a pass: on_timeout decides", async () => {
    await jornaya("reject", "reject");
    const lead = await withToken("error");
    expect(lead).toMatchObject({
      status: "rejected",
      reason: "pre-sale check jornaya_authenticate: error (the token could not be authenticated (HTTP 200))",
    });
    expect(await postsFor(lead.lead_id)).toHaveLength(0);
    await jornaya("reject", "continue");
    const through = await withToken("error");
    expect(through.status).toBe("sold");
    expect((await checksOf(through.lead_id)).results).toMatchObject([{ outcome: "error", action: "continue" }]);
  });

  it("no answer within the budget is a timeout, and on_timeout decides", async () => {
    await jornaya("reject", "flag");
    const lead = await withToken("hang");
    expect(lead.status).toBe("sold");
    expect(await checksOf(lead.lead_id)).toMatchObject({
      flagged: true,
      results: [{ outcome: "timeout", action: "flag", detail: "no answer within 2000 ms" }],
    });
  });
});

describe("verification hooks", () => {
  const hook = (over: Record<string, unknown>) =>
    sql(
      "UPDATE campaigns SET verify_hooks = ? WHERE id = 'cmp_auto'",
      JSON.stringify([{ name: "dnc", url: `${env.BUYERS_URL}/b/dnc/post`, on_fail: "reject", on_timeout: "reject", ...over }]),
    );

  it("a redirect is not followed: the consumer's data never reaches where it points, and the check is an error", async () => {
    await hook({});
    await setBuyers({
      ...BUYERS,
      dnc: { postAnswer: { status: 302, body: "", headers: { location: `${env.BUYERS_URL}/b/collector/post` } } },
      collector: { postAnswer: { body: '{"result":"pass"}', type: "application/json" } },
    });
    const lead = await submit(demoLead());
    expect(lead).toMatchObject({ status: "rejected", reason: "pre-sale check dnc: error (redirected (HTTP 302): not followed)" });
    expect(await received("dnc")).toHaveLength(1);
    expect(await received("collector")).toHaveLength(0);
  });

  it("an answer that never ends is cut at the buyers' cap, long before the hook's budget", async () => {
    await hook({ timeout_ms: 3000 });
    await setBuyers({ ...BUYERS, dnc: { post: "endless" } });
    const started = Date.now();
    const lead = await submit(demoLead());
    expect(Date.now() - started).toBeLessThan(2500);
    expect(lead).toMatchObject({ status: "rejected", reason: "pre-sale check dnc: error (answer over 65536 bytes (HTTP 200))" });
  });
});
