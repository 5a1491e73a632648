// A seller's post is judged again before its held bids are posted (issue #24): the ping saw only the
// ping-safe fields, and the offer lives 60 s, so filters on other fields, a schedule that closed, a
// cap learned full, a breaker that tripped or a one-to-one consent naming other sellers drop a bid.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HeldBid } from "../../src/auction/bids";
import { recheckHeld } from "../../src/auction/held-post";
import type { Lot } from "../../src/auction/lot";
import type { LeadData } from "../../src/lead/fields";
import type { Contract, Health, Source } from "../../src/rules/model";
import { FiltersSchema } from "../../src/rules/schemas";
import { campaign, contract } from "./fixtures";

const NOW = Date.parse("2026-11-23T15:00:00Z"); // a Monday
const held = (contractId: string): HeldBid => ({
  contractId,
  bidCents: 1000,
  effectiveCents: 1000,
  token: null,
  pingId: `pg_${contractId}`,
  latencyMs: 10,
});
const lotOf = (contracts: Contract[], lead: LeadData, over: Partial<Lot> = {}): Lot => ({
  leadId: "ld_1",
  round: 0,
  campaign: campaign(),
  source: { id: "src" } as Source,
  contracts,
  lead,
  consent: null,
  ...over,
});
const health = (state: Health["state"], until: number | null): Health => ({
  state,
  reason: "rejects: 90%",
  since: NOW - 60_000,
  until,
  trips: 1,
});
const never = (): string | undefined => undefined;

/** The full lead as posted; its ping carried only zip and state. */
const LEAD: LeadData = { zip: "94107", state: "CA", last_name: "Doe", email: "pat@example.com" };

describe("a seller's post re-judges its held contracts on the full lead", () => {
  it("drops each contract that may no longer take the lead, with the reason, and keeps the others in order", () => {
    const contracts = [
      contract({ id: "ok" }),
      // An exclusion on a field the ping did not carry: it passed at the ping (no value), fails now.
      contract({ id: "excludes_doe", filters: FiltersSchema.parse([{ field: "last_name", op: "neq", value: "doe" }]) }),
      contract({ id: "sundays", schedule: { windows: [{ days: ["sun"], start: "00:00", end: "24:00" }] } }),
      contract({ id: "full" }),
      contract({ id: "tripped", health: health("open", NOW + 300_000) }),
      // Half-open: its probe was this lead's ping, so it keeps its bid (and spends no second probe).
      contract({ id: "probing", health: health("half_open", null) }),
    ];
    const bids = ["ok", "excludes_doe", "sundays", "full", "tripped", "probing", "gone"].map(held);
    const r = recheckHeld(lotOf(contracts, LEAD), bids, NOW, (id) => (id === "full" ? "cap reached" : undefined));
    // "gone" (no longer active) is left for heldToBids, which records it.
    expect(r.kept.map((b) => b.contractId)).toEqual(["ok", "probing", "gone"]);
    expect(Object.fromEntries(r.skipped.map((s) => [s.contract.id, s.reason]))).toEqual({
      excludes_doe: "filter last_name neq",
      sundays: "outside schedule",
      full: "cap reached",
      tripped: "paused by circuit breaker: rejects: 90%",
    });
  });

  it("a one-to-one consent keeps only the sellers it names", () => {
    const contracts = [contract({ id: "a", buyerName: "Alpha" }), contract({ id: "b", buyerName: "Bravo" })];
    const lot = lotOf(contracts, LEAD, { campaign: campaign({ oneToOne: true }), consent: { consent_sellers: ["alpha"] } });
    const r = recheckHeld(lot, [held("a"), held("b")], NOW, never);
    expect(r.kept.map((b) => b.contractId)).toEqual(["a"]);
    expect(r.skipped.map((s) => [s.contract.id, s.reason])).toEqual([["b", "not named in the consumer's one-to-one consent"]]);
  });

  it("property: a bid is kept exactly when its contract is not ruled out now, whatever the number of held bids", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ full: fc.boolean(), excluded: fc.boolean() }), { maxLength: 30 }), (specs) => {
        const contracts = specs.map((s, i) =>
          contract({
            id: `c${i}`,
            filters: s.excluded ? FiltersSchema.parse([{ field: "email", op: "not_in", values: ["pat@example.com"] }]) : [],
          }),
        );
        const lot = lotOf(contracts, LEAD, { campaign: campaign({ maxFanout: 5 }) });
        const r = recheckHeld(
          lot,
          contracts.map((c) => held(c.id)),
          NOW,
          (id) => (specs[Number(id.slice(1))]!.full ? "cap reached" : undefined),
        );
        expect(r.kept.map((b) => b.contractId)).toEqual(
          contracts.filter((_, i) => !specs[i]!.full && !specs[i]!.excluded).map((c) => c.id),
        );
        expect(r.kept.length + r.skipped.length).toBe(specs.length); // never a fan-out limit: they were pinged already
      }),
    );
  });
});
