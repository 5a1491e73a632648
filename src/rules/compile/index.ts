// Turns raw D1 rows into validated, ready-to-use rules. Pure: the loader (src/rules/cache.ts) and
// `npm run rules:check` both call it. A row that fails validation is left out with a problem that
// names it; everything else keeps working. One compiler per table (./campaign.ts, ./source.ts,
// ./contract.ts); this file indexes what they accept.
import { personalLookingPingFields, unconfirmedTextPingFields } from "../../lead/ping-safe";
import type { Campaign, Contract, Experiment, RuleProblem, RuleRows, Rules } from "../model";
import { VariantsSchema } from "../schemas";
import { compileCampaign } from "./campaign";
import { compileContract } from "./contract";
import { compileLists } from "./pricing";
import { templateWarnings } from "./templates";
import { parseJson, type Problems } from "./shared";
import { compileSource } from "./source";

export { isDeployableUrl, MAX_PING_TIMEOUT_MS, MAX_POST_DEADLINE_MS, MIN_POSTBACK_SECRET } from "./shared";
export { compileCampaign, compileContract, compileSource };

function emptyRules(problems: Problems): Rules {
  return {
    campaignsBySlug: new Map(),
    campaignsById: new Map(),
    sourcesByKeyHash: new Map(),
    sourcesByPublishableKey: new Map(),
    sourcesByReportKeyHash: new Map(),
    sourcesById: new Map(),
    contractsByCampaign: new Map(),
    contractsById: new Map(),
    problems,
    warnings: [],
    brokenCampaigns: new Map(),
    listUsers: new Map(),
    experimentsByCampaign: new Map(),
    experimentsById: new Map(),
  };
}

/** Ping fields an admin should look at again: ones whose names look personal, and text not confirmed as non-personal. */
function pingFieldWarnings(id: string, fields: Campaign["fields"]): RuleProblem[] {
  const unconfirmed = new Set(unconfirmedTextPingFields(fields));
  const looksPersonal = personalLookingPingFields(fields);
  const warn = (message: string): RuleProblem => ({ table: "campaigns", id, column: "fields", message });
  const out = looksPersonal.map((name) =>
    warn(
      unconfirmed.has(name)
        ? `field "${name}" looks like personal data and is text without "pii": false: it is not pinged (set "pii": false to ping it)`
        : `ping-safe field "${name}" looks like personal data: buyers see it in every ping`,
    ),
  );
  for (const name of unconfirmed)
    if (!looksPersonal.includes(name))
      out.push(
        warn(
          `text field "${name}" is marked ping but not "pii": false: text is personal data unless an admin says otherwise, so it is not pinged`,
        ),
      );
  return out;
}

function indexCampaigns(rules: Rules, rows: RuleRows["campaigns"]): void {
  const { problems } = rules;
  for (const row of rows) {
    const before = problems.length;
    const campaign = compileCampaign(row, problems);
    if (!campaign && row.status === "active") rules.brokenCampaigns.set(row.slug, problems.slice(before));
    if (campaign) rules.warnings.push(...pingFieldWarnings(row.id, campaign.fields));
    if (!campaign || row.status !== "active") continue;
    rules.campaignsBySlug.set(campaign.slug, campaign);
    rules.campaignsById.set(campaign.id, campaign);
  }
}

function indexSources(rules: Rules, rows: RuleRows["sources"]): void {
  const { problems } = rules;
  for (const row of rows) {
    const source = compileSource(row, problems);
    if (!source || row.status !== "active") continue;
    rules.sourcesById.set(source.id, source);
    // Two keys may be active at once while a publisher rotates; a key names exactly one source.
    for (const hash of [source.apiKeyHash, source.apiKeyHashNext]) {
      if (!hash) continue;
      const taken = rules.sourcesByKeyHash.get(hash);
      if (taken && taken.id !== source.id)
        problems.push({ table: "sources", id: source.id, column: "api_key_hash_next", message: `the same key as source ${taken.id}` });
      else rules.sourcesByKeyHash.set(hash, source);
    }
    if (source.publishableKey) rules.sourcesByPublishableKey.set(source.publishableKey, source);
    if (source.reportKeyHash) rules.sourcesByReportKeyHash.set(source.reportKeyHash, source);
    // Sources made before Turnstile existed were migrated with it off, so live forms kept working:
    // say so until an admin turns it on, rather than let them run without a bot check unnoticed.
    if (source.publishableKey && !source.turnstile)
      rules.warnings.push({
        table: "sources",
        id: source.id,
        column: "turnstile",
        message: "a browser source without Turnstile: anyone can post its form from a script (set turnstile = 1)",
      });
  }
}

