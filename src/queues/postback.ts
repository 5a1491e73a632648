// A signed notification to the source when a lead it was told is `pending` reaches a final state.
import { signatureHeaders } from "../buyers/signature";
import { exchange } from "../buyers/http";
import type { Env } from "../env";
import { dbOf } from "../db/client";
import { recordEvents, leadSummary } from "../db/records";
import { responseFromSummary } from "../lead/ingest";
import { log } from "../lib/log";
import type { Source } from "../rules/compile";

export const POSTBACK_TIMEOUT_MS = 5000;

export async function notifyPostback(env: Env, source: Source, leadId: string): Promise<void> {
  if (!source.postbackUrl) return;
  const db = dbOf(env.DB);
  const summary = await leadSummary(db, leadId);
  if (!summary) return;
  const body = JSON.stringify({ event: "lead.final", ...responseFromSummary(source, summary) });
  const headers = {
    "content-type": "application/json",
    ...(await signatureHeaders(source.postbackSecret ?? "", body, Date.now())),
  };
  const ex = await exchange(source.postbackUrl, { body, headers, timeoutMs: POSTBACK_TIMEOUT_MS });
  const detail = ex.ok ? { http_status: ex.status } : { error: ex.reason };
  await recordEvents(db, leadId, [{ kind: "postback", detail }]);
  log("postback_sent", { lead_id: leadId, ok: ex.ok && ex.status < 300 });
}
