// Deletion notices: an erasure tells every buyer that bought the consumer (src/buyers/deletion.ts).
// Where a notice goes: the contract's `deletion_url`; without one, the post URL of a native-protocol
// contract (the native protocol tells the two apart by `event`); a template contract without one
// gets none (its buyer's own format has no such message), which is recorded. Each attempt is an
// event on the lead (`deletion_notice`: sent, failed with the status or error, skipped). The first
// attempts run off the erasure's wait; failed ones go to the retry queue, whose backoff retries them,
// and one that gives up is recorded by the dead-letter consumer.
import { sendDeletionNotice, type NoticeTarget } from "../buyers/deletion";
import { ERASED_REASON, retryDelaySeconds } from "../lead/state";
import { errorText, log } from "../lib/log";
import { keys } from "../rules/compile/shared";
import { ApiHeadersSchema, ProtocolSchema } from "../rules/schemas";
import type { Services } from "../services";
import type { DeletionNoticeMessage } from "../services/retry-queue";

export type NoticeOutcome = "sent" | "failed" | "skipped";

/** Notices sent straight from the erasure's invocation; more wait their turn on the queue. */
const DIRECT = 20;
/** The queue's first retry of a failed notice; later ones back off from it. */
export const NOTICE_RETRY_S = 60;

export const noticeRetryDelay = (attempts: number): number => retryDelaySeconds(NOTICE_RETRY_S, attempts);

const parsed = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, json: string): T | undefined => {
  try {
    const r = schema.safeParse(JSON.parse(json));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
};

/** Where the contract's notice goes and what signs it, or why it gets none. */
async function targetOf(svc: Pick<Services, "records">, contractId: string): Promise<NoticeTarget | string> {
  const row = await svc.records.erasure.noticeTarget(contractId);
  if (!row) return "no such contract";
  const native = parsed(ProtocolSchema, row.protocol)?.kind === "native";
  const url = row.deletionUrl ?? (native ? row.postUrl : null);
  if (!url) return "template contract without a deletion_url";
  return { url, secrets: keys(row.secret, row.secretNext), headers: parsed(ApiHeadersSchema, row.apiHeaders) ?? {} };
}

/**
 * One attempt at one notice, recorded on the lead (`attempt`: 1 for the erasure's own, else the
 * queue's delivery count). Never rejects.
 */
export async function deliverNotice(
  svc: Pick<Services, "records">,
  n: DeletionNoticeMessage,
  attempt: number,
  via: "erasure" | "queue" = "erasure",
): Promise<NoticeOutcome> {
  let detail: Record<string, unknown>;
  let outcome: NoticeOutcome;
  try {
    const target = await targetOf(svc, n.contractId);
    if (typeof target === "string") {
      [outcome, detail] = ["skipped", { reason: target }];
    } else {
      const ex = await sendDeletionNotice(target, {
        event: "lead.deleted",
        lead_id: n.leadId,
        buyer_lead_id: n.buyerLeadId,
        reason: ERASED_REASON,
      });
      outcome = ex.ok && ex.status >= 200 && ex.status < 300 ? "sent" : "failed";
      detail = ex.ok ? { http_status: ex.status } : { http_status: ex.status, error: ex.reason };
    }
  } catch (err) {
    [outcome, detail] = ["failed", { error: errorText(err) }];
  }
  log("deletion_notice", { lead_id: n.leadId, contract: n.contractId, outcome, attempt }, outcome === "failed" ? "warn" : "info");
  await svc.records
    .recordEvents(n.leadId, [{ kind: "deletion_notice", detail: { contract: n.contractId, status: outcome, via, attempt, ...detail } }])
    .catch((err: Error) => log("deletion_notice_unrecorded", { lead_id: n.leadId, error: err.message.slice(0, 200) }, "error"));
  return outcome;
}

/** The erasure's notices: the first few sent now (off its wait), the rest and every failure queued. */
export async function notifyBuyers(svc: Pick<Services, "records" | "enqueue">, notices: DeletionNoticeMessage[]): Promise<void> {
  const now = notices.slice(0, DIRECT);
  const outcomes = await Promise.all(now.map((n) => deliverNotice(svc, n, 1)));
  const failed = now.filter((_, i) => outcomes[i] === "failed");
  if (failed.length > 0) await svc.enqueue(failed, noticeRetryDelay(1));
  if (notices.length > DIRECT) await svc.enqueue(notices.slice(DIRECT));
}

/** The dead-letter queue gave up on a notice: that is recorded too. */
export async function noticeGaveUp(svc: Pick<Services, "records">, n: DeletionNoticeMessage, attempts: number): Promise<void> {
  await svc.records.recordEvents(n.leadId, [{ kind: "deletion_notice", detail: { contract: n.contractId, status: "gave_up", attempts } }]);
  log("deletion_notice_gave_up", { lead_id: n.leadId, contract: n.contractId }, "error");
}
