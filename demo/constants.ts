// Demo credentials and the mock-buyer behaviour type: shared by Node scripts and workerd tests,
// so this file imports nothing from Node.
export const DEMO_API_KEY = "demo-server-key";
export const DEMO_PUBLISHABLE_KEY = "pk_demo_form";
export const DEMO_ORIGIN = "http://localhost:8080";
export const DEMO_SECRET = "demo-shared-secret-0123456789";

export interface Behaviour {
  /** Bid in dollars; any JSON value is sent as-is (strings, negatives, absurd values for fault tests). */
  bid?: unknown;
  /** Uniform random spread added to a numeric bid (simulated market). */
  bidSpread?: number;
  /** A price for a shared lead, answered as `shared_bid` beside `bid` (dollars; the bid's spread applies too). */
  sharedBid?: number;
  bidId?: string;
  pingLatencyMs?: number;
  postLatencyMs?: number;
  ping?: "bid" | "no_bid_204" | "hang" | "garbage" | "html" | "error_500" | "huge" | "reset";
  /** "endless": a 200 whose body never ends (a verification hook that would hold the lead). */
  post?: "accept" | "reject" | "hang" | "error_500" | "garbage" | "reset" | "endless";
  /** How the buyer's deletion endpoint (POST /b/<name>/deletion) answers: 200 by default. */
  deletion?: "ok" | "error_500";
  /**
   * Post fields this buyer insists on: field name → a pattern its whole value must match (a form or
   * flat JSON body); any other value is rejected with a reason naming the field.
   */
  requires?: Record<string, string>;
  /** Probability (0..1) that a post is rejected. */
  rejectRate?: number;
  rejectReason?: string;
  /** "form": answers form-encoded (status=...&price=...), as the demo's template buyer does. */
  format?: "native" | "form";
  /**
   * A buyer on this platform (./platform-answers.ts): it checks the request as the platform would and
   * answers in the platform's documented shapes, bidding `bid` and rejecting by `rejectRate`.
   */
  platform?: "boberdoo" | "leadspedia" | "leadconduit" | "form_text";
  /** Exactly this answer (a buyer platform's own format: XML, plain text, a failure inside a 200). */
  pingAnswer?: RawAnswer;
  postAnswer?: RawAnswer;
}

export interface RawAnswer {
  status?: number;
  body: string;
  type?: string;
  /** Further headers (a redirect's Location). */
  headers?: Record<string, string>;
}

export interface ReceivedRequest {
  kind: "ping" | "post" | "deletion";
  method: string;
  /** Path and query, as signed (v3, v2). */
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}