/**
 * A reporting key is a login, so it must name one source and be no source's API key (which posts
 * leads): such a source keeps working, without its reporting key.
 */
function checkReportKeys(rules: Rules): void {
  for (const [hash, source] of rules.sourcesByReportKeyHash) {
    const api = rules.sourcesByKeyHash.get(hash);
    if (!api) continue;
    rules.sourcesByReportKeyHash.delete(hash);
    rules.problems.push({
      table: "sources",
      id: source.id,
      column: "report_key_hash",
      message: api.id === source.id ? "must not be one of the source's API keys" : `the same key as source ${api.id}'s API key`,
    });
  }
}

/** Which contracts name which value lists (a list in use is not deleted). */
function noteListUsers(rules: Rules, contract: Contract): void {
  const named = contract.filters.concat(contract.priceRules.flatMap((r) => r.when));
  for (const f of named)
    if (f.op === "in_list" || f.op === "not_in_list") {
      const users = rules.listUsers.get(f.list) ?? [];
      if (!users.includes(contract.id)) users.push(contract.id);
      rules.listUsers.set(f.list, users);
    }
}

function indexContracts(rules: Rules, rows: RuleRows): void {
  const lists = compileLists(rows.lists ?? [], rules.problems);
  const buyers = new Map(rows.buyers.map((b) => [b.id, b]));
  const campaignRows = new Map(rows.campaigns.map((c) => [c.id, c]));
  const health = new Map((rows.health ?? []).map((h) => [h.contractId, h]));
  const quality = new Map((rows.quality ?? []).map((q) => [q.contractId, q]));
  for (const row of rows.contracts) {
    const buyer = buyers.get(row.buyerId);
    const campaign = rules.campaignsById.get(row.campaignId);
    const ctx = {
      buyer,
      campaignRow: campaignRows.get(row.campaignId),
      campaign,
      health: health.get(row.id),
      quality: quality.get(row.id),
      lists,
    };
    const contract = compileContract(row, ctx, rules.problems);
    if (contract) noteListUsers(rules, contract);
    if (contract && campaign) rules.warnings.push(...templateWarnings(contract.id, contract.protocol, campaign));
    // Deprecated, and weaker (no method, path or direction): say so until the buyer verifies v3.
    if (contract?.signatureV1)
      rules.warnings.push({
        table: "contracts",
        id: row.id,
        column: "signature_v1",
        message: "requests also carry the deprecated v1 signature (timestamp and body only): turn it off once the buyer verifies v3",
      });
    if (!contract || row.status !== "active" || buyer?.status !== "active" || !campaign) continue;
    rules.contractsById.set(contract.id, contract);
    const list = rules.contractsByCampaign.get(contract.campaignId) ?? [];
    list.push(contract);
    rules.contractsByCampaign.set(contract.campaignId, list);
  }
}

function indexExperiments(rules: Rules, rows: RuleRows["experiments"]): void {
  const { problems } = rules;
  for (const row of [...(rows ?? [])].sort((a, b) => a.startedAt - b.startedAt)) {
    const variants = parseJson(row.variants, VariantsSchema, { table: "experiments", id: row.id, column: "variants" }, problems);
    if (!variants) continue;
    const e: Experiment = {
      id: row.id,
      campaignId: row.campaignId,
      name: row.name,
      status: row.status,
      variants,
      startedAt: row.startedAt,
    };
    rules.experimentsById.set(e.id, e);
    if (e.status !== "running") continue;
    const running = rules.experimentsByCampaign.get(e.campaignId);
    if (running)
      problems.push({
        table: "experiments",
        id: e.id,
        column: "status",
        message: `campaign ${e.campaignId} already runs experiment ${running.id}`,
      });
    else rules.experimentsByCampaign.set(e.campaignId, e);
  }
}

/** Every row checked; the active, valid ones indexed for the gateway. */
export function compileRules(rows: RuleRows): Rules {
  const rules = emptyRules([]);
  indexCampaigns(rules, rows.campaigns);
  indexSources(rules, rows.sources);
  checkReportKeys(rules);
  indexContracts(rules, rows);
  indexExperiments(rules, rows.experiments);
  return rules;
}
