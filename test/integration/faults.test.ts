// Fault injection (issue #12): a Durable Object that fails inside a post is an `error` attempt for
// that contract; the round's other posts settle on their own, so a sale another buyer accepted is
// never lost, and the invariants hold (every sale billed and paid, no double sale).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { demoLead, leadReaches, seedDemo, setBuyers, sql } from "../support/helpers";

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 0");
  await sql("UPDATE contracts SET status = 'paused' WHERE id IN ('ct_delta', 'ct_echo')");
  await setBuyers({ alpha: { bid: 30 }, bravo: { bid: 22 }, charlie: { bid: 15 } });
});

/** CAP_LEDGER whose object for `contractId` throws on every call. */
function failingLedgerFor(contractId: string): typeof env.CAP_LEDGER {
  const broken = env.CAP_LEDGER.idFromName(contractId);
  return new Proxy(env.CAP_LEDGER, {
    get(target, prop) {
      if (prop === "get")
        return (id: DurableObjectId) =>
          id.equals(broken)
            ? new Proxy({}, { get: (_t, m) => (m === "then" ? undefined : () => Promise.reject(new Error("Durable Object reset because its code was updated"))) })
            : target.get(id);
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

async function submit() {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request("http://gw/v1/leads", { method: "POST", headers: { "content-type": "application/json", "x-api-key": "demo-server-key" }, body: JSON.stringify(demoLead()) }),
    { ...env, CAP_LEDGER: failingLedgerFor("ct_alpha") },
    ctx,
  );
  const body = await res.json<{ lead_id: string; status: string; buyers: string[]; price: number; payout: number }>();
  await waitOnExecutionContext(ctx);
  return body;
}

async function postsOf(leadId: string) {
  const rows = await env.DB.prepare("SELECT contract_id, outcome, reason, price_cents, payout_cents FROM posts WHERE lead_id = ? ORDER BY contract_id").bind(leadId).all();
  return rows.results as { contract_id: string; outcome: string; reason: string | null; price_cents: number; payout_cents: number }[];
}

describe("a cap ledger failing inside a post", () => {
  it("exclusive campaign: the top bidder's post is an error attempt, the next bidder buys", async () => {
    const body = await submit();
    expect(body).toMatchObject({ status: "sold", buyers: ["Bravo Direct"], price: 22 });
    const lead = await leadReaches(body.lead_id, ["sold"]);
    const posts = await postsOf(body.lead_id);
    expect(posts.find((p) => p.contract_id === "ct_alpha")).toMatchObject({ outcome: "error", reason: expect.stringContaining("cap or dedupe unavailable") });
    expect(posts.find((p) => p.contract_id === "ct_bravo")).toMatchObject({ outcome: "accepted", price_cents: 2200 });
    expect(lead.price_cents).toBe(2200);
  });

  it("shared campaign: one failing post never discards the sale another buyer accepted in the same batch", async () => {
    await sql("UPDATE campaigns SET exclusive = 0, max_buyers = 2");
    const body = await submit();
    expect(body.status).toBe("sold");
    expect([...body.buyers].sort()).toEqual(["Bravo Direct", "Charlie Auto"]);
    const lead = await leadReaches(body.lead_id, ["sold"]);
    const posts = await postsOf(body.lead_id);
    const accepted = posts.filter((p) => p.outcome === "accepted");
    expect(accepted.map((p) => p.contract_id)).toEqual(["ct_bravo", "ct_charlie"]);
    expect(posts.find((p) => p.contract_id === "ct_alpha")?.outcome).toBe("error");
    // Every sale billed and paid: the lead's price is the sum of its accepted posts.
    expect(lead.price_cents).toBe(accepted.reduce((a, p) => a + p.price_cents, 0));
    expect(lead.payout_cents).toBe(accepted.reduce((a, p) => a + p.payout_cents, 0));
  });
});
