// The capacity model (issue #30), measured: the gateway runs with METER_STORAGE=1, which tallies every
// D1 and Durable Object call by binding, method and object (src/services/tally.ts). Each kind of lead
// is sent alone — a live lead sold through the auction, a publisher's ping then post, a lead that waits
// for a retry round — and its calls per lead are read back from /admin/meter, with the object each
// binding leaned on hardest. docs/PERFORMANCE.md turns them into ceilings.
import type { Behaviour } from "../../demo/constants";
import { runLoad } from "./load";

export const CAPACITY_ADMIN = "bench-admin-token-0123456789abcdef0123";

interface Tally {
  methods: Record<string, number>;
  busiest: Record<string, [string, number][]>;
  objects: Record<string, number>;
}

export interface KindTally {
  leads: number;
  /** `<binding>.<method>` → calls per lead. */
  per_lead: Record<string, number>;
  /** Per binding: calls per lead to its busiest object, which object, and how many objects were used. */
  busiest: Record<string, { object: string; per_lead: number; objects: number }>;
}

export type CapacityResult = Record<"live" | "seller" | "retry", KindTally>;

/** The retry market: the live round finds no bid; a fallback contract buys in the retry round. */
export function capacityBehaviours(): Record<string, Behaviour> {
  return {
    crlive: { ping: "no_bid_204" },
    crfall: { bid: 14, pingLatencyMs: 30, postLatencyMs: 30 },
    // The burst's caps: a daily cap of 20 and an hourly cap of 7, both rejecting some posts.
    cf0: { bid: 30, pingLatencyMs: 40, postLatencyMs: 40, rejectRate: 0.3 },
    cf1: { bid: 25, pingLatencyMs: 40, postLatencyMs: 40, rejectRate: 0.3 },
    cf2: { bid: 15, pingLatencyMs: 40, postLatencyMs: 40 },
  };
}

export const CAPFILL = { day: 20, hour: 7 };

export function capacitySeed(
  campaign: (id: string) => string,
  contract: (id: string, buyer: string, campaignId: string, mock: string, extra?: Record<string, number>) => string,
): string[] {
  return [
    campaign("capacity-retry"),
    "UPDATE campaigns SET retry_max_attempts = 1, retry_base_delay_s = 1 WHERE id = 'capacity-retry';",
    "INSERT INTO buyers (id, name) VALUES ('buy_crlive', 'crlive'), ('buy_crfall', 'crfall');",
    contract("ct_crlive", "buy_crlive", "capacity-retry", "crlive"),
    contract("ct_crfall", "buy_crfall", "capacity-retry", "crfall", { fallback: 1 }),
    campaign("capfill"),
    "INSERT INTO buyers (id, name) VALUES ('buy_cf0', 'cf0'), ('buy_cf1', 'cf1'), ('buy_cf2', 'cf2');",
    contract("ct_cf0", "buy_cf0", "capfill", "cf0", { cap_day: CAPFILL.day }),
    contract("ct_cf1", "buy_cf1", "capfill", "cf1", { cap_hour: CAPFILL.hour }),
    contract("ct_cf2", "buy_cf2", "capfill", "cf2"),
  ];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function perLead(t: Tally, leads: number): KindTally {
  const per_lead = Object.fromEntries(Object.entries(t.methods).map(([k, n]) => [k, round2(n / leads)]));
  const busiest = Object.fromEntries(
    Object.entries(t.busiest).map(([binding, top]) => [
      binding,
      { object: top[0]![0], per_lead: round2(top[0]![1] / leads), objects: t.objects[binding] ?? 0 },
    ]),
  );
  return { leads, per_lead, busiest };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A ping-safe subset of a bench lead (what a publisher pings with). */
const pingOf = (lead: Record<string, unknown>) => {
  const { campaign, zip, state, homeowner, vehicle_year, credit } = lead;
  return { campaign, zip, state, homeowner, vehicle_year, credit };
};

export async function runCapacity(
  base: string,
  leads: number,
  headers: Record<string, string>,
  lead: (campaign: string) => Record<string, unknown>,
  pendingLeft: (campaign: string) => Promise<number>,
): Promise<CapacityResult> {
  const admin = { authorization: `Bearer ${CAPACITY_ADMIN}` };
  const reset = () => fetch(`${base}/admin/meter`, { method: "DELETE", headers: admin });
  const read = async () => (await (await fetch(`${base}/admin/meter`, { headers: admin })).json()) as Tally;
  // Deferred writes (records, cap commits, hold settlements) finish after the answers: let them.
  const settle = () => sleep(3000);

  await reset();
  await runLoad({ url: `${base}/v1/leads`, count: leads, concurrency: 4, body: () => lead("market-auction"), headers });
  await settle();
  const live = perLead(await read(), leads);

  await reset();
  for (let i = 0; i < leads; i++) {
    const full = lead("market-auction");
    const ping = await fetch(`${base}/v1/pings`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(pingOf(full)),
    });
    const { ping_id } = (await ping.json()) as { ping_id?: string };
    if (ping_id)
      await fetch(`${base}/v1/posts`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ ...full, ping_id }),
      }).then((r) => r.body?.cancel());
  }
  await settle();
  const seller = perLead(await read(), leads);

  await reset();
  await runLoad({ url: `${base}/v1/leads`, count: leads, concurrency: 4, body: () => lead("capacity-retry"), headers });
  for (let i = 0; i < 60 && (await pendingLeft("capacity-retry")) > 0; i++) await sleep(1000);
  await settle();
  const retry = perLead(await read(), leads);

  return { live, seller, retry };
}
