// "Test this buyer": one contract's ping (and, if asked, its post) sent to the buyer's test URL or its
// real one, with a made-up lead or one the operator supplies, outside any auction — nothing is
// recorded, capped or deduplicated, and the requests say `x-leadgate-test: 1`. The result shows exactly
// what was sent (the buyer's API keys masked, and the sample lead's personal values unless the
// operator supplied the lead) and how leadgate read each answer: bid, token, accepted, reason, or why
// it could not be read. How buyers are onboarded. Works on paused contracts too.
import { send, signedRequest, type OutboundRequest } from "../buyers/http";
import { buildPing, buildPost, readPing, readPost } from "../buyers/protocol";
import type { ContractRow } from "../db/schema";
import { parseLead, type LeadData } from "../lead/fields";
import { pingSafeLead } from "../lead/ping-safe";
import { personalValues, sampleLead } from "../lead/sample";
import { Refusal } from "../lib/errors";
import { newId } from "../lib/ids";
import { compileCampaign, compileContract } from "../rules/compile";
import type { Campaign, Contract } from "../rules/model";
import type { Services } from "../services";

export interface BuyerTest {
  target: "test" | "live";
  post: boolean;
  /** The operator's own test lead (as a source would send it); null: a made-up one. */
  lead: Record<string, unknown> | null;
}

export interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Step {
  sent: Sent;
  answer: { status: number | null; content_type: string | null; body: string | null; latency_ms: number; error: string | null };
  /** How leadgate read the answer: a bid (cents, token), accepted (buyer's lead id), or why not. */
  read: { outcome: string; bid_cents?: number; token?: string | null; buyer_lead_id?: string | null; reason?: string };
}

export interface BuyerTestResult {
  contract: string;
  target: "test" | "live";
  lead_supplied: boolean;
  ping: Step | null;
  post: Step | null;
  /** Why a step was not taken (a fixed-price contract is never pinged; no bid, no post). */
  notes: string[];
}

const TEST_HEADER = "x-leadgate-test";
const MASK = "•••";

/** The contract as the gateway would use it, paused or not, or a 422 saying what is wrong with it. */
function compiled(
  row: ContractRow,
  rows: Awaited<ReturnType<Services["records"]["ruleEdits"]["allRows"]>>,
): { contract: Contract; campaign: Campaign } {
  const problems: { column: string; message: string }[] = [];
  const campaignRow = rows.campaigns.find((c) => c.id === row.campaignId);
  const campaign = campaignRow ? compileCampaign(campaignRow, []) : undefined;
  const buyer = rows.buyers.find((b) => b.id === row.buyerId);
  const contract = compileContract(row, { buyer, campaignRow, campaign }, problems as never);
  if (!contract || !campaign)
    throw new Refusal(
      422,
      "validation_failed",
      "the contract does not validate: fix it before testing the buyer",
      problems.map((p) => ({ path: p.column, message: p.message })),
    );
  return { contract, campaign };
}

function shown(req: OutboundRequest, contract: Contract, mask: string[]): Sent {
  const secretHeaders = new Set(Object.keys(contract.apiHeaders).map((h) => h.toLowerCase()));
  const hide = (text: string) => mask.reduce((t, v) => t.split(v).join(MASK), text);
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, secretHeaders.has(k.toLowerCase()) ? "(set)" : v]));
  return { method: req.method, url: hide(req.url), headers, body: hide(req.body) };
}

async function exchange(
  req: OutboundRequest,
): Promise<{ answer: Step["answer"]; status: number; body: string } | { answer: Step["answer"]; status: null; body: null }> {
  const ex = await send(req);
  if (!ex.ok)
    return {
      answer: { status: ex.status, content_type: null, body: null, latency_ms: ex.latencyMs, error: `${ex.kind}: ${ex.reason}` },
      status: null,
      body: null,
    };
  const body = ex.body.slice(0, 4096);
  return {
    answer: { status: ex.status, content_type: ex.contentType, body, latency_ms: ex.latencyMs, error: null },
    status: ex.status,
    body: ex.body,
  };
}

function testLead(campaign: Campaign, supplied: Record<string, unknown> | null, now: Date): LeadData {
  const parsed = parseLead(campaign.fields, supplied ?? sampleLead(campaign.fields, now), () => now);
  if (!parsed.ok)
    throw new Refusal(
      422,
      "validation_failed",
      supplied ? "the test lead is not valid for the campaign" : "no valid sample lead for this campaign's fields: supply one",
      parsed.errors.map((e) => ({ path: `lead.${e.path}`, message: e.message })),
    );
  return parsed.lead;
}

