// POST /v1/leads — a lead from a web form or a publisher's server. Guards run in the documented
// order (413, 415, 400, 404, 401, 403, 422); then the lead is stored and auctioned (src/lead/ingest.ts).
import { Hono } from "hono";
import { configOf, type Env } from "../../env";
import { parseConsent } from "../../lead/consent";
import { parseLead } from "../../lead/fields";
import { ingest } from "../../lead/ingest";
import { log } from "../../lib/log";
import { getRules } from "../../rules/cache";
import { authenticate, originAllowedByAnySource } from "../auth";
import { bodyKind, readSubmission, type BodyKind } from "../body";
import { ApiError, errorBody } from "../errors";

const IDEMPOTENCY_MAX = 128;

function corsHeaders(origin: string): Record<string, string> {
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-methods": "POST, OPTIONS",
    "access-control-allow-headers": "content-type, x-publishable-key, idempotency-key",
    "access-control-max-age": "600",
    vary: "Origin",
  };
}

/** A browser's plain HTML form post (no JavaScript) expects a page, so it is redirected. */
const wantsRedirect = (kind: BodyKind | undefined, accept: string | undefined) =>
  kind !== undefined && kind !== "json" && (accept ?? "").includes("text/html");

function redirectTo(url: string, params: Record<string, string>): Response {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return new Response(null, { status: 303, headers: { location: u.toString() } });
}

export const leadsCreate = new Hono<{ Bindings: Env }>();

leadsCreate.options("/v1/leads", async (c) => {
  const origin = c.req.header("origin");
  const rules = await getRules(c.env.DB, configOf(c.env).RULES_TTL_MS);
  if (!origin || !originAllowedByAnySource(rules, origin)) return c.body(null, 403);
  return c.body(null, 204, corsHeaders(origin));
});

leadsCreate.post("/v1/leads", async (c) => {
  const config = configOf(c.env);
  const origin = c.req.header("origin") ?? null;
  let kind: BodyKind | undefined;
  let sourceUrls: { success: string | null; failure: string | null } | undefined;
  let allowOrigin = false;

  const started = Date.now();
  const finish = (
    status: number,
    body: object,
    outcome: { ok: boolean; params: Record<string, string> },
    timing?: { pingMs: number; postMs: number; intakeMs: number },
  ) => {
    const url = outcome.ok ? sourceUrls?.success : sourceUrls?.failure;
    if (url && wantsRedirect(kind, c.req.header("accept"))) return redirectTo(url, outcome.params);
    const headers: Record<string, string> = allowOrigin && origin ? corsHeaders(origin) : {};
    // Where the time went: the buyers' ping and post time versus the gateway's own.
    const total = Date.now() - started;
    headers["server-timing"] = timing
      ? `total;dur=${total}, ping;dur=${timing.pingMs}, post;dur=${timing.postMs}, gateway;dur=${Math.max(0, total - timing.pingMs - timing.postMs)}, intake;dur=${timing.intakeMs}`
      : `total;dur=${total}`;
    return c.json(body, status as 200, headers);
  };

  try {
    kind = bodyKind(c.req.header("content-type"));
    const input = await readSubmission(c.req.raw, kind, config.MAX_BODY_BYTES);
    const rules = await getRules(c.env.DB, config.RULES_TTL_MS);

    const slug = typeof input.campaign === "string" ? input.campaign.trim() : "";
    if (!slug) throw new ApiError(422, "validation_failed", "campaign is required", [{ path: "campaign", message: "is required" }]);
    const campaign = rules.campaignsBySlug.get(slug);
    if (!campaign) throw new ApiError(404, "unknown_campaign", `no active campaign "${slug.slice(0, 64)}"`);

    const publishableKey = c.req.header("x-publishable-key") ?? (typeof input.publishable_key === "string" ? input.publishable_key : null);
    const source = await authenticate(rules, { apiKey: c.req.header("x-api-key") ?? null, publishableKey, origin }, campaign);
    sourceUrls = { success: source.successUrl, failure: source.failureUrl };
    allowOrigin = origin !== null && source.allowedOrigins.includes(origin);

    const fields = parseLead(campaign.fields, input);
    const consent = parseConsent(input, campaign.requireConsent);
    const errors = [...(fields.ok ? [] : fields.errors), ...(consent.ok ? [] : consent.errors)];
    if (!fields.ok || !consent.ok)
      throw new ApiError(422, "validation_failed", `${errors.length} field(s) are not valid`, errors);

    const idem = c.req.header("idempotency-key") ?? (typeof input.external_id === "string" || typeof input.external_id === "number" ? String(input.external_id) : null);
    if (idem !== null && (idem.length === 0 || idem.length > IDEMPOTENCY_MAX))
      throw new ApiError(422, "validation_failed", "idempotency key must be 1-128 characters", [{ path: "Idempotency-Key", message: "must be 1-128 characters" }]);

    const cf = (c.req.raw as Request & { cf?: IncomingRequestCfProperties }).cf;
    const { response: result, timing } = await ingest(
      c.env,
      config,
      rules,
      {
        campaign,
        source,
        lead: fields.lead,
        consent: consent.consent,
        meta: {
          ip: c.req.header("cf-connecting-ip") ?? null,
          user_agent: c.req.header("user-agent")?.slice(0, 512) ?? null,
          country: (cf?.country as string | undefined) ?? null,
          region: (cf?.regionCode as string | undefined) ?? null,
          sub_id: typeof input.sub_id === "string" ? input.sub_id.slice(0, 128) : null,
          origin,
        },
        idempotencyKey: idem,
      },
      (p) => c.executionCtx.waitUntil(p.catch((err: Error) => log("deferred_write_failed", { error: err.message.slice(0, 200) }, "error"))),
    );
    const ok = result.status === "sold" || result.status === "pending" || result.status === "unsold";
    return finish(200, result, { ok, params: { lead_id: result.lead_id, status: result.status } }, timing);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    log("lead_refused", { status: err.status, error: err.code, fields: err.fields.map((f) => f.path) });
    return finish(err.status, errorBody(err), { ok: false, params: { error: err.code } });
  }
});
