// The pure parts of the data lifecycle: redaction keeps nothing personal, consent is checked for what
// it claims, and pre-sale check results decide the lead's fate.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConsent } from "../../src/lead/consent";
import { redactBody } from "../../src/lead/redact";
import { judge, type CheckResult } from "../../src/services/presale";
import { FieldDefsSchema } from "../../src/rules/schemas";

const fields = FieldDefsSchema.parse([
  { name: "first_name", type: "text" },
  { name: "email", type: "email" },
  { name: "phone", type: "phone" },
  { name: "notes", type: "text" },
  { name: "zip", type: "zip", ping: true },
  { name: "credit", type: "enum", values: ["good", "fair"], ping: true },
]);

describe("redaction", () => {
  it("keeps only the campaign's ping-safe fields and the consent's proof, never a personal value", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6 }), fc.emailAddress(), fc.ipV4(), fc.string({ minLength: 6 }), (name, email, ip, ua) => {
        const out = redactBody(
          {
            data: JSON.stringify({ first_name: name, email, phone: "+14155552671", notes: name, zip: "94107", credit: "good" }),
            consent: JSON.stringify({ tcpa_consent: true, trustedform_cert_url: "https://cert.trustedform.com/x", ip, user_agent: ua }),
            meta: JSON.stringify({ ip, user_agent: ua, country: "US", region: "CA", sub_id: "s1" }),
          },
          fields,
        );
        expect(JSON.parse(out.data)).toEqual({ zip: "94107", credit: "good", _redacted: true });
        expect(JSON.parse(out.meta)).toEqual({ country: "US", region: "CA", sub_id: "s1" });
        expect(JSON.parse(out.consent!)).toEqual({ tcpa_consent: true, trustedform_cert_url: "https://cert.trustedform.com/x" });
        const all = out.data + out.meta + out.consent;
        for (const secret of [JSON.stringify(name), JSON.stringify(email), JSON.stringify(ip), JSON.stringify(ua)])
          expect(all).not.toContain(secret);
      }),
    );
  });

  it("an erasure keeps less: no consent text, no sellers named, no sub-id; only the proof of consent", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6 }), fc.string({ minLength: 6 }), (text, sub) => {
        const out = redactBody(
          {
            data: JSON.stringify({ first_name: "Pat", zip: "94107" }),
            consent: JSON.stringify({
              tcpa_consent: true,
              tcpa_consent_text: text,
              consent_timestamp: "2026-11-21T12:00:00Z",
              consent_sellers: [text],
              trustedform_cert_url: "https://cert.trustedform.com/x",
              jornaya_leadid: "LL-1",
            }),
            meta: JSON.stringify({ country: "US", region: "CA", sub_id: sub }),
          },
          fields,
          "erasure",
        );
        expect(JSON.parse(out.data)).toEqual({ zip: "94107", _redacted: true });
        expect(JSON.parse(out.consent!)).toEqual({
          tcpa_consent: true,
          consent_timestamp: "2026-11-21T12:00:00Z",
          trustedform_cert_url: "https://cert.trustedform.com/x",
          jornaya_leadid: "LL-1",
        });
        expect(JSON.parse(out.meta)).toEqual({ country: "US", region: "CA" });
      }),
    );
  });

  it("a lead whose campaign is gone keeps no field at all", () => {
    expect(JSON.parse(redactBody({ data: '{"zip":"94107","email":"a@b.co"}', consent: null, meta: "{}" }, undefined).data)).toEqual({
      _redacted: true,
    });
  });
});

describe("consent checks", () => {
  const now = Date.parse("2026-11-21T12:00:00Z");
  const rules = { required: false, maxAgeS: 3600, oneToOne: false, now };
  const at = (offsetMs: number) => ({ consent_timestamp: new Date(now + offsetMs).toISOString() });

  it("a timestamp is neither older than the campaign allows nor in the future (five minutes of skew)", () => {
    expect(parseConsent(at(-3599_000), rules).ok).toBe(true);
    expect(parseConsent(at(-3601_000), rules)).toMatchObject({ ok: false, errors: [{ path: "consent_timestamp" }] });
    expect(parseConsent(at(4 * 60_000), rules).ok).toBe(true);
    expect(parseConsent(at(6 * 60_000), rules)).toMatchObject({
      ok: false,
      errors: [{ path: "consent_timestamp", message: "is in the future" }],
    });
    expect(parseConsent(at(-10 * 86_400_000), { ...rules, maxAgeS: null }).ok).toBe(true);
  });

  it("a campaign requiring consent with a maximum age needs the timestamp; without either it is optional (issue #24)", () => {
    const evidence = { tcpa_consent: true, tcpa_consent_text: "I agree", jornaya_leadid: "0B0A3C21-1F62-4E3B-9A0D-6A1B2C3D4E5F" };
    expect(parseConsent(evidence, { ...rules, required: true })).toEqual({
      ok: false,
      errors: [{ path: "consent_timestamp", message: "this campaign requires when consent was given (at most 3600 s ago)" }],
    });
    expect(parseConsent({ ...evidence, ...at(-60_000) }, { ...rules, required: true }).ok).toBe(true);
    expect(parseConsent(evidence, { ...rules, required: true, maxAgeS: null }).ok).toBe(true);
    expect(parseConsent(evidence, rules).ok).toBe(true);
  });

  it("one-to-one consent names sellers: a list, or text separated by commas", () => {
    expect(parseConsent({}, { ...rules, oneToOne: true })).toMatchObject({ ok: false, errors: [{ path: "consent_sellers" }] });
    expect(parseConsent({ consent_sellers: "Alpha Insurance, Bravo Direct,," }, { ...rules, oneToOne: true })).toEqual({
      ok: true,
      consent: { consent_sellers: ["Alpha Insurance", "Bravo Direct"] },
    });
    expect(parseConsent({ consent_sellers: ["Alpha"] }, rules)).toEqual({ ok: true, consent: { consent_sellers: ["Alpha"] } });
  });
});

describe("pre-sale verdict", () => {
  const r = (name: string, outcome: CheckResult["outcome"], action: CheckResult["action"]): CheckResult => ({
    name,
    outcome,
    action,
    detail: null,
    latency_ms: 1,
  });
  it("any reject rejects (naming it); flags let the lead through flagged; passes change nothing", () => {
    expect(judge([r("a", "pass", "none")])).toEqual({ reject: null, flagged: false, results: [r("a", "pass", "none")], scrubs: [] });
    expect(judge([r("a", "fail", "flag"), r("b", "timeout", "continue")])).toMatchObject({ reject: null, flagged: true });
    expect(judge([r("a", "pass", "none"), r("dnc", "timeout", "reject")]).reject).toBe("pre-sale check dnc: timeout");
  });
});
