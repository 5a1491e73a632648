// What an isolate tells a contract's CapLedger after the fact — sales spent from its leased blocks,
// and how each post that reached the buyer ended (the post meter) — batched per contract and sent at
// most every REPORT_MS, so a hot contract's object sees a few calls a second from each isolate rather
// than one or two per lead (docs/PERFORMANCE.md, the capacity model). A post that went wrong is sent at
// once, on its own: it may trip the buyer's breaker, and each REPORT_MS of delay is more leads posted
// to a harvester. (Alone, because a batch's promise belongs to the request that opened it.) Nothing
// here is on the seller's wait: callers defer the promise, which settles when the report is delivered.
import type { CapLedger, PostPause, PostRecord, SaleReport } from "../objects/cap-ledger";

/** How long reports wait for company before they are sent. */
export const REPORT_MS = 100;

interface Pending {
  sales: SaleReport[];
  posts: PostRecord[];
  sent: Promise<PostPause | null>;
}

// Per isolate, shared by every request it serves.
const pending = new Map<string, Pending>();

/** Waits for every report queued in this isolate to be delivered (tests: nothing late after a reseed). */
export async function settleReports(): Promise<void> {
  await Promise.allSettled([...pending.values()].map((p) => p.sent));
}

export class CapReports {
  constructor(private readonly ns: DurableObjectNamespace<CapLedger>) {}

  /**
   * Queues a report for the contract's ledger; resolves with the ledger's verdict on its posts once sent.
   * A post that was not a sale is sent at once.
   */
  report(contractId: string, item: { sale?: SaleReport; post?: PostRecord }): Promise<PostPause | null> {
    if (item.post && item.post.outcome !== "accepted" && !item.sale)
      return this.ns.get(this.ns.idFromName(contractId)).report({ sales: [], posts: [item.post] });
    let batch = pending.get(contractId);
    if (!batch) {
      const fresh: Pending = { sales: [], posts: [], sent: Promise.resolve(null) };
      fresh.sent = new Promise<void>((r) => setTimeout(r, REPORT_MS)).then(() => this.flush(contractId, fresh));
      pending.set(contractId, fresh);
      batch = fresh;
    }
    if (item.sale) batch.sales.push(item.sale);
    if (item.post) batch.posts.push(item.post);
    return batch.sent;
  }

  private flush(contractId: string, batch: Pending): Promise<PostPause | null> {
    if (pending.get(contractId) === batch) pending.delete(contractId);
    return this.ns.get(this.ns.idFromName(contractId)).report({ sales: batch.sales, posts: batch.posts });
  }
}
