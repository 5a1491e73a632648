// Requests built from a contract's template (the buyers that do not speak the native protocol):
// static fields, fields mapped from the lead and the auction's values, in JSON, form, XML or a query
// string. Pure.
import { XMLBuilder } from "fast-xml-parser";
import type { ConsentRecord } from "../lead/consent";
import type { LeadData, LeadValue } from "../lead/fields";
import { centsToDollars } from "../lib/money";
import { isSafePath, own } from "../lib/own";
import type { RequestTemplate } from "../rules/schemas";
import { FORM_TYPE, JSON_TYPE, XML_TYPE, type WireRequest } from "./wire";

/** Sets a dotted path in a request being built (paths are checked safe when the rules compile). */
function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  if (!isSafePath(path)) return;
  const keys = path.split(".");
  let cur = obj;
  for (const key of keys.slice(0, -1)) {
    const next = own(cur, key);
    if (next === null || typeof next !== "object") cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

export type Values = {
  ping_id: string | null;
  bid_token: string | null;
  price_cents: number | null;
  campaign: string;
  lead_id: string;
  tmax: number | null;
  consent?: ConsentRecord | null;
  retention_days?: number | null;
  trustedform_ping_url?: string | null;
};

function resolve(source: string, lead: LeadData, v: Values): LeadValue | null | undefined {
  switch (source) {
    case "$ping_id":
      return v.ping_id;
    case "$bid_token":
      return v.bid_token;
    case "$price":
      return v.price_cents === null ? null : centsToDollars(v.price_cents);
    case "$price_cents":
      return v.price_cents;
    case "$campaign":
      return v.campaign;
    case "$lead_id":
      return v.lead_id;
    case "$tmax":
      return v.tmax;
    case "$retention_days":
      return v.retention_days ?? null;
    case "$trustedform_ping_url":
      return v.trustedform_ping_url ?? null;
    default: {
      // `$consent.<key>`: the consent evidence (posts only: pings have no consent).
      if (source.startsWith("$consent.")) {
        const value = own(v.consent ?? {}, source.slice(9));
        return Array.isArray(value) ? value.join(",") : ((value as LeadValue | undefined) ?? null);
      }
      return own(lead, source) as LeadValue | undefined;
    }
  }
}

const xmlBuilder = new XMLBuilder({ format: false, suppressEmptyNode: true });
/** Flat fields as form or query parameters (nested values as JSON). */
function params(out: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [k, val] of Object.entries(out)) form.set(k, typeof val === "object" ? JSON.stringify(val) : String(val));
  return form.toString();
}

export function buildTemplate(t: RequestTemplate, lead: LeadData, v: Values): WireRequest {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(t.static)) setPath(out, k, val);
  for (const [k, src] of Object.entries(t.mapping)) {
    const val = resolve(src, lead, v);
    if (val !== undefined && val !== null) setPath(out, k, val);
  }
  switch (t.format) {
    case "json":
      return { method: "POST", body: JSON.stringify(out), contentType: JSON_TYPE, headers: t.headers };
    case "form":
      return { method: "POST", body: params(out), contentType: FORM_TYPE, headers: t.headers };
    case "xml":
      return {
        method: "POST",
        body: `<?xml version="1.0" encoding="UTF-8"?>${xmlBuilder.build({ [t.xml_root]: out }) as string}`,
        contentType: XML_TYPE,
        headers: t.headers,
      };
    case "query":
      return { method: "GET", body: "", contentType: null, headers: t.headers, query: params(out) };
  }
}
