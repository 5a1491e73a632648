// The records client, built once per request over D1 (src/services/index.ts): how code outside db/
// reaches the records, never holding the database itself. A lead's own writes and reads are its
// methods; status changes are compare-and-set over the lead state machine, so a racing worker or a
// redelivered message can never move a lead backwards. Every other feature of db/ is a property:
// that module's functions with the database bound (`records.returns.file(…)`, db/bound.ts).
import { and, desc, eq, inArray } from "drizzle-orm";
import type { LeadSummary } from "../lead/response";
import { isFinal, sourcesOf } from "../lead/state";
import type { Rules } from "../rules/model";
import { bound, type Bound } from "./bound";
import * as audit from "./audit";
import * as billing from "./billing";
import * as breakers from "./breakers";
import * as buyerView from "./buyer-view";
import type { Db } from "./client";
import * as erasure from "./erasure";
import * as experiments from "./experiments";
import * as exports from "./exports";
import * as figures from "./figures";
import * as invoices from "./invoices";
import * as ledger from "./ledger";
import * as lifecycle from "./lifecycle";
import * as lists from "./lists";
import * as scrubs from "./scrubs";
import * as quality from "./quality";
import * as reports from "./reports";
import * as resale from "./resale";
import * as ruleEdits from "./rule-edits";
import * as retries from "./retry-claims";
import * as returns from "./returns";
import * as sessions from "./sessions";
import * as suppressions from "./suppressions";
import * as webhookDeliveries from "./webhook-deliveries";
import * as webhooks from "./webhooks";
import { recordEarlyEnd, recordEvents, recordRound, type LeadEvent, type RoundRecord } from "./rounds";
import * as t from "./schema";
import type { LeadRow, LeadStatus, PingRow } from "./schema";
import { fullTrace, leadSummary, traceRows, type FullTrace, type TraceRows } from "./trace";

export type { LeadEvent, RoundRecord } from "./rounds";

/** A new lead as stored at intake. */
export type NewLead = Pick<
  LeadRow,
  | "id"
  | "campaignId"
  | "sourceId"
  | "idempotencyKey"
  | "requestHash"
  | "journal"
  | "data"
  | "consent"
  | "meta"
  | "phoneHash"
  | "emailHash"
  | "createdAt"
  | "experimentId"
  | "variant"
>;

export class Records {
  /** Returns and feedback (db/returns.ts). */
  readonly returns: Bound<typeof returns>;
  /** Experiments: the variants' figures, ending one (db/experiments.ts). */
  readonly experiments: Bound<typeof experiments>;
  /** Circuit breakers: outcome counts, states, transitions (db/breakers.ts). */
  readonly breakers: Bound<typeof breakers>;
  /** Contract quality: history and scores (db/quality.ts). */
  readonly quality: Bound<typeof quality>;
  /** A consumer's data and retention: finding, exporting and redacting leads (db/lifecycle.ts). */
  readonly lifecycle: Bound<typeof lifecycle>;
  /** A consumer's erasure: the person's fingerprints, ending leads, free text, buyers to tell (db/erasure.ts). */
  readonly erasure: Bound<typeof erasure>;
  /** The console's figures (db/figures.ts). */
  readonly figures: Bound<typeof figures>;
  /** A source's and the buyers' reports (db/reports.ts). */
  readonly reports: Bound<typeof reports>;
  /** Exports: pages of a kind, and the audit row of each export (db/exports.ts). */
  readonly exports: Bound<typeof exports>;
  /** Console sessions' epochs (db/sessions.ts). */
  readonly sessions: Bound<typeof sessions>;
  /** The ledger: bookings, balances, statements (db/ledger.ts). */
  readonly ledger: Bound<typeof ledger>;
  /** Invoices and publisher payables (db/invoices.ts). */
  readonly invoices: Bound<typeof invoices>;
  /** Buyers' billing settings, money events, Stripe events (db/billing.ts). */
  readonly billing: Bound<typeof billing>;
  /** A buyer's own console: its keys, contracts, purchases, returns (db/buyer-view.ts). */
  readonly buyerView: Bound<typeof buyerView>;
  /** Resales: offers, the cron's batches, a round's record (db/resale.ts). */
  readonly resale: Bound<typeof resale>;
  /** Value lists that filters and price rules name (db/lists.ts). */
  readonly lists: Bound<typeof lists>;
  /** Scrub results cached per consumer, and the calls' costs (db/scrubs.ts). */
  readonly scrubs: Bound<typeof scrubs>;
  /** Webhook subscriptions, their delivery log, the failing ones (db/webhooks.ts). */
  readonly webhooks: Bound<typeof webhooks>;
  /** Events and their deliveries: storing, claiming, attempts, the cron's sweep (db/webhook-deliveries.ts). */
  readonly webhookDeliveries: Bound<typeof webhookDeliveries>;
  /** The rule rows as the rules API reads and writes them (db/rule-edits.ts). */
  readonly ruleEdits: Bound<typeof ruleEdits>;
  /** The rules' audit trail (db/audit.ts). */
  readonly audit: Bound<typeof audit>;
  /** The suppression list, read back (db/suppressions.ts). */
  readonly suppressions: Bound<typeof suppressions>;
  /** Retry rounds' claims on their leads, and the leads the cron recovers (db/retry-claims.ts). */
  readonly retries: Bound<typeof retries>;

