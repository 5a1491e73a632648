// POST /v1/leads — a lead from a web form or a publisher's server. Guards run in the documented
// order (415, 413, 400, 401, 403 origin, 429, 403 bot check, 422/404/403 campaign, 422 fields, 429
// quota); then the lead goes to intake (src/pipeline/intake.ts).
// The body is read and checked here, not by the OpenAPI validator: its fields depend on the campaign.
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { CONSENT_KEYS } from "../../lead/consent";
import { BrowserLeadResponseSchema, forBrowser, forServer, isAccepted, LeadResponseSchema } from "../../lead/response";
import { submissionLimits } from "../../limits/policy";
import { IdempotencyConflict, LimitReached } from "../../lib/errors";
import { log } from "../../lib/log";
import { intake } from "../../pipeline/intake";
import type { Channel } from "../auth";
import { bodyKind, readSubmission, type BodyKind } from "../body";
import { router, type AppEnv } from "../context";
import { ApiError, errorBody, errorResponses, tooMany } from "../errors";
import { campaignOf, clientIp, deferIn, identifySender, requestMeta, screenSender, TURNSTILE_FIELD, validLead } from "../submission";

const IDEMPOTENCY_MAX = 128;

const submissionSchema = {
  type: "object" as const,
  required: ["campaign"],
  properties: {
    campaign: { type: "string" as const, description: "campaign slug" },
    publishable_key: {
      type: "string" as const,
      description: "browser forms: the source's publishable key (or the X-Publishable-Key header)",
    },
    external_id: { type: "string" as const, description: "the source's own lead id (idempotency)" },
    sub_id: { type: "string" as const },
    [TURNSTILE_FIELD]: {
      type: "string" as const,
      description: "browser sources with Turnstile on: the widget's token (or the cf-turnstile-response header)",
    },
    ...Object.fromEntries(CONSENT_KEYS.map((k) => [k, { type: k === "tcpa_consent" ? ("boolean" as const) : ("string" as const) }])),
  },
  additionalProperties: { description: "lead fields defined by the campaign" },
};

export const createLeadRoute = createRoute({
  method: "post",
  path: "/v1/leads",
  operationId: "createLead",
  tags: ["leads"],
  summary: "Submit a lead",
  description:
    "JSON from servers (X-Api-Key), form posts from browsers (publishable key from an allowed Origin). Plain HTML forms get a 303 to the source's success or failure page.",
  security: [{ ApiKey: [] }, { PublishableKey: [] }],
  parameters: [
    {
      name: "Idempotency-Key",
      in: "header",
      required: false,
      schema: { type: "string", minLength: 1, maxLength: IDEMPOTENCY_MAX },
      description: "A retried submission returns the first result (external_id works too)",
    },
  ],
  request: {
    body: {
      required: true,
      content: {
        "application/json": { schema: submissionSchema },
        "application/x-www-form-urlencoded": { schema: submissionSchema },
        "multipart/form-data": { schema: submissionSchema },
      },
    },
  },
  responses: {
    200: {
      description:
        "The lead was accepted; status says what became of it. Servers get the full answer; browsers (publishable key) only the coarse one.",
      content: { "application/json": { schema: LeadResponseSchema.or(BrowserLeadResponseSchema) } },
    },
    303: { description: "HTML form posts: redirect to the source's success or failure URL" },
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503),
  },
});

/** A browser's plain HTML form post (no JavaScript) expects a page, so it is redirected. */
const wantsRedirect = (kind: BodyKind | undefined, accept: string | undefined) =>
  kind !== undefined && kind !== "json" && (accept ?? "").includes("text/html");

function redirectTo(url: string, params: Record<string, string>): Response {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return new Response(null, { status: 303, headers: { location: u.toString() } });
}

/** What the handler has learned that shapes its answer: when it started, who asks, and where a plain form goes. */
interface Answering {
  started: number;
  kind?: BodyKind;
  /** Known once the key is checked: only servers are told where the time went. */
  channel?: Channel;
  sourceUrls?: { success: string | null; failure: string | null };
}

/**
 * The answer, with where its time went for a server; a plain HTML form is redirected to its source's
 * page instead. Browsers get no Server-Timing: its `post` entry would tell a sale from no sale.
 */
