// routeLead: the settings and contracts a lead is auctioned under. A campaign running an experiment
// routes each new lead by its variant (assigned deterministically from the lead id, so a seller's ping
// and its post, which share the lead id, land in the same variant); a stored lead keeps the variant it
// was assigned, even if its experiment has ended since. Aged-lead contracts are not routed here.
import { applyVariant, assignVariant } from "../experiments/assign";
import type { Campaign, Contract, Experiment, Rules } from "../rules/model";
import type { Variant } from "../rules/schemas";

export interface Route {
  /** The campaign as the lead's variant runs it (the campaign itself outside an experiment). */
  campaign: Campaign;
  /** The contracts that may compete for the lead. */
  contracts: Contract[];
  /** The experiment and variant the lead belongs to (stored with it), or null. */
  experimentId: string | null;
  variant: string | null;
}

/** A stored lead's assignment (its row's experiment_id and variant). */
export interface Assignment {
  experimentId: string | null;
  variant: string | null;
}

type RoutingRules = Pick<Rules, "contractsByCampaign" | "experimentsByCampaign" | "experimentsById">;

/** `stored`: a stored lead's assignment; without it, a new lead (assigned if an experiment runs). */
export function routeLead(rules: RoutingRules, campaign: Campaign, leadId: string, stored?: Assignment): Route {
  // Aged-lead contracts buy only resales (src/pipeline/resale.ts), never a lead's live or retry rounds.
  const contracts = (rules.contractsByCampaign.get(campaign.id) ?? []).filter((c) => c.aged === null);
  const assigned = stored ? storedVariant(rules, stored) : runningVariant(rules.experimentsByCampaign.get(campaign.id), leadId);
  if (!assigned) return { campaign, contracts, experimentId: null, variant: null };
  return { ...applyVariant(campaign, contracts, assigned.variant), experimentId: assigned.experimentId, variant: assigned.variant.name };
}

type Assigned = { experimentId: string; variant: Variant };

function runningVariant(experiment: Experiment | undefined, leadId: string): Assigned | null {
  return experiment ? { experimentId: experiment.id, variant: assignVariant(experiment, leadId) } : null;
}

function storedVariant(rules: RoutingRules, stored: Assignment): Assigned | null {
  if (!stored.experimentId) return null;
  const variant = rules.experimentsById.get(stored.experimentId)?.variants.find((v) => v.name === stored.variant);
  return variant ? { experimentId: stored.experimentId, variant } : null;
}
