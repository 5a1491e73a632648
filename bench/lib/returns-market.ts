// The returns market (issue #15): leads sold by one campaign whose experiment ranks half of them by
// raw bid and half by bid x quality score; buyers return their purchases at their own rates (filed
// for real, signed, through POST /v1/returns). A history phase builds the buyers' records, the cron
// computes the quality scores, then a measured phase compares net revenue per lead (after returns).
import { signLeadgateCallback } from "../../docs/examples/verify-signature";
import { hash32 } from "../../src/lib/strings";
import { round1, runLoad } from "./load";
import { BENCH_SECRET, RETURNS_MARKET, benchLead } from "./seed";

export interface ReturnsMarketResult {
  leads_per_phase: number;
  variants: Record<
    string,
    { leads: number; gross_per_lead: number; returned_per_lead: number; net_per_lead: number; buyers: Record<string, number> }
  >;
  quality_scores: Record<string, number>;
}

const returnsOf = (leadId: string, buyer: string) => {
  const i = Number(buyer.replace("qr", ""));
  return (hash32(`return:${leadId}`) % 1000) / 1000 < (RETURNS_MARKET[i]?.returnRate ?? 0);
};

async function fileReturn(base: string, leadId: string, buyer: string): Promise<void> {
  const body = JSON.stringify({ lead_id: leadId, reason: "bad_data" });
  const url = `${base}/v1/returns`;
  const headers = {
    "content-type": "application/json",
    "x-leadgate-contract": `ct_${buyer}`,
    ...(await signLeadgateCallback(BENCH_SECRET, { method: "POST", pathAndQuery: "/v1/returns", rawBody: body })),
  };
  const res = await fetch(url, { method: "POST", headers, body });
  if (res.status !== 200) throw new Error(`return refused: ${res.status} ${await res.text()}`);
}

/** Sells `count` leads, files the returns, and says what each lead earned and returned. */
async function phase(base: string, count: number, headers: Record<string, string>) {
  const { samples } = await runLoad({ url: `${base}/v1/leads`, count, concurrency: 4, body: () => benchLead("market-returns"), headers });
  const sales: { leadId: string; buyer: string; cents: number; returned: boolean }[] = [];
  for (const s of samples) {
    const leadId = String(s.body.lead_id ?? "");
    const buyer = typeof s.body.buyer === "string" ? s.body.buyer : null;
    const cents = Math.round(Number(s.body.price ?? 0) * 100);
    const returned = buyer !== null && returnsOf(leadId, buyer);
    if (returned) await fileReturn(base, leadId, buyer);
    sales.push({ leadId, buyer: buyer ?? "(unsold)", cents, returned });
  }
  return sales;
}

export async function runReturnsMarket(
  base: string,
  count: number,
  headers: Record<string, string>,
  variantsOf: (ids: string[]) => Promise<Map<string, string>>,
  afterHistory: () => Promise<Record<string, number>>,
): Promise<ReturnsMarketResult> {
  await phase(base, count, headers); // history: scores are neutral, both variants rank alike
  const scores = await afterHistory();
  const sales = await phase(base, count, headers);
  const variant = await variantsOf(sales.map((s) => s.leadId));
  const variants: ReturnsMarketResult["variants"] = {};
  for (const name of ["raw", "quality"]) {
    const mine = sales.filter((s) => variant.get(s.leadId) === name);
    const gross = mine.reduce((a, s) => a + s.cents, 0);
    const returned = mine.filter((s) => s.returned).reduce((a, s) => a + s.cents, 0);
    const per = (c: number) => (mine.length ? Math.round(c / mine.length) / 100 : 0);
    const buyers: Record<string, number> = {};
    for (const s of mine) buyers[s.buyer] = (buyers[s.buyer] ?? 0) + 1;
    variants[name] = {
      leads: mine.length,
      gross_per_lead: per(gross),
      returned_per_lead: per(returned),
      net_per_lead: per(gross - returned),
      buyers,
    };
  }
  return {
    leads_per_phase: count,
    variants,
    quality_scores: Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, round1(v / 100) / 100])),
  };
}
