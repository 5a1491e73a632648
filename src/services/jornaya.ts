// Jornaya (LeadiD) Authenticate, as a pre-sale check: is the lead's LeadiD token one Jornaya issued,
// and may our account query it? GET /Authenticate?lac=<account code>&id=<token> answers
// {"authenticate":{"authentic":1|0,…}} inside an HTTP 200, its failures too; the campaign decides
// what a failure (authentic 0) and a timeout or error do to the lead.
import * as z from "zod";
import type { ConsentRecord } from "../lead/consent";
import type { Campaign } from "../rules/model";
import { callOutside, jsonOf, vendorUrl } from "./outside";
import type { CheckResult } from "./presale";

export const JORNAYA_ORIGIN = "https://api.leadid.com";
const TIMEOUT_MS = 2000;
const TOKEN = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

const Answer = z.object({
  authenticate: z.object({
    // 1 or 0; some answers carry it as a string.
    authentic: z.union([z.literal(1), z.literal(0), z.literal("1"), z.literal("0")]),
    reason: z.union([z.number(), z.string()]).nullish(),
  }),
});

/** An answer's verdict. Pure. A 200 is no success by itself: only `authentic: 1` is. */
export function judgeJornaya(status: number, json: unknown): Pick<CheckResult, "outcome" | "detail"> {
  const parsed = Answer.safeParse(json);
  if (status !== 200 || !parsed.success) {
    const message = z.object({ error: z.union([z.string(), z.object({ message: z.string() })]) }).safeParse(json);
    const said = message.success ? (typeof message.data.error === "string" ? message.data.error : message.data.error.message) : null;
    return { outcome: "error", detail: `${said ? said.slice(0, 120) : "unreadable answer"} (HTTP ${status})` };
  }
  const { authentic, reason } = parsed.data.authenticate;
  if (Number(authentic) === 1) return { outcome: "pass", detail: null };
  return {
    outcome: "fail",
    detail: `not authentic${reason === undefined || reason === null ? "" : ` (reason ${String(reason).slice(0, 20)})`}`,
  };
}

export interface JornayaConfig {
  url: string;
  accountCode: string | null;
}

/** The check for one lead. Never rejects; a missing configuration rejects the lead (fail closed). */
export async function jornayaCheck(
  campaign: Campaign,
  consent: ConsentRecord | null,
  cfg: JornayaConfig,
): Promise<Omit<CheckResult, "latency_ms">> {
  const name = "jornaya_authenticate";
  const token = consent?.jornaya_leadid;
  if (!token || !TOKEN.test(token)) return { name, outcome: "fail", action: campaign.jornayaOnFail, detail: "no Jornaya LeadiD token" };
  if (!cfg.accountCode) return { name, outcome: "error", action: "reject", detail: "JORNAYA_ACCOUNT_CODE is not configured" };
  const target = vendorUrl(cfg.url, JORNAYA_ORIGIN, "Authenticate");
  if (!target.ok) return { name, outcome: "error", action: "reject", detail: `JORNAYA_API_URL: ${target.detail}` };
  const query = new URLSearchParams({ lac: cfg.accountCode, id: token });
  const r = await callOutside(`${target.url}?${query}`, { method: "GET", headers: { accept: "application/json" } }, TIMEOUT_MS);
  if (!r.ok) return { name, outcome: r.outcome, action: campaign.jornayaOnTimeout, detail: r.detail };
  const verdict = judgeJornaya(r.status, jsonOf(r.text));
  const action = verdict.outcome === "pass" ? "none" : verdict.outcome === "fail" ? campaign.jornayaOnFail : campaign.jornayaOnTimeout;
  return { name, ...verdict, action };
}
