// Caps that fill under load (issue #30): a burst far above a contract's cap sells it up to the cap —
// never over, and not far under — at 16-way concurrency.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { demoLead, eventually, received, onlyContracts, postLead, seedDemo, setBuyers, sql } from "../support/helpers";

const soldTo = (contract: string) =>
  env.DB.prepare("SELECT COUNT(*) AS n FROM posts WHERE contract_id = ? AND outcome = 'accepted'").bind(contract).first<{ n: number }>();

async function burst(leads: number, concurrency: number) {
  let next = 0;
  const worker = async () => {
    while (next < leads) {
      next++;
      await (await postLead(demoLead())).json();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 0, dedupe_window_s = 0");
  await onlyContracts("ct_alpha", "ct_bravo", "ct_charlie");
  await sql("UPDATE contracts SET timeout_ms = 4000, post_timeout_ms = 4000");
  await sql("UPDATE campaigns SET ping_timeout_ms = 5000, post_deadline_ms = 10000");
  await setBuyers({ alpha: { bid: 30, rejectRate: 0.4 }, bravo: { bid: 25, rejectRate: 0.4 }, charlie: { bid: 15 } });
});

describe("caps fill in a burst", () => {
  it(
    "300 leads at 16-way concurrency: a daily cap of 20 and an hourly cap of 7 fill (at least 95%, never over)",
    { timeout: 180_000 },
    async () => {
      await sql("UPDATE contracts SET cap_day = 20 WHERE id = 'ct_alpha'");
      await sql("UPDATE contracts SET cap_hour = 7 WHERE id = 'ct_bravo'");
      await burst(300, 16);
      const [alpha, bravo] = await eventually(async () => {
        const [a, b] = [await soldTo("ct_alpha"), await soldTo("ct_bravo")];
        return a!.n >= 19 && b!.n >= 7 ? [a!.n, b!.n] : undefined;
      }, 10_000).catch(async () => [(await soldTo("ct_alpha"))!.n, (await soldTo("ct_bravo"))!.n]);
      // Never over the cap; at least 95% of it while demand exceeds it (headroom held by posts in flight
      // comes back as they settle, and is sold then).
      expect(alpha).toBeLessThanOrEqual(20);
      expect(alpha).toBeGreaterThanOrEqual(19);
      expect(bravo).toBe(7);
    },
  );
});

describe("a spike is answered at once, not queued (issue #30)", () => {
  it("past MAX_INFLIGHT_LEADS a submission gets 503 overloaded with Retry-After, fast, and nothing is stored for it", async () => {
    await setBuyers({ alpha: { bid: 30, pingLatencyMs: 400 }, bravo: { bid: 25, pingLatencyMs: 400 } });
    const busy = { ...env, MAX_INFLIGHT_LEADS: "3" };
    const submit = async () => {
      const ctx = createExecutionContext();
      const init = {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "demo-server-key" },
        body: JSON.stringify(demoLead()),
      };
      const res = await worker.fetch(new Request("http://gw/v1/leads", init), busy, ctx);
      const body = await res.json<{ error?: string; lead_id?: string }>();
      await waitOnExecutionContext(ctx);
      return { status: res.status, retryAfter: res.headers.get("retry-after"), body };
    };
    const answers = await Promise.all(Array.from({ length: 10 }, submit));
    const shed = answers.filter((a) => a.status === 503);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    expect(shed).toHaveLength(7);
    for (const a of shed) {
      expect(a.body.error).toBe("overloaded");
      expect(a.retryAfter).toBe("1");
    }
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM leads").first<{ n: number }>()).toEqual({ n: 3 });
    // Shed before any work: no buyer was pinged for them.
    expect((await received("alpha")).filter((r) => r.kind === "ping")).toHaveLength(3);
  });
});
