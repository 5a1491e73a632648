// Requests built from a contract's template (the buyers that do not speak the native protocol):
// static fields, fields mapped from the lead and the auction's values (through the entries'
// transforms, ./transforms.ts), in JSON, form, XML (attributes too) or a query string. Pure.
import { XMLBuilder } from "fast-xml-parser";
import type { ConsentRecord } from "../lead/consent";
import type { LeadData } from "../lead/fields";
import { centsToDollars } from "../lib/money";
import { isSafePath, own } from "../lib/own";
import type { RequestTemplate } from "../rules/schemas";
import { entryValue, type Scalar } from "./transforms";
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

function resolve(source: string, lead: LeadData, v: Values): Scalar | null | undefined {
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
        return Array.isArray(value) ? value.join(",") : scalarOf(value);
      }
      return scalarOf(own(lead, source));
    }
  }
}

/** A lead's or the consent's value as a request carries it (structured values are not sent). */
const scalarOf = (v: unknown): Scalar | null => (typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : null);

// `@name` keys are the element's attributes (`"lead.@type": "auto"` is `<lead type="auto">`).
const xmlBuilder = new XMLBuilder({ format: false, suppressEmptyNode: true, ignoreAttributes: false, attributeNamePrefix: "@" });
/** Flat fields as form or query parameters (nested values as JSON). */
function params(out: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [k, val] of Object.entries(out)) form.set(k, typeof val === "object" ? JSON.stringify(val) : String(val));
  return form.toString();
}

export function buildTemplate(t: RequestTemplate, lead: LeadData, v: Values): WireRequest {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(t.static)) setPath(out, k, val);
  const read = (source: string) => resolve(source, lead, v);
  for (const [k, entry] of Object.entries(t.mapping)) {
    const val = entryValue(entry, read);
    if (val !== undefined) setPath(out, k, val);
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