  constructor(private readonly db: Db) {
    this.returns = bound(db, returns);
    this.experiments = bound(db, experiments);
    this.breakers = bound(db, breakers);
    this.quality = bound(db, quality);
    this.lifecycle = bound(db, lifecycle);
    this.erasure = bound(db, erasure);
    this.figures = bound(db, figures);
    this.reports = bound(db, reports);
    this.sessions = bound(db, sessions);
    this.ledger = bound(db, ledger);
    this.invoices = bound(db, invoices);
    this.billing = bound(db, billing);
    this.buyerView = bound(db, buyerView);
    this.resale = bound(db, resale);
    this.lists = bound(db, lists);
    this.scrubs = bound(db, scrubs);
    this.exports = bound(db, exports);
    this.webhooks = bound(db, webhooks);
    this.webhookDeliveries = bound(db, webhookDeliveries);
    this.ruleEdits = bound(db, ruleEdits);
    this.audit = bound(db, audit);
    this.suppressions = bound(db, suppressions);
    this.retries = bound(db, retries);
  }

  /**
   * Stores a new lead and looks its fingerprints up in the suppression list, in one batch (one
   * round trip). `stored` is false for an idempotent replay (same source and key): nothing inserted.
   * A suppressed consumer's lead is stored without its body (no fields, consent or request
   * metadata): only the fact, its fingerprints and, once ended, its status.
   */
  async storeLead(lead: NewLead, fingerprints: string[]): Promise<{ stored: boolean; suppressedBecause: string | null }> {
    const db = this.db;
    const hashes = JSON.stringify(fingerprints);
    const [suppressed, inserted] = await db.$client.batch<{ reason?: string; id?: string }>([
      db.$client.prepare(`SELECT reason FROM suppressions WHERE hash IN (SELECT value FROM json_each(?)) LIMIT 1`).bind(hashes),
      db.$client
        .prepare(
          `INSERT INTO leads (id, campaign_id, source_id, status, idempotency_key, request_hash, journal, data, consent, meta, phone_hash, email_hash, created_at, updated_at, experiment_id, variant)
           SELECT ?1, ?2, ?3, 'received', ?4, ?5, ?6,
                  CASE WHEN s.hit THEN '{}' ELSE ?7 END, CASE WHEN s.hit THEN NULL ELSE ?8 END, CASE WHEN s.hit THEN '{}' ELSE ?9 END,
                  ?10, ?11, ?12, ?12, ?14, ?15
           FROM (SELECT EXISTS (SELECT 1 FROM suppressions WHERE hash IN (SELECT value FROM json_each(?13))) AS hit) AS s
           WHERE true
           ON CONFLICT DO NOTHING RETURNING id`,
        )
        .bind(
          lead.id,
          lead.campaignId,
          lead.sourceId,
          lead.idempotencyKey,
          lead.requestHash,
          lead.journal,
          lead.data,
          lead.consent,
          lead.meta,
          lead.phoneHash,
          lead.emailHash,
          lead.createdAt,
          hashes,
          lead.experimentId,
          lead.variant,
        ),
    ]);
    return { stored: inserted!.results.length > 0, suppressedBecause: suppressed!.results[0]?.reason ?? null };
  }

  async leadByIdempotencyKey(sourceId: string, key: string): Promise<{ id: string; requestHash: string | null } | undefined> {
    const [row] = await this.db
      .select({ id: t.leads.id, requestHash: t.leads.requestHash })
      .from(t.leads)
      .where(and(eq(t.leads.sourceId, sourceId), eq(t.leads.idempotencyKey, key)));
    return row;
  }

