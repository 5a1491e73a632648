// A local stand-in for Jornaya's Authenticate API (tests, `npm start`):
// GET /Authenticate?lac=<account code>&id=<LeadiD token>, answered as docs.jornaya.com's
// "Authentication API" shows, always inside an HTTP 200 — its failures too:
//   {"authenticate":{"authentic":1,"token":"<id>"}}   the token is real and ours to query
//   {"authenticate":{"authentic":0,"token":"<id>"}}   foreign, unknown or over-queried
//   {"error":"<message>"}                             the request could not be answered (the docs
//                                                     show no error body; this one is the stub's)
// A test chooses the answer by the token's first eight hex digits (JORNAYA_SCENARIOS); any other
// well-formed token is authentic. Pure (no Node imports): workerd tests share it.

export const JORNAYA_SCENARIOS = {
  /** authentic: 0 */
  notAuthentic: "00000000",
  /** the error body, still HTTP 200 */
  error: "eeeeeeee",
  /** no answer at all (the mock server holds the request open) */
  hang: "ffffffff",
} as const;
export type JornayaScenario = keyof typeof JORNAYA_SCENARIOS;

/** A LeadiD token (36 characters) whose stubbed answer is `scenario` (authentic when none). */
export function jornayaToken(scenario?: JornayaScenario, n = 0): string {
  const head = scenario ? JORNAYA_SCENARIOS[scenario] : "1d1d1d1d";
  return `${head}-0000-4000-8000-${n.toString(16).padStart(12, "0").slice(-12)}`.toUpperCase();
}

const TOKEN = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** The answer to GET /Authenticate with this query, or "hang". */
export function authenticate(query: URLSearchParams): { status: 200; body: unknown } | "hang" {
  const lac = query.get("lac") ?? "";
  const id = query.get("id") ?? "";
  if (!lac) return { status: 200, body: { error: "missing account code (lac)" } };
  if (!TOKEN.test(id)) return { status: 200, body: { error: "the LeadiD token must be 36 characters" } };
  const head = id.slice(0, 8).toLowerCase();
  if (head === JORNAYA_SCENARIOS.hang) return "hang";
  if (head === JORNAYA_SCENARIOS.error) return { status: 200, body: { error: "the token could not be authenticated" } };
  return { status: 200, body: { authenticate: { authentic: head === JORNAYA_SCENARIOS.notAuthentic ? 0 : 1, token: id } } };
}
