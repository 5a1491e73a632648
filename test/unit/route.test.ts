// routeLead: one place decides the settings and contracts a lead is auctioned under.
import { describe, expect, it } from "vitest";
import { assignVariant } from "../../src/experiments/assign";
import { routeLead } from "../../src/pipeline/route";
import type { Experiment } from "../../src/rules/model";
import { campaign, contract } from "./fixtures";

const cmp = campaign();
const contracts = [contract({ id: "a" }), contract({ id: "b" })];
const experiment: Experiment = {
  id: "exp",
  campaignId: cmp.id,
  name: "b only?",
  status: "running",
  startedAt: 0,
  variants: [
    { name: "control", share: 1, settings: {} },
    { name: "b-only", share: 1, settings: { contracts: ["b"], floor_cents: 500 } },
  ],
};
const rules = (running: Experiment[]) => ({
  contractsByCampaign: new Map([[cmp.id, contracts]]),
  experimentsByCampaign: new Map(running.map((e) => [e.campaignId, e])),
  experimentsById: new Map([[experiment.id, experiment]]),
});
/** A lead id that lands in the named variant. */
const leadIn = (variant: string) => {
  for (let i = 0; ; i++) if (assignVariant(experiment, `ld_${i}`).name === variant) return `ld_${i}`;
};

describe("routeLead", () => {
  it("without an experiment: the campaign and all its contracts", () => {
    expect(routeLead(rules([]), cmp, "ld_1")).toEqual({ campaign: cmp, contracts, experimentId: null, variant: null });
  });

  it("a new lead of a running experiment: its variant's settings and contracts, by its id", () => {
    const r = routeLead(rules([experiment]), cmp, leadIn("b-only"));
    expect(r).toMatchObject({ experimentId: "exp", variant: "b-only", campaign: { floorCents: 500 } });
    expect(r.contracts.map((c) => c.id)).toEqual(["b"]);
    expect(routeLead(rules([experiment]), cmp, leadIn("control"))).toMatchObject({ variant: "control", contracts });
  });

  it("a stored lead keeps its variant after the experiment ended, and a lead stored outside one stays outside", () => {
    const ended = rules([]);
    const r = routeLead(ended, cmp, leadIn("control"), { experimentId: "exp", variant: "b-only" });
    expect(r.contracts.map((c) => c.id)).toEqual(["b"]);
    expect(routeLead(rules([experiment]), cmp, leadIn("b-only"), { experimentId: null, variant: null })).toMatchObject({
      variant: null,
      contracts,
    });
    expect(routeLead(ended, cmp, "ld_1", { experimentId: "exp", variant: "gone" })).toMatchObject({ variant: null, contracts });
  });
});
