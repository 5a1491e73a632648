// Reports for sources (what they earned) and admins (how each buyer bid, bought and rejected).
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, demoLead, eventually, gateway, postLead, seedDemo, setBuyers, sql } from "../support/helpers";

beforeAll(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 0");
  await sql("UPDATE contracts SET status = CASE WHEN id IN ('ct_alpha', 'ct_bravo') THEN 'active' ELSE 'paused' END");
  await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22, post: "reject", rejectReason: "outside our footprint" } });
  for (let i = 0; i < 4; i++) await postLead(demoLead());
  await eventually(async () => {
    const r = await (
      await gateway("/v1/reports/summary", { headers: { "x-api-key": "demo-server-key" } })
    ).json<{ leads: number; statuses: Record<string, number> }>();
    return r.statuses.sold === 4 ? r : undefined;
  });
});

describe("reports", () => {
  it("a source sees its leads by status, sell-through and payout per lead", async () => {
    const res = await gateway("/v1/reports/summary", { headers: { "x-api-key": "demo-server-key" } });
    expect(await res.json()).toMatchObject({
      source: "src_partner",
      leads: 4,
      statuses: { sold: 4 },
      sell_through: 100,
      payout: 50.4,
      payout_per_lead: 12.6,
    });
  });

  it("an admin token shorter than 32 characters does not enable the admin routes", async () => {
    const { createExecutionContext } = await import("cloudflare:test");
    const { env } = await import("cloudflare:workers");
    const worker = (await import("../../src/index")).default;
    const short = "short-admin-token-1234";
    const res = await worker.fetch(
      new Request("http://gw/admin/reports/buyers", { headers: { authorization: `Bearer ${short}` } }),
      { ...env, ADMIN_TOKEN: short },
      createExecutionContext(),
    );
    expect(res.status).toBe(404);
  });

  it("admins see each buyer's bids, ping-to-post ratio, rejects and reasons", async () => {
    const res = await gateway("/admin/reports/buyers", { headers: ADMIN });
    const body = await res.json<{ contracts: Record<string, unknown>[] }>();
    const byId = Object.fromEntries(body.contracts.map((c) => [c.contract, c]));
    expect(byId.ct_alpha).toMatchObject({
      buyer: "Alpha Insurance",
      pings: 4,
      bids: 4,
      avg_bid: 18,
      accepted: 4,
      revenue: 72,
      ping_to_post: 100,
    });
    expect(byId.ct_bravo).toMatchObject({
      pings: 4,
      bids: 4,
      accepted: 0,
      rejected: 4,
      reject_rate: 100,
      top_reject_reasons: [{ reason: "outside our footprint", count: 4 }],
    });
  });

  it("ranges are validated; admin reports need the admin token", async () => {
    const bad = await gateway("/v1/reports/summary?from=yesterday", { headers: { "x-api-key": "demo-server-key" } });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ fields: [{ path: "from" }] });
    const empty = await gateway("/v1/reports/summary?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z", {
      headers: { "x-api-key": "demo-server-key" },
    });
    expect(await empty.json()).toMatchObject({ leads: 0, payout_per_lead: 0 });
    expect((await gateway("/admin/reports/buyers")).status).toBe(401);
  });
});
