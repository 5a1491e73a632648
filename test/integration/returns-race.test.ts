// Issue #24: the return cap under concurrency. With storage far away (EMULATE_STORAGE_RTT_MS), returns
// filed at the same moment all read the counts before any of them was stored; the insert itself
// applies the cap, so no more are filed than the cap allows, and the refusals keep their codes.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { DEMO_SECRET } from "../../demo/constants";
import { signLeadgateCallback } from "../../docs/examples/verify-signature";
import worker from "../../src/index";
import { countOf, demoLead, leadReaches, onlyContracts, postLead, seedDemo, setBuyers, sql } from "../support/helpers";

const FAR = { EMULATE_STORAGE_RTT_MS: "80" };

/** A return signed by ct_alpha's buyer, through a worker whose storage is 80 ms away. */
async function farReturn(leadId: string, reason = "bad_data"): Promise<{ status: number; error?: string; state?: string }> {
  const path = "/v1/returns";
  const text = JSON.stringify({ lead_id: leadId, reason });
  const headers = {
    "content-type": "application/json",
    "x-leadgate-contract": "ct_alpha",
    ...(await signLeadgateCallback(DEMO_SECRET, { method: "POST", pathAndQuery: path, rawBody: text })),
  };
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://gateway.test${path}`, { method: "POST", headers, body: text }),
    { ...env, ...FAR },
    ctx,
  );
  const body = await res.json<{ error?: string; status?: string }>();
  await waitOnExecutionContext(ctx);
  return { status: res.status, error: body.error, state: body.status };
}

async function soldToAlpha(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await (await postLead(demoLead())).json<{ lead_id: string; buyer: string }>();
    expect(res.buyer).toBe("Alpha Insurance");
    ids.push(res.lead_id);
  }
  for (const id of ids) await leadReaches(id, ["sold"]);
  return ids;
}

const filed = () => countOf("SELECT COUNT(*) AS n FROM returns WHERE contract_id = 'ct_alpha' AND status != 'denied'");

beforeEach(async () => {
  await seedDemo();
  await onlyContracts("ct_alpha");
  await setBuyers({ alpha: { bid: 20 } });
});

describe("return cap under concurrency (storage 80 ms away)", () => {
  it("ten automatic returns at once where the cap allows one: one is approved, nine are return_cap_reached", async () => {
    const leads = await soldToAlpha(10);
    await sql("UPDATE contracts SET return_cap_bps = 1000 WHERE id = 'ct_alpha'"); // 10 % of 10 purchases: one return
    const results = await Promise.all(leads.map((id) => farReturn(id)));
    expect(results.filter((r) => r.status === 200)).toEqual([{ status: 200, state: "approved" }]);
    expect(results.filter((r) => r.status !== 200)).toEqual(Array(9).fill({ status: 422, error: "return_cap_reached" }));
    expect(await filed()).toBe(1);
  });

  it("pending returns count too: at once, automatic and manual ones fill a cap of two and no more", async () => {
    const leads = await soldToAlpha(10);
    await sql("UPDATE contracts SET return_cap_bps = 2000 WHERE id = 'ct_alpha'"); // 20 % of 10: two returns
    const results = await Promise.all(leads.map((id, i) => farReturn(id, i % 2 ? "not_interested" : "bad_data")));
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(results.filter((r) => r.status === 422 && r.error === "return_cap_reached")).toHaveLength(8);
    expect(await filed()).toBe(2);
  });

  it("one lead returned five times at once is filed once; the others are still 409 already_returned", async () => {
    const [lead] = await soldToAlpha(1);
    await sql("UPDATE contracts SET return_cap_bps = 10000 WHERE id = 'ct_alpha'");
    const results = await Promise.all(Array.from({ length: 5 }, () => farReturn(lead!)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.error === "already_returned")).toBe(true);
    expect(await filed()).toBe(1);
  });
});