interface Context {
  contract: Contract;
  campaign: Campaign;
  lead: LeadData;
  ids: { leadId: string; pingId: string };
  mask: string[];
  now: Date;
}

const marked = <T extends { headers: Record<string, string> }>(wire: T): T => ({
  ...wire,
  headers: { ...wire.headers, [TEST_HEADER]: "1" },
});

async function pingStep(x: Context, url: string): Promise<{ step: Step; bid: { cents: number; token: string | null } | null }> {
  const { contract, campaign } = x;
  const wire = buildPing(contract, {
    pingId: x.ids.pingId,
    campaign: campaign.slug,
    leadId: x.ids.leadId,
    lead: pingSafeLead(campaign.fields, x.lead),
    tmaxMs: contract.timeoutMs,
  });
  const req = await signedRequest(
    url,
    marked(wire),
    { secrets: contract.pingSecrets, v1: contract.signatureV1 },
    contract.timeoutMs,
    x.now.getTime(),
  );
  const ex = await exchange(req);
  const read =
    ex.status === null
      ? { kind: "error" as const, reason: ex.answer.error ?? "" }
      : readPing(contract, { status: ex.status, body: ex.body });
  const step = {
    sent: shown(req, contract, x.mask),
    answer: ex.answer,
    read:
      read.kind === "bid" ? { outcome: "bid", bid_cents: read.bidCents, token: read.token } : { outcome: read.kind, reason: read.reason },
  };
  return { step, bid: read.kind === "bid" ? { cents: read.bidCents, token: read.token } : null };
}

async function postStep(x: Context, url: string, bid: { cents: number; token: string | null }): Promise<Step> {
  const { contract, campaign } = x;
  const wire = buildPost(contract, {
    pingId: x.ids.pingId,
    bidToken: bid.token,
    priceCents: bid.cents,
    campaign: campaign.slug,
    leadId: x.ids.leadId,
    lead: x.lead,
    consent: null,
    retentionDays: campaign.retentionDays,
  });
  const req = await signedRequest(
    url,
    marked(wire),
    { secrets: contract.postSecrets, v1: contract.signatureV1 },
    contract.postTimeoutMs,
    x.now.getTime(),
  );
  const ex = await exchange(req);
  const read =
    ex.status === null
      ? { kind: "error" as const, reason: ex.answer.error ?? "" }
      : readPost(contract, { status: ex.status, body: ex.body });
  return {
    sent: shown(req, contract, x.mask),
    answer: ex.answer,
    read: read.kind === "accepted" ? { outcome: "accepted", buyer_lead_id: read.buyerLeadId } : { outcome: read.kind, reason: read.reason },
  };
}

export async function testBuyer(svc: Services, contractId: string, t: BuyerTest, now = new Date()): Promise<BuyerTestResult> {
  const rows = await svc.records.ruleEdits.allRows();
  const row = rows.contracts.find((c) => c.id === contractId);
  if (!row) throw new Refusal(404, "not_found", `no contract ${contractId}`);
  const { contract, campaign } = compiled(row, rows);
  const pingUrl = t.target === "test" ? row.testPingUrl : contract.pingUrl;
  const postUrl = t.target === "test" ? row.testPostUrl : contract.postUrl;
  if (t.target === "test" && !(contract.pricing === "fixed" ? postUrl : pingUrl))
    throw new Refusal(422, "validation_failed", "the contract has no test URL", [
      { path: "test_ping_url", message: "set the buyer's sandbox URL, or test against the live URL" },
    ]);
  const lead = testLead(campaign, t.lead, now);
  const x: Context = {
    contract,
    campaign,
    lead,
    now,
    mask: t.lead ? [] : personalValues(campaign.fields, lead),
    ids: { leadId: `test_${newId("ld").slice(3)}`, pingId: newId("pg") },
  };
  const result: BuyerTestResult = {
    contract: contractId,
    target: t.target,
    lead_supplied: t.lead !== null,
    ping: null,
    post: null,
    notes: [],
  };
  let bid: { cents: number; token: string | null } | null =
    contract.pricing === "fixed" ? { cents: contract.fixedPriceCents ?? 0, token: null } : null;
  if (contract.pricing === "fixed")
    result.notes.push(`a fixed-price contract is never pinged: its post goes at ${contract.fixedPriceCents ?? 0} cents`);
  else if (pingUrl) ({ step: result.ping, bid } = await pingStep(x, pingUrl));
  if (!t.post) return result;
  if (!bid || !postUrl) result.notes.push("no post: the ping did not bid");
  else result.post = await postStep(x, postUrl, bid);
  return result;
}
