// Issue #28's bench cases, each measured in one run over the same buyers:
// - sale modes: one market of buyers that price an exclusive lead and a shared one differently, sold
//   exclusive, shared (up to three buyers, each bidding its shared price) and by value (each lead
//   whichever pays more); revenue per lead of each.
// - resale: one market sold with returned leads dead (resale off) and resold (resale on); a share of
//   the sales is returned (approved: a credit to the buyer), the cron runs, and the net revenue per lead
//   (sales less credits) of each.
import type { Behaviour } from "../../demo/constants";
import { round1, runLoad } from "./load";

/** Private values: an exclusive price and a shared one (dollars). Shared bids add up past one exclusive bid about half the time. */
export const SALE_MODE_BUYERS = [
  { bid: 40, shared: 12 },
  { bid: 30, shared: 17 },
  { bid: 26, shared: 16 },
  { bid: 22, shared: 14 },
  { bid: 18, shared: 11 },
];
export const RESALE_BUYERS = [30, 25, 20, 16];
/** The share of sales returned (approved at once: `bad_data` is auto-approved by default). */
export const RETURN_SHARE = 0.3;

export function resaleBehaviours(): Record<string, Behaviour> {
  const out: Record<string, Behaviour> = {};
  const common = { pingLatencyMs: 40, postLatencyMs: 40, rejectRate: 0.15 };
  SALE_MODE_BUYERS.forEach((b, i) => {
    // Wide spreads, so which way pays more differs from lead to lead; the same distributions in every
    // mode: exclusive bids ±40% of the bid, shared ones ±20% of it (a mock buyer's shared_bid moves by
    // half its bid's jitter).
    const s = b.bid * 0.2;
    out[`smx${i}`] = { ...common, bid: b.bid, bidSpread: 2 * s };
    out[`sms${i}`] = { ...common, bid: b.shared, bidSpread: s };
    out[`smv${i}`] = { ...common, bid: b.bid, bidSpread: 2 * s, sharedBid: b.shared };
  });
  RESALE_BUYERS.forEach((bid, i) => {
    out[`rs${i}`] = { ...common, bid, bidSpread: 3 };
  });
  return out;
}

export const SALE_MODES = { exclusive: "sale-exclusive", shared: "sale-shared", by_value: "sale-byvalue" } as const;

export function resaleSeed(
  campaign: (id: string) => string,
  contract: (id: string, buyer: string, campaignId: string, mock: string, extra?: Record<string, number>) => string,
): string[] {
  const stmts: string[] = [];
  for (const c of Object.values(SALE_MODES)) stmts.push(campaign(c));
  stmts.push(`UPDATE campaigns SET exclusive = 0, max_buyers = 3 WHERE id IN ('${SALE_MODES.shared}', '${SALE_MODES.by_value}');`);
  stmts.push(`UPDATE campaigns SET sell_by_value = 1 WHERE id = '${SALE_MODES.by_value}';`);
  SALE_MODE_BUYERS.forEach((_, i) => {
    stmts.push(`INSERT INTO buyers (id, name) VALUES ('buy_sm${i}', 'sm${i}');`);
    stmts.push(contract(`ct_smx${i}`, `buy_sm${i}`, SALE_MODES.exclusive, `smx${i}`));
    stmts.push(contract(`ct_sms${i}`, `buy_sm${i}`, SALE_MODES.shared, `sms${i}`));
    stmts.push(contract(`ct_smv${i}`, `buy_sm${i}`, SALE_MODES.by_value, `smv${i}`));
  });
  stmts.push(campaign("resale-off"), campaign("resale-on"));
  stmts.push("UPDATE campaigns SET resell_returns = 1, resale_delay_s = 0 WHERE id = 'resale-on';");
  RESALE_BUYERS.forEach((_, i) => {
    stmts.push(`INSERT INTO buyers (id, name) VALUES ('buy_rs${i}', 'rs${i}');`);
    // Returns allowed without a cap: the share returned is the bench's, not the contract's limit.
    stmts.push(contract(`ct_rsoff${i}`, `buy_rs${i}`, "resale-off", `rs${i}`, { return_cap_bps: 10_000 }));
    stmts.push(contract(`ct_rson${i}`, `buy_rs${i}`, "resale-on", `rs${i}`, { return_cap_bps: 10_000 }));
  });
  return stmts;
}

type Query = <T>(sql: string) => Promise<T[]>;

export interface SaleModesResult {
  leads_per_mode: number;
  /** Dollars per lead offered, and per cent of leads sold. */
  modes: Record<keyof typeof SALE_MODES, { revenue_per_lead: number; sell_through: number; buyers_per_sale: number }>;
  /** How the by-value campaign's leads sold. */
  by_value_split: { exclusive: number; shared: number };
}

export interface ResaleResult {
  leads_per_campaign: number;
  returned_share: number;
  variants: Record<
    "off" | "on",
    { gross_per_lead: number; credits_per_lead: number; net_per_lead: number; resold: number; returned: number }
  >;
  /** Resales sold to the buyer that returned the lead (0 is the promise). */
  to_returner: number;
}

const money = (cents: number, n: number) => round1(cents / 100 / Math.max(1, n)) || 0;

