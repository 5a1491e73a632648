// The scrub and validation vendors, each one bounded, redirect-refusing call (./outside.ts) whose
// credential goes only to the vendor's own https origin or a loopback stub, and a pure judge of its
// documented answer: pass (clean, valid), fail (listed, invalid), or error. No credential is ever in a
// detail: details name statuses and the vendor's words, never a URL.
//   TCPA Litigator List  POST /scrub/phone/ (Basic auth; phone_number, type) → {"clean":{"<phone>":…}}
//                        or {"results":{"clean":0,"is_bad_number":true,"status":…}}
//   DNCScrub litigator   GET /v1.5/Scrub/litigator?phoneList= (loginId header) → [{"Phone","IsLitigator"}]
//   Blacklist Alliance   GET /lookup?key&phone&ver&resp=json → {"message":"Good"|"Blacklisted","code",…}
//                        (the key travels in the query string: the URL is never recorded or logged)
//   a generic validator  POST VALIDATOR_API_URL {"phone"} or {"email"} (Bearer key) → {"valid","reason"}
import * as z from "zod";
import type { Scrub } from "../rules/scrubs";
import { callOutside, jsonOf, vendorUrl, type OutsideAnswer } from "./outside";

export const TCPA_LITIGATOR_ORIGIN = "https://api.tcpalitigatorlist.com";
export const DNCSCRUB_ORIGIN = "https://dataapi.dncscrub.com";
export const BLACKLIST_ALLIANCE_ORIGIN = "https://api.blacklistalliance.net";

export interface ScrubConfig {
  tcpaLitigator: { url: string; username: string | null; password: string | null };
  dncscrub: { url: string; loginId: string | null };
  blacklistAlliance: { url: string; key: string | null };
  validator: { url: string | null; key: string | null };
}

/** A vendor's verdict; `misconfigured`: no call could be made (no credential, a refused URL): fail closed. */
export type VendorVerdict = { outcome: "pass" | "fail" | "timeout" | "error"; detail: string | null; misconfigured?: true };

/** Who is checked: the consumer's phone (E.164 and, for a US number, ten digits) or email. */
export interface Subject {
  e164?: string;
  ten?: string;
  email?: string;
}

const said = (v: unknown) => (typeof v === "string" && v ? v.slice(0, 120) : null);
const unreadable = (status: number): VendorVerdict => ({ outcome: "error", detail: `unreadable answer (HTTP ${status})` });
const notOk = (status: number): VendorVerdict => ({ outcome: "error", detail: `HTTP ${status}` });

const TcpaAnswer = z.object({
  clean: z.record(z.string(), z.unknown()).optional(),
  match: z.record(z.string(), z.unknown()).optional(),
  results: z
    .object({
      clean: z.union([z.number(), z.string(), z.boolean()]).nullish(),
      is_bad_number: z.boolean().nullish(),
      status: z.string().nullish(),
      status_array: z.array(z.string()).nullish(),
    })
    .optional(),
});

export function judgeTcpaLitigator(status: number, json: unknown, phone: string): VendorVerdict {
  if (status !== 200) return notOk(status);
  const a = TcpaAnswer.safeParse(json);
  if (!a.success) return unreadable(status);
  const { clean, match, results } = a.data;
  if (clean && Object.hasOwn(clean, phone)) return { outcome: "pass", detail: null };
  if (match && Object.hasOwn(match, phone)) return { outcome: "fail", detail: "on the TCPA Litigator List" };
  if (results?.is_bad_number === true || (results && Number(results.clean) === 0))
    return { outcome: "fail", detail: said(results.status) ?? said(results.status_array?.join(", ")) ?? "on the TCPA Litigator List" };
  if (results && Number(results.clean) === 1) return { outcome: "pass", detail: null };
  return unreadable(status);
}

const DncAnswer = z.array(z.object({ Phone: z.union([z.number(), z.string()]), IsLitigator: z.boolean() }));

export function judgeDncscrub(status: number, json: unknown, phone: string): VendorVerdict {
  if (status !== 200) return notOk(status);
  const a = DncAnswer.safeParse(json);
  const row = a.success ? a.data.find((r) => String(r.Phone) === phone) : undefined;
  if (!row) return unreadable(status);
  return row.IsLitigator ? { outcome: "fail", detail: "a known TCPA litigator (DNCScrub)" } : { outcome: "pass", detail: null };
}

const BlacklistAnswer = z.object({
  status: z.string().nullish(),
  message: z.string(),
  code: z.union([z.string(), z.number()]).nullish(),
});

export function judgeBlacklist(status: number, json: unknown): VendorVerdict {
  if (status !== 200) return notOk(status);
  const a = BlacklistAnswer.safeParse(json);
  if (!a.success || (a.data.status && a.data.status.toLowerCase() !== "success")) return unreadable(status);
  const message = a.data.message.trim().toLowerCase();
  if (message === "good") return { outcome: "pass", detail: null };
  if (message === "blacklisted")
    return { outcome: "fail", detail: `blacklisted${a.data.code ? ` (${String(a.data.code).slice(0, 60)})` : ""}` };
  return unreadable(status);
}

const ValidatorAnswer = z.object({ valid: z.boolean(), reason: z.string().nullish() });

