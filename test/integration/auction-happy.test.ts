import { beforeEach, describe, expect, it } from "vitest";
import { ADMIN, demoLead, gateway, leadReaches, postLead, received, seedDemo, setBuyers } from "../support/helpers";

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

  it("GET /health says the gateway takes leads; /admin/health reports the rules", async () => {
    const res = await gateway("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, status: "ok" }); // public: nothing about the business
    const detail = await gateway("/admin/health", { headers: ADMIN });
    expect(await detail.json()).toMatchObject({ ok: true, campaigns: 1, contracts: 7, disabled_rules: 0, config_problems: [] });
  });

  it("sells to the highest effective bidder and pays the source its share", async () => {
    const res = await postLead(demoLead());
    expect(res.status).toBe(200);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status: "sold", buyer: "Bravo Direct", price: 22, payout: 15.4 });
    const row = await leadReaches(String(body.lead_id), ["sold"]);
    expect(row).toMatchObject({ price_cents: 2200, payout_cents: 1540, margin_cents: 660 });
  });

  it("tells the seller where the time went (Server-Timing: buyers' ping and post time vs the gateway's)", async () => {
    await setBuyers({ alpha: { bid: 18, pingLatencyMs: 80, postLatencyMs: 40 } });
    const res = await postLead(demoLead());
    const timing = Object.fromEntries(
      (res.headers.get("server-timing") ?? "").split(", ").map((part) => {
        const [name, dur] = part.split(";dur=");
        return [name, Number(dur)];
      }),
    );
    expect(timing.ping).toBeGreaterThanOrEqual(80);
    expect(timing.post).toBeGreaterThanOrEqual(40);
    expect(timing.total).toBeGreaterThanOrEqual(timing.ping + timing.post);
    // The gateway's own time is what is left once the buyers' share and the wait for storage (gate) are out.
    expect(timing.gate).toBeGreaterThanOrEqual(0);
    expect(timing.gateway).toBe(timing.total - timing.ping - timing.post - timing.gate);
  });

  it("posts the full lead to the winner only", async () => {
    await postLead(demoLead());
    expect((await received("bravo")).filter((r) => r.kind === "post")).toHaveLength(1);
    expect((await received("alpha")).filter((r) => r.kind === "post")).toHaveLength(0);
  });
});