export async function runSaleModes(
  base: string,
  leads: number,
  headers: Record<string, string>,
  lead: (c: string) => Record<string, unknown>,
  query: Query,
): Promise<SaleModesResult> {
  const modes = {} as SaleModesResult["modes"];
  for (const [mode, campaign] of Object.entries(SALE_MODES) as [keyof typeof SALE_MODES, string][]) {
    await runLoad({ url: `${base}/v1/leads`, count: leads, concurrency: 4, body: () => lead(campaign), headers });
    const [row] = await query<{ n: number; sold: number; cents: number; posts: number }>(
      `SELECT COUNT(*) AS n, SUM(status = 'sold') AS sold, SUM(price_cents) AS cents,
              (SELECT COUNT(*) FROM posts p JOIN leads l ON l.id = p.lead_id WHERE l.campaign_id = '${campaign}' AND p.outcome = 'accepted') AS posts
       FROM leads WHERE campaign_id = '${campaign}'`,
    );
    const n = Number(row?.n ?? 0);
    const sold = Number(row?.sold ?? 0);
    modes[mode] = {
      revenue_per_lead: money(Number(row?.cents ?? 0), n),
      sell_through: Math.round((100 * sold) / Math.max(1, n)),
      buyers_per_sale: round1(Number(row?.posts ?? 0) / Math.max(1, sold)),
    };
  }
  const split = await query<{ exclusive: number; n: number }>(
    `SELECT p.exclusive AS exclusive, COUNT(DISTINCT p.lead_id) AS n FROM posts p JOIN leads l ON l.id = p.lead_id
     WHERE l.campaign_id = '${SALE_MODES.by_value}' AND p.outcome = 'accepted' GROUP BY p.exclusive`,
  );
  const of = (x: number) => Number(split.find((s) => Number(s.exclusive) === x)?.n ?? 0);
  return { leads_per_mode: leads, modes, by_value_split: { exclusive: of(1), shared: of(0) } };
}

export async function runResaleMarket(
  base: string,
  leads: number,
  headers: Record<string, string>,
  adminToken: string,
  lead: (c: string) => Record<string, unknown>,
  query: Query,
): Promise<ResaleResult> {
  const admin = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
  for (const campaign of ["resale-off", "resale-on"]) {
    await runLoad({ url: `${base}/v1/leads`, count: leads, concurrency: 4, body: () => lead(campaign), headers });
    // Every sale whose lead falls in the returned share (by its id: the same rule for both campaigns) is returned.
    const sales = await query<{ lead_id: string; contract_id: string }>(
      `SELECT p.lead_id, p.contract_id FROM posts p JOIN leads l ON l.id = p.lead_id WHERE l.campaign_id = '${campaign}' AND p.outcome = 'accepted' ORDER BY p.lead_id`,
    );
    const chosen = sales.filter((_, i) => i % Math.round(1 / RETURN_SHARE) === 0);
    for (const s of chosen) {
      const res = await fetch(`${base}/admin/returns`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ lead_id: s.lead_id, contract_id: s.contract_id, reason: "bad_data" }),
      });
      if (!res.ok) throw new Error(`return refused: ${res.status} ${await res.text()}`);
    }
  }
  // The cron queues the offers that are due (resale_delay_s = 0: all of them); the retry queue runs them.
  for (let i = 0; i < 90; i++) {
    if (i % 10 === 0) await fetch(`${base}/__scheduled?cron=*+*+*+*+*`).catch(() => undefined);
    const [open] = await query<{ n: number }>("SELECT COUNT(*) AS n FROM resales WHERE status IN ('scheduled', 'queued', 'running')");
    if (Number(open?.n ?? 0) === 0 && i > 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const variants = {} as ResaleResult["variants"];
  for (const [key, campaign] of [
    ["off", "resale-off"],
    ["on", "resale-on"],
  ] as const) {
    const [row] = await query<{ n: number; cents: number; credits: number; returned: number; resold: number }>(
      `SELECT COUNT(*) AS n, SUM(price_cents) AS cents,
              (SELECT COALESCE(SUM(r.price_cents), 0) FROM returns r WHERE r.campaign_id = '${campaign}' AND r.status = 'approved') AS credits,
              (SELECT COUNT(*) FROM returns r WHERE r.campaign_id = '${campaign}' AND r.status = 'approved') AS returned,
              (SELECT COUNT(*) FROM resales s WHERE s.campaign_id = '${campaign}' AND s.status = 'sold') AS resold
       FROM leads WHERE campaign_id = '${campaign}'`,
    );
    const n = Number(row?.n ?? 0);
    const gross = Number(row?.cents ?? 0);
    const credits = Number(row?.credits ?? 0);
    variants[key] = {
      gross_per_lead: money(gross, n),
      credits_per_lead: money(credits, n),
      net_per_lead: money(gross - credits, n),
      returned: Number(row?.returned ?? 0),
      resold: Number(row?.resold ?? 0),
    };
  }
  const [bad] = await query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM posts p JOIN resales s ON s.id = p.resale_id JOIN contracts c ON c.id = p.contract_id
     JOIN contracts rc ON rc.id = s.returned_contract_id WHERE p.outcome = 'accepted' AND c.buyer_id = rc.buyer_id`,
  );
  return { leads_per_campaign: leads, returned_share: RETURN_SHARE, variants, to_returner: Number(bad?.n ?? 0) };
}
