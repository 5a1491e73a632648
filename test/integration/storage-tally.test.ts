// METER_STORAGE: the storage tally the capacity model is computed from counts every call a lead
// makes, by binding, method and object, and only when switched on.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { ADMIN, demoLead, seedDemo, setBuyers } from "../support/helpers";

type Tally = { enabled: boolean; methods: Record<string, number>; busiest: Record<string, [string, number][]> };

async function call(path: string, init: RequestInit, e: typeof env) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://gw${path}`, init), e, ctx);
  await waitOnExecutionContext(ctx); // the deferred writes are tallied too
  return res;
}

beforeEach(async () => {
  await seedDemo();
  await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22 } });
});

describe("the storage tally", () => {
  it("counts a lead's storage calls by binding and method, and the objects it leans on", async () => {
    const metered = { ...env, METER_STORAGE: "1" };
    await call("/admin/meter", { method: "DELETE", headers: ADMIN }, metered);
    const lead = await call(
      "/v1/leads",
      { method: "POST", headers: { "content-type": "application/json", "x-api-key": "demo-server-key" }, body: JSON.stringify(demoLead()) },
      metered,
    );
    expect(lead.status).toBe(200);
    const tally = await (await call("/admin/meter", { headers: ADMIN }, metered)).json<Tally>();
    expect(tally.enabled).toBe(true);
    expect(tally.methods["DB.batch"]).toBeGreaterThanOrEqual(2); // the lead stored, then its round recorded
    expect(tally.methods["DEDUPE.intake"]).toBe(2); // one per fingerprint (phone, email)
    expect(tally.busiest.DEDUPE!.length).toBe(2);
    // Off, nothing is counted.
    await call("/admin/meter", { method: "DELETE", headers: ADMIN }, metered);
    await call(
      "/v1/leads",
      { method: "POST", headers: { "content-type": "application/json", "x-api-key": "demo-server-key" }, body: JSON.stringify(demoLead()) },
      env,
    );
    expect((await (await call("/admin/meter", { headers: ADMIN }, env)).json<Tally>()).methods).toEqual({});
  });
});
