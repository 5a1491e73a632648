// The scrub vendors' answers judged (issue #27): the documented shapes of TCPA Litigator List,
// DNCScrub, Blacklist Alliance and the generic validator; anything else is an error, never a pass.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScrubsSchema, scrubCacheKey } from "../../src/rules/scrubs";
import { judgeBlacklist, judgeDncscrub, judgeTcpaLitigator, judgeValidator, subjectProblem } from "../../src/services/scrub-vendors";

const P = "9258492311";

describe("scrub vendors' answers", () => {
  it("TCPA Litigator List: clean, listed, and what is neither", () => {
    expect(judgeTcpaLitigator(200, { clean: { [P]: { phone_number: P } } }, P)).toEqual({ outcome: "pass", detail: null });
    expect(
      judgeTcpaLitigator(
        200,
        { results: { clean: 0, is_bad_number: true, phone_number: P, status: "DNC Complainers", status_array: ["dnc_complainers"] } },
        P,
      ),
    ).toEqual({ outcome: "fail", detail: "DNC Complainers" });
    expect(judgeTcpaLitigator(200, { match: { [P]: {} } }, P)).toMatchObject({ outcome: "fail" });
    expect(judgeTcpaLitigator(200, { clean: { "1111111111": {} } }, P)).toMatchObject({ outcome: "error" }); // another number's answer
    expect(judgeTcpaLitigator(401, { error: "Unauthorized" }, P)).toEqual({ outcome: "error", detail: "HTTP 401" });
  });

  it("DNCScrub: IsLitigator for this phone", () => {
    expect(judgeDncscrub(200, [{ Phone: Number(P), IsLitigator: false }], P)).toMatchObject({ outcome: "pass" });
    expect(judgeDncscrub(200, [{ Phone: Number(P), IsLitigator: true }], P)).toMatchObject({ outcome: "fail" });
    expect(judgeDncscrub(200, [], P)).toMatchObject({ outcome: "error" });
    expect(judgeDncscrub(400, { Message: "Invalid phone number format" }, P)).toMatchObject({ outcome: "error", detail: "HTTP 400" });
  });

  it("Blacklist Alliance: Good or Blacklisted; an error status inside a 200 is no pass", () => {
    expect(judgeBlacklist(200, { status: "success", message: "Good" })).toMatchObject({ outcome: "pass" });
    expect(judgeBlacklist(200, { status: "success", message: "Blacklisted", code: "plaintiff-primary" })).toEqual({
      outcome: "fail",
      detail: "blacklisted (plaintiff-primary)",
    });
    expect(judgeBlacklist(200, { status: "error", message: "Invalid API key" })).toMatchObject({ outcome: "error" });
  });

  it("the validator: valid or not, with its reason", () => {
    expect(judgeValidator(200, { valid: true })).toMatchObject({ outcome: "pass" });
    expect(judgeValidator(200, { valid: false, reason: "disconnected" })).toEqual({ outcome: "fail", detail: "disconnected" });
    expect(judgeValidator(200, { ok: true })).toMatchObject({ outcome: "error" });
  });

  it("property: no answer is a pass unless it says so", () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.json(), (status, text) => {
        const json: unknown = JSON.parse(text);
        for (const v of [
          judgeTcpaLitigator(status, json, P),
          judgeDncscrub(status, json, P),
          judgeBlacklist(status, json),
          judgeValidator(status, json),
        ])
          if (v.outcome === "pass") expect(status).toBe(200);
      }),
      { numRuns: 300 },
    );
  });

  it("what each scrub needs of the consumer, and what its cache entry answers for", () => {
    const [tcpa, email] = ScrubsSchema.parse([
      { vendor: "tcpa_litigator", types: ["dnc", "tcpa"] },
      { vendor: "validator", check: "email" },
    ]);
    expect(subjectProblem(tcpa!, { e164: "+442071838750" })).toBe("not a US number: not scrubbed");
    expect(subjectProblem(tcpa!, {})).toBe("no phone to check");
    expect(subjectProblem(email!, { e164: "+14155552671" })).toBe("no email to validate");
    expect(scrubCacheKey(tcpa!)).toBe("tcpa_litigator:dnc+tcpa");
    expect(ScrubsSchema.safeParse([{ vendor: "dncscrub", types: ["tcpa"] }]).success).toBe(false);
    expect(ScrubsSchema.safeParse([{ vendor: "dncscrub" }, { vendor: "dncscrub" }]).success).toBe(false);
  });
});
