// Publishers that sell by ping/post (issue #17): a ping gets a price and an offer held until it
// expires; the post is sold to those bids without pinging the buyers again, never paying more than
// promised; a ping_id is single-use, per source, and the post must match its ping.
import { env } from "cloudflare:workers";
import { exports } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto";
import { demoLead, eventually, leadReaches, received, seedDemo, setBuyers, sql } from "../support/helpers";

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 0");
  await sql("UPDATE contracts SET status = CASE WHEN id IN ('ct_alpha', 'ct_bravo') THEN 'active' ELSE 'paused' END");
  await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22, post: "reject", rejectReason: "not today" } });
});

const call = (path: string, body: unknown, apiKey = "demo-server-key") =>
  exports.default.fetch(
    new Request(`http://gw${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: JSON.stringify(body),
    }),
  );

/** The ping-safe part of a demo lead, as a publisher would ping it. */
const pingOf = (lead: Record<string, unknown>) => ({
  campaign: lead.campaign,
  zip: lead.zip,
  state: lead.state,
  homeowner: lead.homeowner,
  vehicle_year: lead.vehicle_year,
  credit: lead.credit,
});

describe("publisher ping/post", () => {
  it("a ping gets a price; the post sells to the held bids in order, without pinging again, never above the promise", async () => {
    const lead = demoLead();
    const ping = await (
      await call("/v1/pings", pingOf(lead))
    ).json<{ ping_id: string; status: string; payout: number; expires_at: string }>();
    expect(ping).toMatchObject({ status: "bid", payout: 15.4 }); // 70% of Bravo's $22
    expect(Date.parse(ping.expires_at)).toBeGreaterThan(Date.now());
    const pingsSent = (await received("alpha")).length + (await received("bravo")).length;
    expect(pingsSent).toBe(2);
    for (const r of await received("bravo")) expect(r.body).not.toContain(String(lead.email));

    const res = await call("/v1/posts", { ...lead, ping_id: ping.ping_id });
    expect(res.status).toBe(200);
    const sold = await res.json<{ lead_id: string; status: string; payout: number; buyer: string }>();
    // Bravo rejects; the cascade goes on to Alpha's held bid.
    expect(sold).toMatchObject({ status: "sold", buyer: "Alpha Insurance", payout: 12.6 });
    expect(sold.payout).toBeLessThanOrEqual(ping.payout);
    expect((await received("alpha")).filter((r) => r.kind === "ping")).toHaveLength(1); // no second ping
    const row = await leadReaches(sold.lead_id, ["sold"]);
    expect(row.price_cents).toBe(1800);
    // The ping's bids are recorded with the lead.
    const pings = await env.DB.prepare("SELECT contract_id, outcome FROM pings WHERE lead_id = ? ORDER BY contract_id")
      .bind(sold.lead_id)
      .all();
    expect(pings.results).toEqual([
      { contract_id: "ct_alpha", outcome: "bid" },
      { contract_id: "ct_bravo", outcome: "bid" },
    ]);
  });

  it("a ping_id is used once, by its own source, before it expires; unknown ids are 404", async () => {
    const lead = demoLead();
    const ping = await (await call("/v1/pings", pingOf(lead))).json<{ ping_id: string }>();
    await sql(
      "INSERT INTO sources (id, name, api_key_hash, allowed_campaigns) VALUES ('src_other', 'Other', ?, '[\"*\"]')",
      await sha256Hex("other-key"),
    );
    const foreign = await call("/v1/posts", { ...lead, ping_id: ping.ping_id }, "other-key");
    expect(foreign.status).toBe(404);
    expect((await call("/v1/posts", { ...lead, ping_id: ping.ping_id })).status).toBe(200);
    const again = await call("/v1/posts", { ...lead, ping_id: ping.ping_id });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: "ping_used" });
    expect((await call("/v1/posts", { ...lead, ping_id: "sp_any.3.01M7Z1TKM1ZGVCH7CJP5KPPFJ1" })).status).toBe(404);
    expect((await call("/v1/posts", { ...lead, ping_id: "../../etc" })).status).toBe(404);
  });

  it("an expired offer is 410", async () => {
    const lead = demoLead();
    const ping = await (await call("/v1/pings", pingOf(lead))).json<{ ping_id: string }>();
    const { runInDurableObject } = await import("cloudflare:test");
    const m = /^sp_([^.]+)\.(\d+)\./.exec(ping.ping_id)!;
    const book = env.PING_BOOK.get(env.PING_BOOK.idFromName(`book:${m[1]}:${m[2]}`));
    await runInDurableObject(book, (_o, state) => {
      state.storage.sql.exec("UPDATE offers SET expires_at = 1 WHERE ping_id = ?", ping.ping_id);
    });
    const res = await call("/v1/posts", { ...lead, ping_id: ping.ping_id });
    expect(res.status).toBe(410);
    expect(await res.json()).toMatchObject({ error: "ping_expired" });
  });

  it("a post whose fields differ from its ping is refused (422 ping_mismatch) and the offer is spent", async () => {
    const lead = demoLead();
    const ping = await (await call("/v1/pings", pingOf(lead))).json<{ ping_id: string }>();
    const res = await call("/v1/posts", { ...lead, credit: "poor", ping_id: ping.ping_id });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: "ping_mismatch", fields: [{ path: "credit" }] });
    expect((await call("/v1/posts", { ...lead, ping_id: ping.ping_id })).status).toBe(409);
  });

  it("a post with an invalid lead is 422 and does not spend the offer", async () => {
    const lead = demoLead();
    const ping = await (await call("/v1/pings", pingOf(lead))).json<{ ping_id: string }>();
    expect((await call("/v1/posts", { ...lead, email: "nope", ping_id: ping.ping_id })).status).toBe(422);
    expect((await call("/v1/posts", { ...lead, ping_id: ping.ping_id })).status).toBe(200);
  });

  it("the source's report shows its pings, posts and ping-to-post ratio", async () => {
    for (let i = 0; i < 4; i++) {
      const lead = demoLead();
      const ping = await (await call("/v1/pings", pingOf(lead))).json<{ ping_id: string }>();
      if (i % 2 === 0) await (await call("/v1/posts", { ...lead, ping_id: ping.ping_id })).text();
    }
    const report = await eventually(async () => {
      const r = await (
        await exports.default.fetch(new Request("http://gw/v1/reports/summary", { headers: { "x-api-key": "demo-server-key" } }))
      ).json<{ pings: number; posts: number; ping_to_post: number }>();
      return r.pings === 4 && r.posts === 2 ? r : undefined;
    });
    expect(report.ping_to_post).toBe(50);
  });

  it("a running experiment routes the ping and its post alike: the lead id the ping reserves picks one variant for both", async () => {
    const variants = [
      { name: "control", share: 1, settings: {} },
      { name: "alpha-only", share: 1, settings: { contracts: ["ct_alpha"] } },
    ];
    await sql(
      "INSERT INTO experiments (id, campaign_id, name, variants, started_at) VALUES ('exp_sp', 'cmp_auto', 'Seller variants', ?, ?)",
      JSON.stringify(variants),
      Date.now(),
    );
    const seen = new Set<string>();
    // Until both variants were seen (each lead lands in either, deterministically from its id).
    for (let i = 0; i < 16 && seen.size < 2; i++) {
      const lead = demoLead();
      const ping = await (await call("/v1/pings", pingOf(lead))).json<{ ping_id: string; payout: number }>();
      const sold = await (await call("/v1/posts", { ...lead, ping_id: ping.ping_id })).json<{ lead_id: string; status: string }>();
      expect(sold.status).toBe("sold");
      const row = await leadReaches(sold.lead_id, ["sold"]);
      expect(row.experiment_id).toBe("exp_sp");
      const variant = String(row.variant);
      seen.add(variant);
      // The ping promised what its variant's buyers bid (alpha-only: Alpha's $18 at 70%, not Bravo's $22).
      expect(ping.payout).toBe(variant === "control" ? 15.4 : 12.6);
      const pinged = await env.DB.prepare("SELECT contract_id FROM pings WHERE lead_id = ? ORDER BY contract_id")
        .bind(sold.lead_id)
        .all<{ contract_id: string }>();
      expect(pinged.results.map((p) => p.contract_id)).toEqual(variant === "control" ? ["ct_alpha", "ct_bravo"] : ["ct_alpha"]);
    }
    expect([...seen].sort()).toEqual(["alpha-only", "control"]);
  });

  it("the post judges the held contracts again on the full lead: an exclusion on a field the ping did not carry (issue #24)", async () => {
    // Alpha excludes the Doe family: its filter is on last_name, which no ping carries.
    await sql(`UPDATE contracts SET filters = '[{"field":"last_name","op":"neq","value":"doe"}]' WHERE id = 'ct_alpha'`);
    await setBuyers({ alpha: { bid: 30 }, bravo: { bid: 22 } });
    const lead = demoLead({ last_name: "Doe" });
    const ping = await (await call("/v1/pings", pingOf(lead))).json<{ ping_id: string; payout: number }>();
    expect(ping.payout).toBe(21); // Alpha's $30 at 70%: at the ping it could not know
    const sold = await (
      await call("/v1/posts", { ...lead, ping_id: ping.ping_id })
    ).json<{ lead_id: string; status: string; buyer: string }>();
    expect(sold).toMatchObject({ status: "sold", buyer: "Bravo Direct" });
    expect((await received("alpha")).filter((r) => r.kind === "post")).toHaveLength(0); // Alpha never saw the lead
    const rows = await eventually(async () => {
      const r = await env.DB.prepare("SELECT outcome, reason FROM pings WHERE lead_id = ? AND contract_id = 'ct_alpha' ORDER BY outcome")
        .bind(sold.lead_id)
        .all();
      return r.results.length === 2 ? r.results : undefined;
    });
    expect(rows).toEqual([
      { outcome: "bid", reason: null },
      { outcome: "skipped", reason: "at the post: filter last_name neq" },
    ]);
  });

  it("a circuit breaker that trips inside the offer keeps its contract from the post", async () => {
    await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22 } });
    const lead = demoLead();
    const ping = await (await call("/v1/pings", pingOf(lead))).json<{ ping_id: string }>();
    // The cron trips Bravo's breaker between the ping and the post.
    await sql(
      "INSERT INTO contract_health (contract_id, state, reason, since, until, trips) VALUES ('ct_bravo', 'open', 'errors: 70%', ?, ?, 1)",
      Date.now(),
      Date.now() + 300_000,
    );
    const sold = await (await call("/v1/posts", { ...lead, ping_id: ping.ping_id })).json<{ lead_id: string; buyer: string }>();
    expect(sold.buyer).toBe("Alpha Insurance");
    expect((await received("bravo")).filter((r) => r.kind === "post")).toHaveLength(0);
    const skipped = await eventually(() =>
      env.DB.prepare("SELECT reason FROM pings WHERE lead_id = ? AND contract_id = 'ct_bravo' AND outcome = 'skipped'")
        .bind(sold.lead_id)
        .first<{ reason: string }>(),
    );
    expect(skipped.reason).toBe("at the post: paused by circuit breaker: errors: 70%");
  });

  it("a ping without bids says no_bid and holds nothing", async () => {
    await setBuyers({ alpha: { bid: 0 }, bravo: { bid: 0 } });
    const ping = await (await call("/v1/pings", pingOf(demoLead()))).json<{ ping_id: string; status: string; payout: number }>();
    expect(ping).toMatchObject({ status: "no_bid", payout: 0 });
  });
});
