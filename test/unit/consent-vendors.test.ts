// The pure parts of the consent checks: where a vendor credential may go (never to another host),
// what TrustedForm and Jornaya are asked, and how their answers (in the stubs' exact shapes, and
// worse) are judged.
import { afterEach, describe, expect, it, vi } from "vitest";
import { authenticate, jornayaToken } from "../../demo/jornaya-stub";
import { certificateOperations, tfCert, type TfScenario } from "../../demo/trustedform-stub";
import { jornayaCheck, judgeJornaya } from "../../src/services/jornaya";
import { vendorUrl } from "../../src/services/outside";
import { judgeTrustedForm, matchLeadOf, trustedformBody, trustedformCheck, type TrustedFormMode } from "../../src/services/trustedform";
import { FieldDefsSchema } from "../../src/rules/schemas";
import { campaign as baseCampaign } from "./fixtures";

const TF = "https://cert.trustedform.com";
const fields = FieldDefsSchema.parse([
  { name: "zip", type: "zip", ping: true },
  { name: "email", type: "email" },
  { name: "phone", type: "phone" },
]);
const campaign = (over: Parameters<typeof baseCampaign>[0] = {}) => baseCampaign({ fields, ...over });

describe("where a vendor's credential may be sent", () => {
  it.each([
    ["https://cert.trustedform.com", `${TF}/abc`],
    ["https://cert.trustedform.com/", `${TF}/abc`],
    ["http://127.0.0.1:8790/trustedform", "http://127.0.0.1:8790/trustedform/abc"],
    ["http://localhost:9000/", "http://localhost:9000/abc"],
  ])("%s is the vendor or a loopback stub", (configured, url) => {
    expect(vendorUrl(configured, TF, "abc")).toEqual({ ok: true, url });
  });

  it.each([
    "http://cert.trustedform.com",
    "https://cert.trustedform.com.evil.example",
    "https://cert.trustedform.com:8443",
    "https://API:key@cert.trustedform.com",
    "https://evil.example/cert.trustedform.com",
    "https://127.0.0.1:8790",
    "http://127.0.0.2:8790",
    "http://10.0.0.1/trustedform",
    "https://cert.trustedform.com/?next=https://evil.example",
    "not a url",
  ])("%s is refused", (configured) => {
    expect(vendorUrl(configured, TF, "abc")).toMatchObject({ ok: false });
  });
});

