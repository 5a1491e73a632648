// POST /v1/pings and POST /v1/posts — publishers that sell by ping/post themselves (server API key
// only). A ping carries the campaign's ping-safe fields and gets a price; the post carries the full
// lead and the ping's id, and is sold to the bids the ping collected. The body is read and checked
// here (its fields depend on the campaign), then handed to src/pipeline/seller.ts and intake.
import { createRoute, z } from "@hono/zod-openapi";
import { parseLead, type LeadData } from "../../lead/fields";
import { pingSafeFields, pingSafeLead } from "../../lead/ping-safe";
import { forServer, LeadResponseSchema } from "../../lead/response";
import { centsToDollars } from "../../lib/money";
import { intake } from "../../pipeline/intake";
import { sellerPing } from "../../pipeline/seller";
import type { Campaign, Rules, Source } from "../../rules/model";
import { sellerPingLimits, submissionLimits, type SubmissionLimits } from "../../limits/policy";
import { bodyKind, readSubmission } from "../body";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";
import { campaignOf, deferIn, identifySender, requestMeta, screenSender, validLead } from "../submission";
import type { AppEnv } from "../context";
import type { Context } from "hono";

const anyBody = { type: "object" as const, additionalProperties: { description: "fields defined by the campaign" } };
const campaignProp = { campaign: { type: "string" as const, description: "the campaign's slug" } };

const SellerPingResponseSchema = z
  .object({
    ping_id: z.string().describe("send it back with the post; valid until expires_at, once"),
    status: z.enum(["bid", "no_bid"]),
    payout: z.number().describe("the most the post will pay you, in dollars"),
    expires_at: z.string().describe("ISO 8601, UTC"),
  })
  .openapi("SellerPingResponse");

export const sellerPingRoute = createRoute({
  method: "post",
  path: "/v1/pings",
  operationId: "createPing",
  tags: ["leads"],
  summary: "Ping: the campaign and its ping-safe fields; get the price a post would earn",
  security: [{ ApiKey: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: { ...anyBody, properties: campaignProp, required: ["campaign"] } } } },
  },
  responses: {
    200: { description: "The offer", content: { "application/json": { schema: SellerPingResponseSchema } } },
    ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429, 503),
  },
});

export const sellerPostRoute = createRoute({
  method: "post",
  path: "/v1/posts",
  operationId: "createPost",
  tags: ["leads"],
  summary: "Post: the full lead for an earlier ping, sold to the bids that ping collected",
  security: [{ ApiKey: [] }],
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: {
            ...anyBody,
            properties: { ping_id: { type: "string" as const, description: "from the ping's answer" }, ...campaignProp },
            required: ["ping_id", "campaign"],
          },
        },
      },
    },
  },
  responses: {
    200: { description: "What became of the lead", content: { "application/json": { schema: LeadResponseSchema } } },
    ...errorResponses(400, 401, 403, 404, 409, 410, 413, 415, 422, 429, 503),
  },
});

export const sellerPingPost = router();

/**
 * The JSON body, the calling source (API key only) admitted under the route's rate limits, and the
 * campaign the body names.
 */
async function sourceAndBody(c: Context<AppEnv>, rules: Rules, limits: (source: Source) => SubmissionLimits) {
  if (bodyKind(c.req.header("content-type")) !== "json") throw new ApiError(415, "unsupported_media_type", "send application/json");
  const input = await readSubmission(c.req.raw, "json", c.var.config.MAX_BODY_BYTES);
  const apiKey = c.req.header("x-api-key") ?? null;
  if (!apiKey) throw new ApiError(401, "unauthorized", "pings and posts come from servers: send X-Api-Key");
  const sender = await identifySender(c, { apiKey, publishableKey: null, origin: null });
  await screenSender(c, input, sender, limits(sender.source));
  const { source } = sender;
  const campaign = campaignOf(rules, source, input);
  return { input, campaign, source };
}

/** Ping-safe fields compare equal between the ping and the post (values as normalized). */
function mismatched(campaign: Campaign, pinged: LeadData, lead: LeadData): string[] {
  const posted = pingSafeLead(campaign.fields, lead);
  return pingSafeFields(campaign.fields)
    .map((f) => f.name)
    .filter((name) => JSON.stringify(pinged[name] ?? null) !== JSON.stringify(posted[name] ?? null));
}

sellerPingPost.openapi(sellerPingRoute, async (c) => {
  const rules = c.var.rules;
  const { input, campaign, source } = await sourceAndBody(c, rules, sellerPingLimits);
  const parsed = parseLead(pingSafeFields(campaign.fields), input);
  if (!parsed.ok) throw new ApiError(422, "validation_failed", `${parsed.errors.length} field(s) are not valid`, parsed.errors);
  const offer = await sellerPing(c.var.services, rules, campaign, source, parsed.lead, deferIn(c));
  return c.json(
    {
      ping_id: offer.pingId,
      status: offer.bids > 0 ? ("bid" as const) : ("no_bid" as const),
      payout: centsToDollars(offer.payoutCents),
      expires_at: new Date(offer.expiresAt).toISOString(),
    },
    200,
  );
});

sellerPingPost.openapi(sellerPostRoute, async (c) => {
  const rules = c.var.rules;
  const { input, campaign, source } = await sourceAndBody(c, rules, (s) => submissionLimits(s, "server", null));
  const pingId = typeof input.ping_id === "string" ? input.ping_id : "";
  if (!pingId) throw new ApiError(422, "validation_failed", "ping_id is required", [{ path: "ping_id", message: "is required" }]);
  // The whole lead is checked before the offer is taken: a typo does not burn the offer.
  const { lead, consent } = validLead(campaign, input);

  const taken = await c.var.services.pingBook.take(pingId, source.id);
  if (!taken.ok) {
    if (taken.error === "expired") throw new ApiError(410, "ping_expired", "the offer for this ping_id has expired; ping again");
    if (taken.error === "used") throw new ApiError(409, "ping_used", "this ping_id was already posted");
    throw new ApiError(404, "unknown_ping", "no offer with this ping_id for this source");
  }
  const offer = taken.offer;
  const differ = offer.campaignId === campaign.id ? mismatched(campaign, offer.fields as LeadData, lead) : ["campaign"];
  if (differ.length > 0)
    throw new ApiError(
      422,
      "ping_mismatch",
      "the posted lead differs from its ping",
      differ.map((path) => ({ path, message: "differs from the ping" })),
    );

  const { response } = await intake(
    c.var.services,
    rules,
    {
      campaign,
      source,
      lead,
      consent,
      meta: requestMeta(c, input, { ping_id: pingId }),
      idempotencyKey: null,
      offer,
    },
    deferIn(c),
  );
  deferIn(c)(c.var.services.records.recordSellerPost(pingId, offer.leadId));
  return c.json(await forServer(response, source.id, c.var.services.records), 200);
});
