// A campaign's own verification hook (phone validation, DNC or litigator scrub) as a pre-sale check:
// POST {lead_id, campaign, <the phone, email, state and zip fields>} and read
// {"result": "pass" | "fail", "reason"}. Redirects are not followed and the answer is capped
// (./outside.ts): a hook can neither send the consumer's data on nor hold the lead with a huge answer.
import * as z from "zod";
import type { LeadData } from "../lead/fields";
import type { Campaign } from "../rules/model";
import type { PreSaleHook } from "../rules/schemas";
import { callOutside, jsonOf } from "./outside";
import type { CheckResult } from "./presale";

const Answer = z.object({ result: z.enum(["pass", "fail"]), reason: z.string().nullish() });

/** What a verification service needs: the lead, and the consumer's contact fields and whereabouts. */
export function hookPayload(campaign: Campaign, leadId: string, lead: LeadData): Record<string, unknown> {
  const payload: Record<string, unknown> = { lead_id: leadId, campaign: campaign.slug };
  for (const f of campaign.fields)
    if (["phone", "email", "state", "zip"].includes(f.type) && lead[f.name] !== undefined) payload[f.name] = lead[f.name];
  return payload;
}

export async function hookCheck(h: PreSaleHook, payload: Record<string, unknown>): Promise<Omit<CheckResult, "latency_ms">> {
  const r = await callOutside(
    h.url,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) },
    h.timeout_ms,
  );
  if (!r.ok) return { name: h.name, outcome: r.outcome, action: h.on_timeout, detail: r.detail };
  const answer = Answer.safeParse(jsonOf(r.text));
  if (r.status !== 200 || !answer.success)
    return { name: h.name, outcome: "error", action: h.on_timeout, detail: `unreadable answer (HTTP ${r.status})` };
  const detail = answer.data.reason ? answer.data.reason.slice(0, 120) : null;
  return answer.data.result === "pass"
    ? { name: h.name, outcome: "pass", action: "none", detail }
    : { name: h.name, outcome: "fail", action: h.on_fail, detail };
}