describe("a misconfigured API URL sends nothing", () => {
  afterEach(() => vi.restoreAllMocks());
  const c = campaign({ trustedform: "verify", jornaya: "authenticate" });
  const lead = { email: "pat@example.com", phone: "+14155552671" };

  it("TrustedForm's key never leaves for another host: the check fails closed, no request made", async () => {
    const fetch = vi.spyOn(globalThis, "fetch");
    const consent = { trustedform_cert_url: tfCert() };
    const input = { campaign: c, lead, consent, leadId: "ld_1", vendor: "Src" };
    for (const url of ["https://evil.example", "http://cert.trustedform.com", "https://cert.trustedform.com.evil.example"]) {
      const r = await trustedformCheck("verify", input, { url, key: "secret-key" });
      expect(r).toMatchObject({ outcome: "error", action: "reject", detail: expect.stringMatching(/^TRUSTEDFORM_API_URL: refused/) });
    }
    expect(fetch).not.toHaveBeenCalled();
  });

  it("nor does Jornaya's account code", async () => {
    const fetch = vi.spyOn(globalThis, "fetch");
    const r = await jornayaCheck(c, { jornaya_leadid: jornayaToken() }, { url: "https://api.leadid.com.evil.example", accountCode: "lac" });
    expect(r).toMatchObject({ outcome: "error", action: "reject", detail: expect.stringMatching(/^JORNAYA_API_URL: refused/) });
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe("what TrustedForm is asked", () => {
  it("match_lead: the first email, lowercased, and the phone as a US consumer typed it", () => {
    const c = campaign();
    expect(matchLeadOf(c, { email: "Pat@Example.com", phone: "+14155552671" })).toEqual({ email: "pat@example.com", phone: "4155552671" });
    expect(matchLeadOf(c, { phone: "+442071838750" })).toEqual({ phone: "442071838750" });
    expect(matchLeadOf(c, { zip: "94107" })).toBeNull();
  });

  it.each<[TrustedFormMode, string[]]>([
    ["verify", ["match_lead", "verify"]],
    ["claim", ["match_lead", "retain"]],
    ["claim_verify", ["match_lead", "retain", "verify"]],
  ])("%s runs %j", (mode, ops) => {
    const body = trustedformBody(mode, { email: "a@b.co" }, "ld_1", "Src");
    expect(Object.keys(body)).toEqual(ops);
    if (body.retain) expect(body.retain).toEqual({ reference: "ld_1", vendor: "Src" });
  });
});

describe("TrustedForm's answers", () => {
  const auth = `Basic ${btoa("API:key")}`;
  const answer = (scenario: TfScenario | undefined, mode: TrustedFormMode) => {
    const id = tfCert(scenario).slice(-40);
    const a = certificateOperations(id, auth, "4.0", JSON.stringify(trustedformBody(mode, { email: "a@b.co" }, "ld_1", "Src")));
    return judgeTrustedForm(mode, a.status, a.body);
  };

  it("decides on the outcome, and a success must show the match (and the verification asked for)", () => {
    expect(answer(undefined, "claim_verify")).toEqual({ outcome: "pass", detail: null });
    expect(answer("noMatch", "claim")).toEqual({ outcome: "fail", detail: "failure: Lead data does not match the certificate" });
    expect(answer("notVerified", "verify").outcome).toBe("fail");
    expect(answer("notVerified", "claim").outcome).toBe("pass"); // verify not asked
    expect(answer("expired", "verify")).toEqual({ outcome: "fail", detail: "HTTP 404: TrustedForm certificate has expired" });
    expect(answer("notFound", "verify").outcome).toBe("fail");
    expect(answer("badKey", "verify")).toEqual({ outcome: "error", detail: "HTTP 401: Incorrect API key" });
    expect(answer("outOfFunds", "claim")).toEqual({ outcome: "error", detail: "HTTP 402: Account is inactive or out of funds" });
  });

  it("an answer claiming success without the match, or in no known shape, proves nothing", () => {
    expect(judgeTrustedForm("claim", 200, { outcome: "success", reason: null })).toMatchObject({ outcome: "fail" });
    expect(judgeTrustedForm("verify", 200, { outcome: "success", match_lead: { result: { success: true } } })).toMatchObject({
      outcome: "fail",
    });
    expect(judgeTrustedForm("claim", 200, { outcome: "yes" })).toMatchObject({ outcome: "error" });
    expect(judgeTrustedForm("claim", 500, undefined)).toEqual({ outcome: "error", detail: "unreadable answer (HTTP 500)" });
    expect(judgeTrustedForm("claim", 200, { outcome: "error", reason: "Unavailable product requested: Verify" })).toMatchObject({
      outcome: "error",
    });
  });
});

describe("Jornaya's answers", () => {
  const stub = (token: string) => {
    const a = authenticate(new URLSearchParams({ lac: "lac", id: token }));
    if (a === "hang") throw new Error("unexpected");
    return judgeJornaya(a.status, a.body);
  };

  it("authentic 1 passes; authentic 0 fails; the error body inside a 200 is an error", () => {
    expect(stub(jornayaToken())).toEqual({ outcome: "pass", detail: null });
    expect(stub(jornayaToken("notAuthentic"))).toEqual({ outcome: "fail", detail: "not authentic" });
    expect(stub(jornayaToken("error"))).toEqual({ outcome: "error", detail: "the token could not be authenticated (HTTP 200)" });
  });

  it("no other answer passes", () => {
    expect(judgeJornaya(200, { authenticate: { authentic: "1", token: "x" } }).outcome).toBe("pass");
    expect(judgeJornaya(200, { authenticate: { authentic: 0, reason: 3 } })).toEqual({
      outcome: "fail",
      detail: "not authentic (reason 3)",
    });
    expect(judgeJornaya(200, { authenticate: { authentic: true } }).outcome).toBe("error");
    expect(judgeJornaya(200, {}).outcome).toBe("error");
    expect(judgeJornaya(500, { authenticate: { authentic: 1 } }).outcome).toBe("error");
    expect(judgeJornaya(200, undefined)).toEqual({ outcome: "error", detail: "unreadable answer (HTTP 200)" });
  });
});
