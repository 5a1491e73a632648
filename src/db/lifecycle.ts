// The consumer data lifecycle in the records: finding a consumer's leads, their sales and whether
// they are suppressed, redacting leads (one statement for a whole batch), the retention job's
// batches and progress. Retention redacts only leads that are over (a lead that may still be posted
// keeps its fields until it ends); an erasure ends them first (db/erasure.ts).
import { redactBody, type RedactionPurpose, type StoredBody } from "../lead/redact";
import { UNFINISHED_STATES } from "../lead/state";
import { FieldDefsSchema, type FieldDef } from "../rules/schemas";
import type { Db } from "./client";

export interface BodyRow extends StoredBody {
  id: string;
  campaign_id: string;
}

/** Redacts the given leads (their personal fields and fingerprints); returns how many changed. */
export async function redactLeads(
  db: Db,
  rows: BodyRow[],
  fieldsOf: (campaignId: string) => FieldDef[] | undefined,
  now: number,
  purpose: RedactionPurpose = "retention",
): Promise<number> {
  if (rows.length === 0) return 0;
  const redacted = rows.map((r) => ({ id: r.id, ...redactBody(r, fieldsOf(r.campaign_id), purpose) }));
  const res = await db.$client
    .prepare(
      `UPDATE leads SET data = json_extract(j.value, '$.data'), consent = json_extract(j.value, '$.consent'), meta = json_extract(j.value, '$.meta'),
              phone_hash = NULL, email_hash = NULL, redacted_at = ?2, updated_at = ?2
       FROM json_each(?1) AS j WHERE leads.id = json_extract(j.value, '$.id') AND leads.redacted_at IS NULL`,
    )
    .bind(JSON.stringify(redacted), now)
    .run();
  return res.meta.changes ?? 0;
}

const BODY = "id, campaign_id, data, consent, meta";
const OVER = `status NOT IN (${UNFINISHED_STATES.map((s) => `'${s}'`).join(", ")})`;

/** Leads of a campaign older than `cutoff` and not yet redacted, at most `limit`. */
export async function dueForRetention(db: Db, campaignId: string, cutoff: number, limit: number): Promise<BodyRow[]> {
  return (
    await db.$client
      .prepare(`SELECT ${BODY} FROM leads WHERE campaign_id = ? AND created_at < ? AND redacted_at IS NULL AND ${OVER} LIMIT ?`)
      .bind(campaignId, cutoff, limit)
      .all<BodyRow>()
  ).results;
}

export async function countDue(db: Db, campaignId: string, cutoff: number): Promise<number> {
  return Number(
    (
      await db.$client
        .prepare(`SELECT COUNT(*) AS n FROM leads WHERE campaign_id = ? AND created_at < ? AND redacted_at IS NULL AND ${OVER}`)
        .bind(campaignId, cutoff)
        .first<{ n: number }>()
    )?.n ?? 0,
  );
}

export async function noteRetentionRun(db: Db, campaignId: string, redacted: number, now: number): Promise<void> {
  await db.$client
    .prepare(
      `INSERT INTO retention_runs (campaign_id, last_run_at, redacted) VALUES (?1, ?2, ?3) ON CONFLICT (campaign_id) DO UPDATE SET last_run_at = ?2, redacted = redacted + ?3`,
    )
    .bind(campaignId, now, redacted)
    .run();
}

export async function retentionRuns(db: Db): Promise<Map<string, { lastRunAt: number; redacted: number }>> {
  const rows = (
    await db.$client
      .prepare(`SELECT campaign_id, last_run_at, redacted FROM retention_runs`)
      .all<{ campaign_id: string; last_run_at: number; redacted: number }>()
  ).results;
  return new Map(rows.map((r) => [r.campaign_id, { lastRunAt: r.last_run_at, redacted: r.redacted }]));
}

/** A consumer's lead as found by its fingerprints. */
export interface ConsumerLead extends BodyRow {
  status: string;
  created_at: number;
  source_id: string;
  /** Its LeadJournal (null: stored before journals existed). */
  journal: string | null;
  /** Retry rounds made: a sale found in its journal is recorded under the last one. */
  attempts: number;
}

/** At most this many leads per consumer request. */
const CONSUMER_LEADS_LIMIT = 1000;

/** A consumer's leads (by phone or email fingerprint), with their bodies. */
export async function leadsOfConsumer(db: Db, hashes: string[]): Promise<ConsumerLead[]> {
  if (hashes.length === 0) return [];
  const json = JSON.stringify(hashes);
  return (
    await db.$client
      .prepare(
        `SELECT ${BODY}, status, created_at, source_id, journal, attempts FROM leads
         WHERE phone_hash IN (SELECT value FROM json_each(?1)) OR email_hash IN (SELECT value FROM json_each(?1))
         ORDER BY created_at LIMIT ${CONSUMER_LEADS_LIMIT}`,
      )
      .bind(json)
      .all<ConsumerLead>()
  ).results;
}

/** The sales (accepted posts) of the given leads; no query for none. */
export async function salesOf(
  db: Db,
  leadIds: string[],
): Promise<{ lead_id: string; contract_id: string; price_cents: number; created_at: number }[]> {
  if (leadIds.length === 0) return [];
  return (
    await db.$client
      .prepare(
        `SELECT lead_id, contract_id, price_cents, created_at FROM posts WHERE outcome = 'accepted' AND lead_id IN (SELECT value FROM json_each(?))`,
      )
      .bind(JSON.stringify(leadIds))
      .all<{ lead_id: string; contract_id: string; price_cents: number; created_at: number }>()
  ).results;
}

/** Is any of these fingerprints on the suppression list? */
export async function isSuppressed(db: Db, hashes: string[]): Promise<boolean> {
  const hit = await db.$client
    .prepare(`SELECT 1 AS x FROM suppressions WHERE hash IN (SELECT value FROM json_each(?)) LIMIT 1`)
    .bind(JSON.stringify(hashes))
    .first();
  return hit !== null;
}

/**
 * The campaigns' retention settings and fields, paused ones included (their leads age too). Fields
 * that do not validate come back undefined: redaction then keeps no field at all.
 */
export async function campaignRetention(
  db: Db,
): Promise<{ id: string; slug: string; retention_days: number | null; fields: FieldDef[] | undefined }[]> {
  const rows = (
    await db.$client
      .prepare(`SELECT id, slug, retention_days, fields FROM campaigns`)
      .all<{ id: string; slug: string; retention_days: number | null; fields: string }>()
  ).results;
  return rows.map((r) => ({ ...r, fields: fieldsOf(r.fields) }));
}

function fieldsOf(json: string): FieldDef[] | undefined {
  try {
    const parsed = FieldDefsSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