  /** Adds fingerprints to the suppression list; true for each one that was new. */
  async suppress(entries: { hash: string; kind: "phone" | "email"; reason: string }[]): Promise<boolean[]> {
    const db = this.db;
    const [first, ...rest] = entries.map((e) =>
      db.insert(t.suppressions).values(e).onConflictDoNothing().returning({ hash: t.suppressions.hash }),
    );
    if (!first) return [];
    const results = await db.batch([first, ...rest]);
    return results.map((r) => r.length > 0);
  }

  async recordSellerPing(row: { pingId: string; sourceId: string; campaignId: string; bids: number; payoutCents: number }): Promise<void> {
    await this.db.insert(t.sellerPings).values(row).onConflictDoNothing();
  }

  async recordSellerPost(pingId: string, leadId: string): Promise<void> {
    await this.db.update(t.sellerPings).set({ leadId }).where(eq(t.sellerPings.pingId, pingId));
  }

  async lead(leadId: string): Promise<LeadRow | undefined> {
    const [row] = await this.db.select().from(t.leads).where(eq(t.leads.id, leadId));
    return row;
  }

  /** A contract's purchase of a lead (its first accepted post), if it bought it. */
  async sale(leadId: string, contractId: string): Promise<{ priceCents: number; payoutCents: number; soldAt: number } | undefined> {
    const row = await this.db.$client
      .prepare(
        `SELECT price_cents, payout_cents, created_at FROM posts WHERE lead_id = ? AND contract_id = ? AND outcome = 'accepted' LIMIT 1`,
      )
      .bind(leadId, contractId)
      .first<{ price_cents: number; payout_cents: number; created_at: number }>();
    return row ? { priceCents: row.price_cents, payoutCents: row.payout_cents, soldAt: Number(row.created_at) } : undefined;
  }

  /**
   * Contracts done with this lead: those it was sent to, whatever they answered (accepted, rejected,
   * error, timeout: each has had its chance), and those that had the consumer already (duplicate).
   * A retry round never tries them again; only cap_full and unavailable leave a contract in play.
   */
  async contractsDoneWith(leadId: string): Promise<Set<string>> {
    const rows = await this.db
      .select({ contractId: t.posts.contractId })
      .from(t.posts)
      .where(and(eq(t.posts.leadId, leadId), inArray(t.posts.outcome, ["accepted", "rejected", "error", "timeout", "duplicate"])));
    return new Set(rows.map((p) => p.contractId));
  }

  /** The last few posts of a lead, newest first (why a lead ended unsold). */
  async lastPosts(leadId: string, limit: number) {
    return this.db
      .select({ contractId: t.posts.contractId, outcome: t.posts.outcome, reason: t.posts.reason })
      .from(t.posts)
      .where(eq(t.posts.leadId, leadId))
      .orderBy(desc(t.posts.createdAt))
      .limit(limit);
  }

  async recordEvents(leadId: string, events: LeadEvent[]): Promise<void> {
    await recordEvents(this.db, leadId, events);
  }

  /** Records one auction round and moves the lead, in one D1 batch (one round trip, atomic). */
  async recordRound(r: RoundRecord): Promise<void> {
    await recordRound(this.db, r);
  }

  /** A lead that ended before any post, with the pings its round sent meanwhile. */
  async recordEarlyEnd(
    leadId: string,
    status: "rejected" | "duplicate",
    reason: string,
    opts: { duplicateOf?: string | null; pings?: PingRow[] } = {},
  ): Promise<void> {
    await recordEarlyEnd(this.db, leadId, status, reason, opts);
  }

  /** Moves a lead if the state machine allows it from its current state (or only from `from`); true when it moved. */
  async transition(leadId: string, to: LeadStatus, reason: string | null = null, from?: readonly LeadStatus[]): Promise<boolean> {
    const now = Date.now();
    const sources = sourcesOf(to).filter((s) => !from || from.includes(s));
    const res = await this.db
      .update(t.leads)
      .set({ status: to, reason, updatedAt: now, ...(isFinal(to) ? { finalAt: now } : {}) })
      .where(and(eq(t.leads.id, leadId), inArray(t.leads.status, sources)))
      .returning({ id: t.leads.id });
    return res.length > 0;
  }

  async summary(leadId: string): Promise<LeadSummary | undefined> {
    return leadSummary(this.db, leadId);
  }

  /** A lead's events, pings and posts, in order (one batch). */
  async trace(leadId: string): Promise<TraceRows> {
    return traceRows(this.db, leadId);
  }

  /** A lead's whole trace for an operator (GET /admin/leads/{id}, the console), or null. */
  async fullTrace(rules: Rules, leadId: string): Promise<FullTrace | null> {
    return fullTrace(this.db, rules, leadId);
  }
}
