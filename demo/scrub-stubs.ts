// Local stand-ins for the scrub and validation vendors (tests, `npm start`), answering exactly the
// shapes their documentation shows, and refusing a wrong credential as they would:
//   POST /tcpa/scrub/phone/                  TCPA Litigator List (Basic auth; form phone_number, type):
//       {"clean":{"<phone>":{"phone_number":"<phone>"}}}, or for a listed number
//       {"results":{"phone_number":…,"clean":0,"is_bad_number":true,"status":"DNC Complainers",…}}
//   GET  /dncscrub/v1.5/Scrub/litigator?phoneList=…   DNCScrub (loginId header): [{"Phone":…,"IsLitigator":…}]
//   GET  /blacklist/lookup?key&phone&ver&resp=json     Blacklist Alliance: {"status":"success","message":"Good"|"Blacklisted",…}
//   POST /validator/validate                 a generic validator (Bearer key): {"valid":…,"reason":…}
// A test picks the answer by the phone's last four digits (or the email's first word): SCRUB_SCENARIOS.
// Pure (no Node imports): workerd tests share it.

export const SCRUB_CREDENTIALS = {
  tcpaUser: "test-tcpa-user",
  tcpaPass: "test-tcpa-pass",
  dncscrubLoginId: "test-dncscrub-login",
  blacklistKey: "test-blacklist-key-0123",
  validatorKey: "test-validator-key",
} as const;

/** The last four digits of a phone (or an email's local part's first word) that choose the answer. */
export const SCRUB_SCENARIOS = {
  /** On the list, blacklisted, or invalid. */
  listed: "1313",
  /** An HTTP 500. */
  down: "1500",
  /** No answer at all (the mock server holds the request). */
  hang: "1999",
} as const;
export type ScrubScenario = keyof typeof SCRUB_SCENARIOS;

let seq = Math.floor(Math.random() * 700);
/** A US phone nobody has used in this run, whose scrubs answer `scenario` (clean when none). */
export function scrubPhone(scenario?: ScrubScenario): string {
  const exchange = 200 + (seq++ % 700);
  const line = scenario ? SCRUB_SCENARIOS[scenario] : String(2000 + (seq % 7000)).padStart(4, "0");
  return `(628) ${exchange}-${line}`;
}

export type StubAnswer = { status: number; body: unknown } | "hang";

const scenarioOf = (digits: string): ScrubScenario | undefined =>
  (Object.keys(SCRUB_SCENARIOS) as ScrubScenario[]).find((k) => digits.endsWith(SCRUB_SCENARIOS[k]));

function byScenario(digits: string, listed: unknown, clean: unknown): StubAnswer {
  const s = scenarioOf(digits);
  if (s === "hang") return "hang";
  if (s === "down") return { status: 500, body: { error: "Internal Server Error" } };
  return { status: 200, body: s === "listed" ? listed : clean };
}

export function tcpaScrub(authorization: string, body: string): StubAnswer {
  if (authorization !== `Basic ${btoa(`${SCRUB_CREDENTIALS.tcpaUser}:${SCRUB_CREDENTIALS.tcpaPass}`)}`)
    return { status: 401, body: { error: "Unauthorized" } };
  const phone = new URLSearchParams(body).get("phone_number") ?? "";
  if (!/^\d{10}$/.test(phone)) return { status: 400, body: { error: "phone_number is required" } };
  const listed = {
    results: {
      first_name: "",
      phone_type: "",
      status_array: ["dnc_complainers"],
      clean: 0,
      is_bad_number: true,
      phone_number: phone,
      status: "DNC Complainers",
    },
  };
  return byScenario(phone, listed, { clean: { [phone]: { phone_number: phone } } });
}

export function dncScrub(loginId: string, query: URLSearchParams): StubAnswer {
  if (loginId !== SCRUB_CREDENTIALS.dncscrubLoginId)
    return { status: 401, body: { Message: "Authorization has been denied for this request." } };
  const phones = (query.get("phoneList") ?? "").split(",").filter((p) => /^\d{10}$/.test(p));
  if (phones.length === 0) return { status: 400, body: { Message: "Invalid phone number format" } };
  const s = scenarioOf(phones[0]!);
  if (s === "hang") return "hang";
  if (s === "down") return { status: 500, body: { Message: "An error has occurred." } };
  return { status: 200, body: phones.map((p) => ({ Phone: Number(p), IsLitigator: scenarioOf(p) === "listed" })) };
}

export function blacklistLookup(query: URLSearchParams): StubAnswer {
  if (query.get("key") !== SCRUB_CREDENTIALS.blacklistKey) return { status: 200, body: { status: "error", message: "Invalid API key" } };
  const phone = query.get("phone") ?? "";
  const base = { status: "success", sid: "0", phone, wireless: 1, carrier: { name: "T-Mobile", type: "WIRELESS" } };
  return byScenario(
    phone,
    { ...base, message: "Blacklisted", code: "prelitigation1", code_level: 10 },
    { ...base, message: "Good", code: "", code_level: 0 },
  );
}

export function validate(authorization: string, body: string): StubAnswer {
  if (authorization !== `Bearer ${SCRUB_CREDENTIALS.validatorKey}`) return { status: 401, body: { error: "unauthorized" } };
  let v: { phone?: string; email?: string } = {};
  try {
    v = JSON.parse(body) as typeof v;
  } catch {
    return { status: 400, body: { error: "JSON expected" } };
  }
  // An email chooses its answer by its first word: listed.pat@…, down.pat@…, hang.pat@….
  const byEmail = v.email === undefined ? undefined : (Object.keys(SCRUB_SCENARIOS) as ScrubScenario[]).find((k) => v.email!.startsWith(k));
  const key = v.phone ?? (v.email === undefined ? undefined : byEmail ? SCRUB_SCENARIOS[byEmail] : "clean");
  if (!key) return { status: 400, body: { error: "phone or email expected" } };
  return byScenario(key, { valid: false, reason: v.email ? "mailbox does not exist" : "disconnected number" }, { valid: true });
}
