// EMULATE_STORAGE_RTT_MS: the seam at the bindings makes every D1 and Durable Object call wait, the
// gateway keeps working through it (D1 batches, drizzle statements, RPC to the objects), and
// Server-Timing counts the storage calls a lead made before its answer.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { depositTo } from "../support/billing";
import { leadReaches, leadRequest, onlyContracts, seedDemo, setBuyers, sql } from "../support/helpers";

beforeEach(async () => {
  await seedDemo();
  await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22 }, charlie: { bid: 15 }, echo: { bid: 12, format: "form" } });
});

async function submit(vars: Record<string, string>) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(leadRequest(), { ...env, ...vars }, ctx);
  const body = await res.json<{ lead_id: string; status: string; buyer: string }>();
  await waitOnExecutionContext(ctx);
  return { res, body };
}

const storageCalls = (res: Response) => Number(/storage;desc="calls";dur=(\d+)/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? NaN);

describe("emulated storage distance", () => {
  it("a lead sells and is recorded through delayed bindings; Server-Timing counts its storage calls", async () => {
    const { res, body } = await submit({ EMULATE_STORAGE_RTT_MS: "20" });
    expect(body).toMatchObject({ status: "sold", buyer: "Bravo Direct" });
    // The lead's D1 batch and one dedupe call per fingerprint, made while the pings are out.
    expect(storageCalls(res)).toBeGreaterThanOrEqual(3);
    // Relays are local (pooled per location): they are not storage, and never delayed.
    expect(res.headers.get("server-timing")).toMatch(/gate;dur=\d+/);
    await leadReaches(body.lead_id, ["sold"]);
  });

  it("is off by default: no storage entry in Server-Timing", async () => {
    const { res, body } = await submit({});
    expect(body.status).toBe("sold");
    expect(res.headers.get("server-timing")).not.toContain("storage");
  });

  it("wallets on: money is leased while the pings are out, so a post waits on no storage round trip", async () => {
    await onlyContracts("ct_alpha");
    await sql("UPDATE buyers SET billing = 'prepaid' WHERE id = 'buy_alpha'");
    await depositTo("buy_alpha", 100_000, "funds");
    await setBuyers({ alpha: { bid: 18, pingLatencyMs: 40, postLatencyMs: 30 } });
    const rtt = 150;
    // The first lead takes the isolate's block of alpha's money (its post may wait for it).
    expect((await submit({ EMULATE_STORAGE_RTT_MS: String(rtt) })).body.buyer).toBe("Alpha Insurance");
    for (let i = 0; i < 3; i++) {
      const { res, body } = await submit({ EMULATE_STORAGE_RTT_MS: String(rtt) });
      expect(body.buyer).toBe("Alpha Insurance");
      // The post spent from the block: its time is the buyer's, not a reservation's round trip.
      const post = Number(/post;dur=(\d+)/.exec(res.headers.get("server-timing") ?? "")?.[1]);
      expect(post).toBeLessThan(rtt);
    }
  });
});
