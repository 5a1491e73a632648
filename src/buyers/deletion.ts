// The deletion notice: a buyer that bought a consumer is told the consumer was erased, so it can
// delete its copy. One signed JSON POST, signed like every other request to the buyer (the
// contract's keys, v2 over method, path and body); docs/BUYER_PROTOCOL.md has the body and where it
// goes.
import { send, signedRequest, type Exchange } from "./http";

export const DELETION_TIMEOUT_MS = 5000;

export interface DeletionNotice {
  event: "lead.deleted";
  lead_id: string;
  /** The buyer's own id for the lead, from its acceptance (null if it gave none). */
  buyer_lead_id: string | null;
  reason: string;
}

export interface NoticeTarget {
  url: string;
  /** The contract's post keys, current first. */
  secrets: string[];
  /** The contract's API headers (its keys at the buyer). */
  headers: Record<string, string>;
}

export async function sendDeletionNotice(target: NoticeTarget, notice: DeletionNotice): Promise<Exchange> {
  const wire = { method: "POST" as const, body: JSON.stringify(notice), contentType: "application/json", headers: target.headers };
  return send(await signedRequest(target.url, wire, { secrets: target.secrets }, DELETION_TIMEOUT_MS));
}