export function judgeValidator(status: number, json: unknown): VendorVerdict {
  if (status !== 200) return notOk(status);
  const a = ValidatorAnswer.safeParse(json);
  if (!a.success) return unreadable(status);
  return a.data.valid ? { outcome: "pass", detail: null } : { outcome: "fail", detail: said(a.data.reason) ?? "invalid" };
}

const misconfigured = (detail: string): VendorVerdict => ({ outcome: "error", detail, misconfigured: true });
const answered = (r: OutsideAnswer, judge: (status: number, json: unknown) => VendorVerdict): VendorVerdict =>
  r.ok ? judge(r.status, jsonOf(r.text)) : { outcome: r.outcome, detail: r.detail };

async function tcpaLitigator(s: Scrub, ten: string, cfg: ScrubConfig["tcpaLitigator"], timeoutMs: number): Promise<VendorVerdict> {
  if (!cfg.username || !cfg.password) return misconfigured("TCPA_LITIGATOR_USERNAME / TCPA_LITIGATOR_PASSWORD are not configured");
  const target = vendorUrl(cfg.url, TCPA_LITIGATOR_ORIGIN, "scrub/phone/");
  if (!target.ok) return misconfigured(`TCPA_LITIGATOR_API_URL: ${target.detail}`);
  const types = s.types ?? ["tcpa"];
  const body = new URLSearchParams({ phone_number: ten, type: types.length === 1 ? types[0]! : JSON.stringify(types) });
  const headers = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
    authorization: `Basic ${btoa(`${cfg.username}:${cfg.password}`)}`,
  };
  const r = await callOutside(target.url, { method: "POST", headers, body: body.toString() }, timeoutMs);
  return answered(r, (status, json) => judgeTcpaLitigator(status, json, ten));
}

async function dncscrub(ten: string, cfg: ScrubConfig["dncscrub"], timeoutMs: number): Promise<VendorVerdict> {
  if (!cfg.loginId) return misconfigured("DNCSCRUB_LOGIN_ID is not configured");
  const target = vendorUrl(cfg.url, DNCSCRUB_ORIGIN, "v1.5/Scrub/litigator");
  if (!target.ok) return misconfigured(`DNCSCRUB_API_URL: ${target.detail}`);
  // The key goes in the loginId header, which the vendor recommends over its query parameter.
  const r = await callOutside(
    `${target.url}?${new URLSearchParams({ phoneList: ten })}`,
    { headers: { loginId: cfg.loginId, accept: "application/json" } },
    timeoutMs,
  );
  return answered(r, (status, json) => judgeDncscrub(status, json, ten));
}

async function blacklistAlliance(s: Scrub, ten: string, cfg: ScrubConfig["blacklistAlliance"], timeoutMs: number): Promise<VendorVerdict> {
  if (!cfg.key) return misconfigured("BLACKLIST_ALLIANCE_KEY is not configured");
  const target = vendorUrl(cfg.url, BLACKLIST_ALLIANCE_ORIGIN, "lookup");
  if (!target.ok) return misconfigured(`BLACKLIST_ALLIANCE_API_URL: ${target.detail}`);
  const query = new URLSearchParams({ key: cfg.key, phone: ten, ver: s.ver ?? "v3", resp: "json" });
  const r = await callOutside(`${target.url}?${query}`, { headers: { accept: "application/json" } }, timeoutMs);
  return answered(r, judgeBlacklist);
}

/** The generic validator's URL: https anywhere (the operator names it), or http to a loopback stub. */
function validatorTarget(url: string | null): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    const ok = u.protocol === "https:" || (u.protocol === "http:" && (u.hostname === "127.0.0.1" || u.hostname === "localhost"));
    return ok && !u.username && !u.password ? u.href : undefined;
  } catch {
    return undefined;
  }
}

async function validator(s: Scrub, subject: Subject, cfg: ScrubConfig["validator"], timeoutMs: number): Promise<VendorVerdict> {
  const url = validatorTarget(cfg.url);
  if (!url || !cfg.key) return misconfigured("VALIDATOR_API_URL (https) and VALIDATOR_API_KEY are not configured");
  const body = s.check === "email" ? { email: subject.email } : { phone: subject.e164 };
  const headers = { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${cfg.key}` };
  const r = await callOutside(url, { method: "POST", headers, body: JSON.stringify(body) }, timeoutMs);
  return answered(r, judgeValidator);
}

/** What the scrub needs of the consumer, or why there is nothing to check (then it passes). */
export function subjectProblem(s: Scrub, subject: Subject): string | undefined {
  if (s.vendor === "validator" && s.check === "email") return subject.email ? undefined : "no email to validate";
  if (!subject.e164) return "no phone to check";
  if (s.vendor !== "validator" && !subject.ten) return "not a US number: not scrubbed";
  return undefined;
}

/** One vendor call for one consumer. Never rejects. */
export function callVendor(s: Scrub, subject: Subject, cfg: ScrubConfig): Promise<VendorVerdict> {
  switch (s.vendor) {
    case "tcpa_litigator":
      return tcpaLitigator(s, subject.ten!, cfg.tcpaLitigator, s.timeout_ms);
    case "dncscrub":
      return dncscrub(subject.ten!, cfg.dncscrub, s.timeout_ms);
    case "blacklist_alliance":
      return blacklistAlliance(s, subject.ten!, cfg.blacklistAlliance, s.timeout_ms);
    case "validator":
      return validator(s, subject, cfg.validator, s.timeout_ms);
  }
}