function finish(
  c: Context<AppEnv>,
  a: Answering,
  status: 200 | ApiError["status"],
  body: object,
  outcome: { ok: boolean; params: Record<string, string> },
  timing?: { pingMs: number; postMs: number; gateMs: number },
  headers: Record<string, string> = {},
) {
  const url = outcome.ok ? a.sourceUrls?.success : a.sourceUrls?.failure;
  if (url && wantsRedirect(a.kind, c.req.header("accept"))) return redirectTo(url, outcome.params);
  if (a.channel === "server") serverTiming(c, a.started, timing);
  return c.json(body, status, headers);
}

function serverTiming(c: Context<AppEnv>, started: number, timing?: { pingMs: number; postMs: number; gateMs: number }): void {
  // Where the time went: the buyers' ping and post time, the wait for the storage verdict after
  // the pings (`gate`), and the gateway's own time; with storage distance emulated, how many
  // storage calls the request made before its answer.
  const total = Date.now() - started;
  const storage = c.var.config.EMULATE_STORAGE_RTT_MS > 0 ? `, storage;desc="calls";dur=${c.var.services.storage.calls}` : "";
  c.header(
    "server-timing",
    (timing
      ? `total;dur=${total}, ping;dur=${timing.pingMs}, post;dur=${timing.postMs}, gate;dur=${timing.gateMs}, gateway;dur=${Math.max(0, total - timing.pingMs - timing.postMs - timing.gateMs)}`
      : `total;dur=${total}`) + storage,
  );
}

export const leadsCreate = router();

leadsCreate.openapi(createLeadRoute, async (c) => {
  const { config, rules } = c.var;
  const origin = c.req.header("origin") ?? null;
  const answering: Answering = { started: Date.now() };

  try {
    answering.kind = bodyKind(c.req.header("content-type"));
    const input = await readSubmission(c.req.raw, answering.kind, config.MAX_BODY_BYTES);

    const publishableKey = c.req.header("x-publishable-key") ?? (typeof input.publishable_key === "string" ? input.publishable_key : null);
    const sender = await identifySender(c, { apiKey: c.req.header("x-api-key") ?? null, publishableKey, origin });
    const { source, channel } = sender;
    answering.channel = channel;
    // From here on a plain form is redirected to its source's pages, whatever goes wrong.
    answering.sourceUrls = { success: source.successUrl, failure: source.failureUrl };
    await screenSender(c, input, sender, submissionLimits(source, channel, clientIp(c)));

    const campaign = campaignOf(rules, source, input);
    const { lead, consent } = validLead(campaign, input);

    const idem =
      c.req.header("idempotency-key") ??
      (typeof input.external_id === "string" || typeof input.external_id === "number" ? String(input.external_id) : null);
    if (idem !== null && (idem.length === 0 || idem.length > IDEMPOTENCY_MAX))
      throw new ApiError(422, "validation_failed", "idempotency key must be 1-128 characters", [
        { path: "Idempotency-Key", message: "must be 1-128 characters" },
      ]);

    const { response: result, timing } = await intake(
      c.var.services,
      rules,
      {
        campaign,
        source,
        lead,
        consent,
        meta: requestMeta(c, input, { origin }),
        // Browser and server submissions of one source never share a key.
        idempotencyKey: idem === null ? null : `${channel}:${idem}`,
      },
      deferIn(c),
    );
    const answer = channel === "browser" ? forBrowser(result) : await forServer(result, source.id, c.var.services.records);
    const params = { lead_id: answer.lead_id, status: answer.status };
    return finish(c, answering, 200, answer, { ok: isAccepted(result.status), params }, timing);
  } catch (caught) {
    const err =
      caught instanceof IdempotencyConflict
        ? new ApiError(409, caught.code, caught.message)
        : caught instanceof LimitReached
          ? tooMany(caught)
          : caught;
    if (!(err instanceof ApiError)) throw err;
    log("lead_refused", { status: err.status, error: err.code, fields: err.fields.map((f) => f.path) });
    // A plain form's failure page learns which fields were wrong (names only, never values).
    const params: Record<string, string> = { error: err.code };
    if (err.fields.length > 0)
      params.fields = err.fields
        .map((f) => f.path)
        .join(",")
        .slice(0, 512);
    return finish(c, answering, err.status, errorBody(err), { ok: false, params }, undefined, err.headers);
  }
});
