// A signed notification to the source when a lead it was told is `pending` reaches a final state.
import { send, signedRequest } from "../buyers/http";
import { forServer, responseFromSummary } from "../lead/response";
import { log } from "../lib/log";
import type { Source } from "../rules/model";
import type { Services } from "../services";

export const POSTBACK_TIMEOUT_MS = 5000;

export async function notifyPostback(svc: Pick<Services, "records">, source: Source, leadId: string): Promise<void> {
  if (!source.postbackUrl) return;
  const summary = await svc.records.summary(leadId);
  if (!summary) return;
  const answer = await forServer(responseFromSummary(source, summary), source.id, svc.records);
  const body = JSON.stringify({ event: "lead.final", ...answer });
  const req = await signedRequest(
    source.postbackUrl,
    { method: "POST", body, contentType: "application/json", headers: {} },
    { secrets: source.postbackSecret ? [source.postbackSecret] : [] },
    POSTBACK_TIMEOUT_MS,
  );
  const ex = await send(req);
  const detail = ex.ok ? { http_status: ex.status } : { error: ex.reason };
  await svc.records.recordEvents(leadId, [{ kind: "postback", detail }]);
  log("postback_sent", { lead_id: leadId, ok: ex.ok && ex.status < 300 });
}
