import { beforeEach, describe, expect, it } from "vitest";
import { demoLead, gateway, leadReaches, postLead, received, seedDemo, setBuyers } from "../support/helpers";

describe("auction: happy path against loopback buyers", () => {
  beforeEach(async () => {
    await seedDemo();
    await setBuyers({
      alpha: { bid: 18 },
      bravo: { bid: 22 },
      charlie: { bid: 15 },
      echo: { bid: 12, format: "form" },
    });
  });

  it("GET /health reports the rules", async () => {
    const res = await gateway("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, campaigns: 1, contracts: 6, disabled_rules: 0 });
  });

  it("sells to the highest effective bidder and pays the source its share", async () => {
    const res = await postLead(demoLead());
    expect(res.status).toBe(200);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status: "sold", buyer: "Bravo Direct", price: 22, payout: 15.4 });
    const row = await leadReaches(String(body.lead_id), ["sold"]);
    expect(row).toMatchObject({ price_cents: 2200, payout_cents: 1540, margin_cents: 660 });
  });

  it("posts the full lead to the winner only", async () => {
    await postLead(demoLead());
    expect((await received("bravo")).filter((r) => r.kind === "post")).toHaveLength(1);
    expect((await received("alpha")).filter((r) => r.kind === "post")).toHaveLength(0);
  });
});
