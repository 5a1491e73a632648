// What must hold over the records whatever happened: checked after the soak (`npm run soak`) and by
// the short soak in `npm test`. Each check is one SQL query returning the violating rows; the runner
// is given a query function so it works on D1 inside workerd and through `wrangler d1 execute` alike.

export interface InvariantCheck {
  name: string;
  description: string;
  sql: string;
}

export const INVARIANTS: InvariantCheck[] = [
  {
    name: "final_state",
    description: "every accepted lead has a final state",
    sql: `SELECT id, status FROM leads WHERE status NOT IN ('sold','unsold','duplicate','rejected','erased')`,
  },
  {
    name: "caps",
    description: "no contract sold more than its daily cap (UTC days; soak buyers use UTC)",
    sql: `SELECT p.contract_id, date(p.created_at / 1000, 'unixepoch') AS day, COUNT(*) AS sold, c.cap_day
          FROM posts p JOIN contracts c ON c.id = p.contract_id
          WHERE p.outcome = 'accepted' AND c.cap_day IS NOT NULL
          GROUP BY p.contract_id, day HAVING COUNT(*) > c.cap_day`,
  },
  {
    name: "buyer_dedupe",
    description: "no buyer was sent the same consumer (phone or email) twice, whatever it answered",
    sql: `SELECT c.buyer_id, l.phone_hash, COUNT(*) AS n FROM posts p
          JOIN leads l ON l.id = p.lead_id JOIN contracts c ON c.id = p.contract_id JOIN buyers b ON b.id = c.buyer_id
          WHERE p.outcome IN ('accepted','rejected','error','timeout') AND l.phone_hash IS NOT NULL AND b.dedupe_window_s > 0
          GROUP BY c.buyer_id, l.phone_hash HAVING COUNT(*) > 1
          UNION ALL
          SELECT c.buyer_id, l.email_hash, COUNT(*) AS n FROM posts p
          JOIN leads l ON l.id = p.lead_id JOIN contracts c ON c.id = p.contract_id JOIN buyers b ON b.id = c.buyer_id
          WHERE p.outcome IN ('accepted','rejected','error','timeout') AND l.email_hash IS NOT NULL AND b.dedupe_window_s > 0
          GROUP BY c.buyer_id, l.email_hash HAVING COUNT(*) > 1`,
  },
  {
    name: "full_lead_once",
    description: "no contract received the full lead twice",
    sql: `SELECT lead_id, contract_id, COUNT(*) AS n FROM posts WHERE outcome IN ('accepted','rejected','error','timeout')
          GROUP BY lead_id, contract_id HAVING COUNT(*) > 1`,
  },
  {
    name: "exclusive_once",
    description: "no exclusive lead sold twice in its first sale (a resale is a sale of its own)",
    sql: `SELECT p.lead_id, COUNT(*) AS sales FROM posts p JOIN leads l ON l.id = p.lead_id JOIN campaigns c ON c.id = l.campaign_id
          WHERE p.outcome = 'accepted' AND p.resale_id IS NULL AND c.exclusive = 1 GROUP BY p.lead_id HAVING COUNT(*) > 1`,
  },
  {
    name: "exclusive_sale_alone",
    description: "a lead sold exclusively (by its campaign, or by value) had no other buyer in that sale",
    sql: `SELECT lead_id, COUNT(*) AS sales FROM posts WHERE outcome = 'accepted' AND resale_id IS NULL
          GROUP BY lead_id HAVING MAX(exclusive) = 1 AND COUNT(*) > 1`,
  },
  {
    name: "resale_not_to_returner",
    description: "a returned lead's resale never sent it to the buyer that returned it",
    sql: `SELECT p.id, p.lead_id, p.contract_id FROM posts p JOIN resales r ON r.id = p.resale_id
          JOIN contracts c ON c.id = p.contract_id JOIN contracts rc ON rc.id = r.returned_contract_id
          WHERE p.outcome IN ('accepted','rejected','error','timeout') AND c.buyer_id = rc.buyer_id`,
  },
  {
    name: "resale_age",
    description: "no lead was resold past its campaign's resale_max_age_days",
    sql: `SELECT p.id, p.lead_id FROM posts p JOIN leads l ON l.id = p.lead_id JOIN campaigns c ON c.id = l.campaign_id
          WHERE p.resale_id IS NOT NULL AND p.outcome IN ('accepted','rejected','error','timeout')
            AND p.created_at - l.created_at > c.resale_max_age_days * 86400000`,
  },
  {
    name: "resale_money",
    description: "a resale's price, payout and margin are the sums of its accepted posts",
    sql: `SELECT r.id, r.price_cents, COALESCE(SUM(p.price_cents), 0) AS sales FROM resales r
          LEFT JOIN posts p ON p.resale_id = r.id AND p.outcome = 'accepted'
          WHERE r.status IN ('sold', 'unsold') GROUP BY r.id
          HAVING r.price_cents != COALESCE(SUM(p.price_cents), 0) OR r.payout_cents != COALESCE(SUM(p.payout_cents), 0)
             OR r.price_cents != r.payout_cents + r.margin_cents`,
  },
  {
    name: "money",
    description: "buyer price = payout + margin, and a lead's price is the sum of its sales",
    sql: `SELECT l.id, l.price_cents, l.payout_cents, l.margin_cents, COALESCE(SUM(p.price_cents), 0) AS sales
          FROM leads l LEFT JOIN posts p ON p.lead_id = l.id AND p.outcome = 'accepted'
          GROUP BY l.id
          HAVING l.price_cents != l.payout_cents + l.margin_cents OR l.price_cents != COALESCE(SUM(p.price_cents), 0)
             OR l.payout_cents < 0 OR l.margin_cents < 0`,
  },
  {
    name: "returns_of_sales",
    description: "every return is of a lead its contract bought, credits at most its price and claws back at most its payout",
    sql: `SELECT r.id FROM returns r LEFT JOIN posts p ON p.lead_id = r.lead_id AND p.contract_id = r.contract_id AND p.outcome = 'accepted'
          WHERE p.id IS NULL OR r.price_cents > p.price_cents OR r.clawback_cents > p.payout_cents OR r.clawback_cents < 0`,
  },
  {
    name: "sold_means_sale",
    description: "a sold lead has an accepted post, and only a sold lead (or one erased while its round sold) has one",
    sql: `SELECT l.id, l.status FROM leads l
          WHERE l.status != 'erased'
            AND (l.status = 'sold') != EXISTS (SELECT 1 FROM posts p WHERE p.lead_id = l.id AND p.outcome = 'accepted')`,
  },
  {
    name: "no_redacted_post",
    description: "no lead was posted after it was redacted (a post row is stamped when its round made it)",
    sql: `SELECT p.id, p.lead_id, p.created_at, l.redacted_at FROM posts p JOIN leads l ON l.id = p.lead_id
          WHERE l.redacted_at IS NOT NULL AND p.created_at > l.redacted_at`,
  },
  {
    name: "ledger_zero",
    description: "every ledger entry's legs sum to zero, so all accounts do",
    sql: `SELECT entry_key, SUM(amount_cents) AS sum FROM ledger_entries GROUP BY entry_key HAVING SUM(amount_cents) != 0
          UNION ALL
          SELECT 'all accounts', SUM(amount_cents) FROM ledger_entries HAVING COALESCE(SUM(amount_cents), 0) != 0`,
  },
  {
    name: "ledger_sales",
    description: "the ledger books every sale the records have, at its price and payout, and no other",
    sql: `SELECT p.id, p.lead_id, p.contract_id, p.price_cents, p.payout_cents FROM posts p JOIN contracts c ON c.id = p.contract_id
          WHERE p.outcome = 'accepted' AND p.price_cents > 0 AND (
            COALESCE((SELECT amount_cents FROM ledger_entries WHERE entry_key = 'sale:' || p.lead_id || ':' || p.contract_id AND account = 'buyer:' || c.buyer_id), 0) != -p.price_cents
            OR COALESCE((SELECT SUM(amount_cents) FROM ledger_entries WHERE entry_key = 'sale:' || p.lead_id || ':' || p.contract_id AND account LIKE 'source:%'), 0) != p.payout_cents)
          UNION ALL
          SELECT e.entry_key, e.lead_id, e.contract_id, -e.amount_cents, NULL FROM ledger_entries e
          WHERE e.kind = 'sale' AND e.account LIKE 'buyer:%'
            AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.lead_id = e.lead_id AND p.contract_id = e.contract_id AND p.outcome = 'accepted')`,
  },
  {
    name: "ledger_returns",
    description: "the ledger books every approved return: the buyer's credit and the source's clawback",
    sql: `SELECT r.id, r.price_cents, r.clawback_cents FROM returns r JOIN contracts c ON c.id = r.contract_id
          WHERE r.status = 'approved' AND (
            COALESCE((SELECT amount_cents FROM ledger_entries WHERE entry_key = 'return:' || r.lead_id || ':' || r.contract_id AND account = 'buyer:' || c.buyer_id), 0) != r.price_cents
            OR COALESCE((SELECT SUM(amount_cents) FROM ledger_entries WHERE entry_key = 'return:' || r.lead_id || ':' || r.contract_id AND account LIKE 'source:%'), 0) != -r.clawback_cents)
          UNION ALL
          SELECT e.entry_key, e.amount_cents, NULL FROM ledger_entries e
          WHERE e.kind = 'return' AND e.account LIKE 'buyer:%'
            AND NOT EXISTS (SELECT 1 FROM returns r WHERE r.lead_id = e.lead_id AND r.contract_id = e.contract_id AND r.status = 'approved')`,
  },
  {
    name: "wallet_floor",
    description: "no sale took a prepaid buyer below zero or a credit buyer past its limit (in booking order, since its billing was set)",
    sql: `SELECT r.account, r.entry_key, r.running, b.billing, b.credit_limit_cents FROM (
            SELECT account, entry_key, kind, at, SUM(amount_cents) OVER (PARTITION BY account ORDER BY id) AS running
            FROM ledger_entries WHERE account LIKE 'buyer:%') AS r
          JOIN buyers b ON r.account = 'buyer:' || b.id
          WHERE r.kind = 'sale' AND b.billing != 'none' AND r.at >= b.billing_since
            AND r.running < CASE WHEN b.billing = 'credit' THEN -b.credit_limit_cents ELSE 0 END`,
  },
];

export interface InvariantResult {
  name: string;
  description: string;
  ok: boolean;
  violations: number;
  sample: Record<string, unknown>[];
}

export async function checkInvariants(query: (sql: string) => Promise<Record<string, unknown>[]>): Promise<InvariantResult[]> {
  const out: InvariantResult[] = [];
  for (const c of INVARIANTS) {
    const rows = await query(c.sql);
    out.push({ name: c.name, description: c.description, ok: rows.length === 0, violations: rows.length, sample: rows.slice(0, 3) });
  }
  return out;
}

export function formatInvariants(results: InvariantResult[]): string {
  return results
    .map(
      (r) =>
        `${r.ok ? "PASS" : "FAIL"}  ${r.name.padEnd(16)} ${r.description}${r.ok ? "" : ` — ${r.violations} violation(s), e.g. ${JSON.stringify(r.sample[0])}`}`,
    )
    .join("\n");
}
