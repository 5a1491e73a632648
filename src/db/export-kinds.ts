// What can be exported (GET …/exports/{kind}): one entry per kind, with its columns (who may see
// each, which are consumer data) and how a page of rows is read after a cursor. Keyset pagination on
// (created_at, id), never OFFSET: each page is one indexed range, however deep the export is. Pings
// and posts are read by pages of leads (their leads' time range, over the lead index), so no index on
// those busy tables is needed. Adding a kind (the billing ledger) is adding its entry here.

/**
 * What a page reads through: D1's client (`db.$client`), as far as pages use it. Structural, so this
 * table imports no binding types (the docs' check reads its columns from Node).
 */
export interface ExportDb {
  prepare(query: string): ExportStatement;
  batch<T = unknown>(statements: ExportStatement[]): Promise<{ results: T[] }[]>;
}
interface ExportStatement {
  bind(...values: unknown[]): ExportStatement;
  all<T = unknown>(): Promise<{ results: T[] }>;
}

export type Audience = "admin" | "source" | "buyer";

export interface ExportColumn {
  name: string;
  /** Who gets it in their export; the admin gets every column. */
  for: readonly Audience[];
  /** Consumer data: only with include_pii=1 (admins). */
  pii?: true;
  /** Epoch ms, written as ISO 8601. */
  time?: true;
}

export interface ExportFilter {
  from: number;
  to: number;
  campaignId: string | null;
  sourceId: string | null;
  buyerId: string | null;
  includePii: boolean;
}

export interface Cursor {
  at: number;
  id: string;
}

export type ExportRow = Record<string, unknown>;

export interface ExportKind {
  /** Who may export it (admins always). */
  audiences: readonly Audience[];
  columns: readonly ExportColumn[];
  /** Rows after `after`, in order, and the cursor to continue from (null: that was the last page). */
  page(d1: ExportDb, f: ExportFilter, after: Cursor | null): Promise<{ rows: ExportRow[]; next: Cursor | null }>;
}

const ALL: readonly Audience[] = ["admin", "source", "buyer"];
const ADMIN: readonly Audience[] = ["admin"];
const SOURCE: readonly Audience[] = ["admin", "source"];
const BUYER: readonly Audience[] = ["admin", "buyer"];

/** Leads per page (pings and posts: leads per page, their rows all in it). */
const LEAD_PAGE = 1000;
const CHILD_LEAD_PAGE = 200;

/** The leads of a page: the range, the keyset after the cursor, the filters (SQL from fixed fragments, values bound). */
function leadRange(f: ExportFilter, after: Cursor | null, alias = "l"): { where: string; params: unknown[] } {
  const parts = [`${alias}.created_at >= ?`, `${alias}.created_at < ?`];
  const params: unknown[] = [after ? Math.max(after.at, f.from) : f.from, f.to];
  if (after) {
    parts.push(`(${alias}.created_at > ? OR ${alias}.id > ?)`);
    params.push(after.at, after.id);
  }
  if (f.campaignId) {
    parts.push(`${alias}.campaign_id = ?`);
    params.push(f.campaignId);
  }
  if (f.sourceId) {
    parts.push(`${alias}.source_id = ?`);
    params.push(f.sourceId);
  }
  return { where: parts.join(" AND "), params };
}

const cursorOf = (rows: { created_at?: unknown; id?: unknown }[], limit: number): Cursor | null => {
  const last = rows.at(-1);
  return rows.length === limit && last ? { at: Number(last.created_at), id: String(last.id) } : null;
};

const PII_FIELDS = ["first_name", "last_name", "email", "phone", "street", "city", "state", "zip", "dob"] as const;

const leads: ExportKind = {
  audiences: SOURCE,
  columns: [
    { name: "lead_id", for: ALL },
    { name: "created_at", for: ALL, time: true },
    { name: "campaign_id", for: ALL },
    { name: "source_id", for: ADMIN },
    { name: "status", for: SOURCE },
    { name: "reason", for: ADMIN },
    { name: "price_cents", for: ADMIN },
    { name: "payout_cents", for: SOURCE },
    { name: "margin_cents", for: ADMIN },
    { name: "sold_to", for: ADMIN },
    { name: "retries", for: ADMIN },
    { name: "duplicate_of", for: ADMIN },
    { name: "final_at", for: SOURCE, time: true },
    { name: "redacted_at", for: ADMIN, time: true },
    ...PII_FIELDS.map((name) => ({ name, for: ADMIN, pii: true as const })),
  ],
  async page(d1, f, after) {
    const r = leadRange(f, after);
    const buyer = f.buyerId
      ? ` AND EXISTS (SELECT 1 FROM posts p JOIN contracts c ON c.id = p.contract_id WHERE p.lead_id = l.id AND p.outcome = 'accepted' AND c.buyer_id = ?)`
      : "";
    const pii = f.includePii ? PII_FIELDS.map((n) => `, json_extract(l.data, '$.${n}') AS ${n}`).join("") : "";
    const rows = await d1
      .prepare(
        `SELECT l.id, l.id AS lead_id, l.created_at, l.campaign_id, l.source_id, l.status, l.reason, l.price_cents, l.payout_cents,
                l.margin_cents, l.attempts AS retries, l.duplicate_of, l.final_at, l.redacted_at,
                (SELECT group_concat(p.contract_id, ' ') FROM posts p WHERE p.lead_id = l.id AND p.outcome = 'accepted') AS sold_to${pii}
         FROM leads l WHERE ${r.where}${buyer} ORDER BY l.created_at, l.id LIMIT ?`,
      )
      .bind(...r.params, ...(f.buyerId ? [f.buyerId] : []), LEAD_PAGE)
      .all<ExportRow>();
    return { rows: rows.results, next: cursorOf(rows.results, LEAD_PAGE) };
  },
};

