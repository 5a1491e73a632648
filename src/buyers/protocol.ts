// Buyer wire formats. The native protocol (docs/BUYER_PROTOCOL.md) needs no configuration; any other
// buyer is described by a request template and response rules in its contract, not by code.
// Building requests (here and ./templates.ts) and reading answers (./answers.ts) are pure; the HTTP
// exchange is in ./http.ts.
import type { ConsentRecord } from "../lead/consent";
import { centsToDollars } from "../lib/money";
import type { Contract } from "../rules/model";
import { readNativePing, readNativePost, readTemplatePing, readTemplatePost } from "./answers";
import { buildTemplate } from "./templates";
import {
  JSON_TYPE,
  TMAX_HEADER,
  type Answer,
  type PingAnswer,
  type PingContext,
  type PostAnswer,
  type PostContext,
  type WireRequest,
} from "./wire";

export type { Answer, PingAnswer, PingContext, PostAnswer, PostContext, WireRequest } from "./wire";
export { TMAX_HEADER } from "./wire";
export { getPath } from "./answers";

export function buildPing(contract: Contract, ctx: PingContext): WireRequest {
  const p = contract.protocol;
  const tmax = { [TMAX_HEADER]: String(ctx.tmaxMs) };
  if (p.kind === "template" && p.ping) {
    const wire = buildTemplate(p.ping, ctx.lead, {
      ping_id: ctx.pingId,
      bid_token: null,
      price_cents: null,
      campaign: ctx.campaign,
      lead_id: ctx.leadId,
      tmax: ctx.tmaxMs,
      trustedform_ping_url: ctx.trustedformPingUrl ?? null,
    });
    return { ...wire, headers: { ...wire.headers, ...contract.apiHeaders, ...tmax } };
  }
  return {
    method: "POST",
    body: JSON.stringify({
      ping_id: ctx.pingId,
      campaign: ctx.campaign,
      tmax: ctx.tmaxMs,
      lead: ctx.lead,
      ...(ctx.trustedformPingUrl ? { trustedform_ping_url: ctx.trustedformPingUrl } : {}),
    }),
    contentType: JSON_TYPE,
    headers: { ...contract.apiHeaders, ...tmax },
  };
}

export function readPing(contract: Pick<Contract, "protocol">, a: Answer): PingAnswer {
  const p = contract.protocol;
  return p.kind === "template" && p.ping ? readTemplatePing(p.ping.response, a) : readNativePing(a);
}

export function buildPost(contract: Contract, ctx: PostContext): WireRequest {
  const p = contract.protocol;
  if (p.kind === "template") {
    const wire = buildTemplate(p.post, ctx.lead, {
      ping_id: ctx.pingId,
      bid_token: ctx.bidToken,
      price_cents: ctx.priceCents,
      campaign: ctx.campaign,
      lead_id: ctx.leadId,
      tmax: null,
      consent: ctx.consent ?? null,
      retention_days: ctx.retentionDays ?? null,
    });
    return { ...wire, headers: { ...wire.headers, ...contract.apiHeaders } };
  }
  return {
    method: "POST",
    body: JSON.stringify({
      ping_id: ctx.pingId,
      bid_id: ctx.bidToken,
      price: centsToDollars(ctx.priceCents),
      campaign: ctx.campaign,
      lead_id: ctx.leadId,
      lead: ctx.lead,
      consent: ctx.consent ? postedConsent(ctx.consent) : null,
      retention_days: ctx.retentionDays ?? null,
      exclusive: ctx.exclusive ?? null,
      resale: ctx.resale ? { reason: ctx.resale.reason, age_days: ctx.resale.ageDays } : null,
    }),
    contentType: JSON_TYPE,
    headers: contract.apiHeaders,
  };
}

/** The consent record as buyers receive it: what was agreed, when, from where, and the proof. */
function postedConsent(c: ConsentRecord) {
  return {
    tcpa_consent: c.tcpa_consent ?? null,
    consent_text: c.tcpa_consent_text ?? null,
    consent_timestamp: c.consent_timestamp ?? null,
    ip: c.ip ?? null,
    user_agent: c.user_agent ?? null,
    trustedform_cert_url: c.trustedform_cert_url ?? null,
    jornaya_leadid: c.jornaya_leadid ?? null,
    sellers: c.consent_sellers ?? null,
  };
}

export function readPost(contract: Pick<Contract, "protocol">, a: Answer): PostAnswer {
  const p = contract.protocol;
  return p.kind === "template" ? readTemplatePost(p.post.response, a) : readNativePost(a);
}
