// A local stand-in for TrustedForm's Certificate API v4 (tests, `npm start`), and its check-in
// (POST /<cert id>/check_in, which extends a certificate to 90 days): POST /<cert id> with
// Basic auth (user "API"), `Api-Version: 4.0` and a JSON body of operations (match_lead, retain,
// verify), answered in the shapes of developers.activeprospect.com's "Run Certificate Operations":
// a top-level `outcome` (success, failure, error) and `reason`, and one result per operation asked.
// A test chooses the answer by the certificate id's first four hex digits (TF_SCENARIOS); any other
// id is a certificate of the consumer it is matched to. Pure (no Node imports): workerd tests share it.

/** The first four hex digits of a certificate id that pick an answer other than success. */
export const TF_SCENARIOS = {
  /** 404: no such certificate. */
  notFound: "0000",
  /** 404: the certificate expired (3 days, or 90 with a form submit). */
  expired: "dead",
  /** 200, outcome failure: the certificate recorded another consumer (match_lead fails). */
  noMatch: "bad0",
  /** 200, outcome failure when verify is asked: the consent language is not approved. */
  notVerified: "0f0f",
  /** 401: the API key is wrong. */
  badKey: "0401",
  /** 402: the account is inactive or out of funds. */
  outOfFunds: "0402",
} as const;
export type TfScenario = keyof typeof TF_SCENARIOS;

/** A certificate URL whose stubbed answer is `scenario` (success when none); `fill` varies the id. */
export function tfCert(scenario?: TfScenario, fill = "ab12"): string {
  return `https://cert.trustedform.com/${`${scenario ? TF_SCENARIOS[scenario] : fill}${fill.repeat(10)}`.slice(0, 40)}`;
}

export interface StubAnswer {
  status: number;
  body: unknown;
}

interface Ops {
  match_lead?: { email?: string; phone?: string };
  retain?: { reference?: string; vendor?: string };
  verify?: Record<string, unknown>;
}

const error = (status: number, reason: string): StubAnswer => ({ status, body: { outcome: "error", reason } });

/** The answer to POST /<certId>: `authorization` and `apiVersion` as sent, `body` the raw JSON. */
export function certificateOperations(certId: string, authorization: string, apiVersion: string, body: string): StubAnswer {
  const [user, key] = basic(authorization);
  if (user !== "API" || !key || certId.startsWith(TF_SCENARIOS.badKey)) return error(401, "Incorrect API key");
  if (apiVersion !== "4.0") return error(400, "this stub speaks API version 4.0 only (Api-Version: 4.0)");
  let ops: Ops;
  try {
    ops = JSON.parse(body || "{}") as Ops;
  } catch {
    return error(400, "the request body is not JSON");
  }
  if (ops.retain && !ops.match_lead) return error(422, "match_lead is required when running the retain operation");
  if (certId.startsWith(TF_SCENARIOS.outOfFunds)) return error(402, "Account is inactive or out of funds");
  if (certId.startsWith(TF_SCENARIOS.notFound)) return error(404, "TrustedForm certificate could not be found");
  if (certId.startsWith(TF_SCENARIOS.expired)) return error(404, "TrustedForm certificate has expired");
  return { status: 200, body: results(certId, ops) };
}

/** POST /<certId>/check_in: extends the claim period (200 `{}`), or 404 once the certificate is gone. */
export function certificateCheckIn(certId: string, authorization: string): StubAnswer {
  const [user, key] = basic(authorization);
  if (user !== "API" || !key || certId.startsWith(TF_SCENARIOS.badKey)) return error(401, "Incorrect API key");
  if (certId.startsWith(TF_SCENARIOS.notFound)) return error(404, "TrustedForm certificate could not be found");
  if (certId.startsWith(TF_SCENARIOS.expired)) return error(404, "TrustedForm certificate has expired");
  return { status: 200, body: {} };
}

/** A 200's body: each operation's result, and the overall outcome they make. */
function results(certId: string, ops: Ops): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const reasons: string[] = [];
  if (ops.match_lead) {
    const matches = !certId.startsWith(TF_SCENARIOS.noMatch);
    const { email, phone } = ops.match_lead;
    const result = {
      email_match: email ? matches : null,
      phone_match: phone ? matches : null,
      success: matches && Boolean(email || phone),
    };
    out.match_lead = { ...(email ? { email } : {}), ...(phone ? { phone } : {}), result };
    if (!result.success) reasons.push("Lead data does not match the certificate");
  }
  // Retaining does not depend on the match (TrustedForm retains, and bills, either way).
  if (ops.retain)
    out.retain = {
      reference: ops.retain.reference,
      vendor: ops.retain.vendor,
      results: {
        expires_at: "2031-01-01T00:00:00Z",
        masked_cert_url: `https://cert.trustedform.com/${"5".repeat(40)}`,
        previously_retained: false,
      },
    };
  if (ops.verify) {
    const approved = !certId.startsWith(TF_SCENARIOS.notVerified);
    out.verify = { results: { success: approved, languages: [{ text: "By clicking, I agree…", approved }], form_submitted: true } };
    if (!approved) reasons.push("Consent languages found were not approved in the account's consent language manager");
  }
  return { outcome: reasons.length ? "failure" : "success", reason: reasons.length ? reasons.join("; ") : null, ...out };
}

/** The user and password of a Basic authorization header. */
function basic(header: string): [string, string] {
  if (!header.startsWith("Basic ")) return ["", ""];
  try {
    const decoded = atob(header.slice(6));
    const colon = decoded.indexOf(":");
    return colon < 0 ? ["", ""] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
  } catch {
    return ["", ""];
  }
}