/** Pings or posts, a page of leads at a time: the leads (for the cursor) and their rows, in one batch. */
async function childPage(d1: ExportDb, f: ExportFilter, after: Cursor | null, select: string, table: "pings" | "posts") {
  const r = leadRange(f, after);
  const page = `SELECT l.id, l.created_at FROM leads l WHERE ${r.where} ORDER BY l.created_at, l.id LIMIT ?`;
  const buyer = f.buyerId ? ` WHERE c.buyer_id = ?` : "";
  const [keys, rows] = await d1.batch<ExportRow>([
    d1.prepare(page).bind(...r.params, CHILD_LEAD_PAGE),
    d1
      .prepare(
        `WITH page AS (${page}) SELECT ${select} FROM page JOIN ${table} x ON x.lead_id = page.id
         LEFT JOIN contracts c ON c.id = x.contract_id${buyer} ORDER BY page.created_at, page.id, x.attempt, x.created_at, x.id`,
      )
      .bind(...r.params, CHILD_LEAD_PAGE, ...(f.buyerId ? [f.buyerId] : [])),
  ]);
  return { rows: rows!.results, next: cursorOf(keys!.results, CHILD_LEAD_PAGE) };
}

/** Pings or posts: the columns both have, then the table's own; the SELECT follows the list. */
function childKind(table: "pings" | "posts", reasonFor: readonly Audience[], own: readonly ExportColumn[]): ExportKind {
  const id = table === "pings" ? "ping_id" : "post_id";
  const columns: ExportColumn[] = [
    { name: id, for: ALL },
    { name: "lead_id", for: ALL },
    { name: "created_at", for: ALL, time: true },
    { name: "attempt", for: ADMIN },
    { name: "contract_id", for: ALL },
    { name: "buyer_id", for: ADMIN },
    { name: "outcome", for: ALL },
    { name: "reason", for: reasonFor },
    { name: "http_status", for: ALL },
    { name: "latency_ms", for: ALL },
    ...own,
  ];
  const select = columns.map((c) => (c.name === id ? `x.id AS ${id}` : c.name === "buyer_id" ? "c.buyer_id" : `x.${c.name}`)).join(", ");
  return { audiences: BUYER, columns, page: (d1, f, after) => childPage(d1, f, after, select, table) };
}

const pings = childKind("pings", ADMIN, [
  { name: "bid_cents", for: ALL },
  { name: "effective_cents", for: ADMIN },
]);

const posts = childKind("posts", ALL, [
  { name: "price_cents", for: ALL },
  { name: "payout_cents", for: ADMIN },
  { name: "buyer_lead_id", for: ALL },
]);

const RETURN_PAGE = 1000;

const returns: ExportKind = {
  audiences: ALL,
  columns: [
    { name: "return_id", for: ALL },
    { name: "lead_id", for: ALL },
    { name: "created_at", for: ALL, time: true },
    { name: "contract_id", for: BUYER },
    { name: "buyer_id", for: ADMIN },
    { name: "source_id", for: ADMIN },
    { name: "campaign_id", for: ALL },
    { name: "reason", for: ALL },
    { name: "status", for: ALL },
    { name: "requested_by", for: ADMIN },
    { name: "price_cents", for: BUYER },
    { name: "clawback_cents", for: SOURCE },
    { name: "decided_at", for: ALL, time: true },
    { name: "note", for: ADMIN, pii: true },
  ],
  async page(d1, f, after) {
    const r = leadRange(f, after, "r");
    const buyer = f.buyerId ? ` AND c.buyer_id = ?` : "";
    const rows = await d1
      .prepare(
        `SELECT r.id, r.id AS return_id, r.lead_id, r.created_at, r.contract_id, c.buyer_id, r.source_id, r.campaign_id, r.reason, r.status,
                r.requested_by, r.price_cents, r.clawback_cents, r.decided_at${f.includePii ? ", r.note" : ""}
         FROM returns r LEFT JOIN contracts c ON c.id = r.contract_id WHERE ${r.where}${buyer} ORDER BY r.created_at, r.id LIMIT ?`,
      )
      .bind(...r.params, ...(f.buyerId ? [f.buyerId] : []), RETURN_PAGE)
      .all<ExportRow>();
    return { rows: rows.results, next: cursorOf(rows.results, RETURN_PAGE) };
  },
};

/** Every kind of export. The billing ledger (`ledger`) is added here by the billing module, as one more entry. */
export const EXPORT_KINDS = { leads, pings, posts, returns } satisfies Record<string, ExportKind>;
export type ExportKindName = keyof typeof EXPORT_KINDS;
export const EXPORT_KIND_LIST = Object.keys(EXPORT_KINDS) as [ExportKindName, ...ExportKindName[]];

/** The columns an audience gets, in order. */
export const columnsFor = (kind: ExportKind, audience: Audience, includePii: boolean): ExportColumn[] =>
  kind.columns.filter((c) => c.for.includes(audience) && (!c.pii || (includePii && audience === "admin")));
