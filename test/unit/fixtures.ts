// Plain-data rules for the pure-core tests.
import type { Campaign, Contract } from "../../src/rules/compile";
import { FieldDefsSchema } from "../../src/rules/schemas";

export function contract(over: Partial<Contract> & { id: string }): Contract {
  return {
    buyerId: `buyer_${over.id}`,
    buyerName: `Buyer ${over.id}`,
    campaignId: "cmp",
    name: over.id,
    pingUrl: "http://127.0.0.1:1/ping",
    postUrl: "http://127.0.0.1:1/post",
    protocol: { kind: "native" },
    postSecrets: ["0123456789abcdef0123"],
    pingSecrets: ["0123456789abcdef0123"],
    apiHeaders: {},
    timeoutMs: 300,
    minPingMs: 0,
    pricing: "dynamic",
    fixedPriceCents: null,
    minBidCents: 0,
    bidAdjustBps: 10_000,
    priority: 0,
    filters: [],
    schedule: null,
    timezone: "UTC",
    caps: { hour: null, day: null, month: null, budgetDayCents: null, budgetMonthCents: null },
    fallback: false,
    dedupeKey: `buyer:buyer_${over.id}`,
    dedupeWindowS: 86_400,
    maxBidCents: null,
    breaker: { windowS: 900, minSamples: 20, rejectPct: 80, errorPct: 50, timeoutPct: 50, cooldownS: 300 },
    health: null,
    ...over,
  };
}

export function campaign(over: Partial<Campaign> = {}): Campaign {
  return {
    id: "cmp",
    slug: "cmp",
    name: "cmp",
    status: "active",
    fields: FieldDefsSchema.parse([{ name: "zip", type: "zip", ping: true }]),
    mode: "auction",
    pingTimeoutMs: 500,
    floorCents: 0,
    exclusive: true,
    maxBuyers: 1,
    dedupeWindowS: 0,
    postDeadlineMs: 2000,
    maxFanout: 100,
    requireConsent: false,
    retryMaxAttempts: 3,
    retryBaseDelayS: 30,
    saleWindowS: 3600,
    maxBidCents: null,
    pingsPerMinute: null,
    retentionDays: 1095,
    consentMaxAgeS: 86_400,
    oneToOne: false,
    trustedform: "off",
    verifyHooks: [],
    ...over,
  };
}
