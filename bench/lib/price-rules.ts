// Issue #27's bench case: a campaign whose 50 contracts each carry price rules, one of which names a
// 10,000-code ZIP list (uploaded as a value list, compiled into a set once per rules load), measured
// against the same 50 buyers without rules: the gateway's own time (Server-Timing `gateway`) must stay
// within its target, whatever the list's size.
import type { Behaviour } from "../../demo/constants";

export const PRICE_RULE_BUYERS = 50;
export const LIST_CODES = 10_000;

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The list's codes: 10,000 ZIPs none of the bench leads (94107) has, so every contract competes. */
export const benchZipList = (): string[] => Array.from({ length: LIST_CODES }, (_, i) => String(10_000 + i * 5).padStart(5, "0"));

export function priceRuleBehaviours(latencyMs: number): Record<string, Behaviour> {
  const out: Record<string, Behaviour> = {};
  for (let i = 0; i < PRICE_RULE_BUYERS; i++)
    out[`pr${i}`] = { bid: 5 + ((i * 37) % 20), bidSpread: 3, pingLatencyMs: latencyMs, postLatencyMs: latencyMs };
  return out;
}

/** The list, the campaign and its contracts (each: TX at a price, the listed ZIPs refused, homeowners x1.1). */
export function priceRuleSeed(
  campaign: (id: string) => string,
  contract: (id: string, buyer: string, campaignId: string, mock: string, extra?: Record<string, string | number>) => string,
): string[] {
  const codes = benchZipList();
  const rules = JSON.stringify([
    { name: "Texas", when: [{ field: "state", op: "eq", value: "TX" }], price_cents: 2500 },
    { name: "no-go ZIPs", when: [{ field: "zip", op: "in_list", list: "bench_zips" }], refuse: true },
    { name: "homeowners", when: [{ field: "homeowner", op: "eq", value: true }], multiply_bps: 11_000 },
  ]);
  const stmts = [
    `INSERT INTO value_lists (name, kind, "values", count, updated_at) VALUES ('bench_zips', 'zip', ${q(JSON.stringify(codes))}, ${codes.length}, 0);`,
    campaign("pricerules"),
  ];
  for (let i = 0; i < PRICE_RULE_BUYERS; i++) {
    stmts.push(`INSERT INTO buyers (id, name) VALUES ('buy_pr${i}', 'pr${i}');`);
    stmts.push(contract(`ct_pr${i}`, `buy_pr${i}`, "pricerules", `pr${i}`, { cap_day: 1_000_000, price_rules: rules }));
  }
  return stmts;
}
