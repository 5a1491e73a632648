// A short soak inside `npm test`: a burst of concurrent leads against buyers that reject, fail,
// hang and cap out, then the same invariant check `npm run soak` runs over its database.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { checkInvariants, formatInvariants } from "../../src/db/invariants";
import { depositTo } from "../support/billing";
import { demoLead, eventually, postLead, seedDemo, setBuyers, sql } from "../support/helpers";

describe("short soak", () => {
  it("150 concurrent leads, repeated consumers and misbehaving buyers: every invariant holds", async () => {
    await seedDemo();
    await sql("UPDATE campaigns SET retry_max_attempts = 0, dedupe_window_s = 0, ping_timeout_ms = 8000, post_deadline_ms = 20000");
    await sql("UPDATE contracts SET timeout_ms = 7000, post_timeout_ms = 8000, timezone = 'UTC'");
    await sql("UPDATE buyers SET dedupe_window_s = 3600");
    await sql("UPDATE contracts SET cap_day = 20 WHERE id = 'ct_alpha'");
    await sql("UPDATE contracts SET cap_day = 15, budget_day_cents = 25000 WHERE id = 'ct_delta'");
    // Wallets: a prepaid buyer with little money and a credit buyer with a small limit.
    await sql("UPDATE buyers SET billing = 'prepaid' WHERE id = 'buy_bravo'");
    await sql("UPDATE buyers SET billing = 'credit', credit_limit_cents = 12000 WHERE id = 'buy_echo'");
    await depositTo("buy_bravo", 30_000, "soak");
    await setBuyers({
      alpha: { bid: 18, bidSpread: 4 },
      bravo: { bid: 22, bidSpread: 6, rejectRate: 0.5 },
      charlie: { bid: 15, post: "error_500" },
      delta: { rejectRate: 0.2 },
      echo: { bid: 12, format: "form", rejectRate: 0.3 },
    });
    // 120 distinct consumers plus 30 repeats: buyer-level dedupe must hold under concurrency.
    const leads = Array.from({ length: 120 }, () => demoLead());
    const all = [...leads, ...leads.slice(0, 30)];
    const answers = await Promise.all(all.map((l) => postLead(l).then((r) => r.status)));
    expect(answers.every((s) => s === 200)).toBe(true);
    await eventually(async () => {
      const r = await env.DB.prepare("SELECT COUNT(*) AS n FROM leads WHERE status IN ('received','auctioning')").first<{ n: number }>();
      const total = await env.DB.prepare("SELECT COUNT(*) AS n FROM leads").first<{ n: number }>();
      return r?.n === 0 && total?.n === all.length;
    }, 15_000);
    const results = await checkInvariants(async (q) => (await env.DB.prepare(q).all<Record<string, unknown>>()).results);
    expect(formatInvariants(results)).not.toContain("FAIL");
    expect(results).toHaveLength(17);
    const sold = await env.DB.prepare("SELECT COUNT(*) AS n FROM leads WHERE status = 'sold'").first<{ n: number }>();
    // The market can take about 58 of the 120 consumers: alpha's cap of 20, delta's 15, what bravo's $300
    // and echo's $120 of credit pay for; charlie never pays. Most of that must sell, whatever the timing.
    expect(sold!.n).toBeGreaterThan(40);
  });
});

describe("the invariant checker", () => {
  it("catches each kind of violation", async () => {
    await seedDemo();
    await sql("UPDATE contracts SET cap_day = 1 WHERE id = 'ct_alpha'");
    const lead = (id: string, status: string, price: number, payout: number, margin: number, phone = id) =>
      env.DB.prepare(
        "INSERT INTO leads (id, campaign_id, source_id, status, data, meta, phone_hash, price_cents, payout_cents, margin_cents, updated_at) VALUES (?, 'cmp_auto', 'src_partner', ?, '{}', '{}', ?, ?, ?, ?, 0)",
      )
        .bind(id, status, phone, price, payout, margin)
        .run();
    const post = (id: string, leadId: string, contract: string, price: number) =>
      env.DB.prepare("INSERT INTO posts (id, lead_id, contract_id, outcome, price_cents) VALUES (?, ?, ?, 'accepted', ?)")
        .bind(id, leadId, contract, price)
        .run();
    await lead("l1", "pending", 0, 0, 0); // not final
    await lead("l2", "sold", 1000, 700, 300, "same"); // alpha #1
    await lead("l3", "sold", 1000, 700, 300, "same"); // alpha #2: cap 1 exceeded, same consumer twice
    await lead("l4", "sold", 2000, 700, 300); // sold twice (exclusive), money does not add up
    await lead("l5", "sold", 0, 0, 0); // sold without a sale
    await post("p2", "l2", "ct_alpha", 1000);
    await post("p3", "l3", "ct_alpha", 1000);
    await post("p4a", "l4", "ct_bravo", 1000);
    await post("p4b", "l4", "ct_charlie", 1000);
    // A lead sent twice to one contract (an error, then a retry round that posted it again).
    await lead("l6", "unsold", 0, 0, 0);
    for (const id of ["p6a", "p6b"])
      await env.DB.prepare("INSERT INTO posts (id, lead_id, contract_id, outcome, price_cents) VALUES (?, 'l6', 'ct_delta', 'error', 900)")
        .bind(id)
        .run();
    // A lead posted after it was redacted (the post row is stamped after redacted_at).
    await lead("l8", "sold", 500, 350, 150);
    await env.DB.prepare("UPDATE leads SET redacted_at = 1000 WHERE id = 'l8'").run();
    await env.DB.prepare(
      "INSERT INTO posts (id, lead_id, contract_id, outcome, price_cents, payout_cents, created_at) VALUES ('p8', 'l8', 'ct_charlie', 'accepted', 500, 350, 2000)",
    ).run();
    // Not a violation: a lead erased while its round sold keeps that sale (and its money).
    await lead("l7", "erased", 700, 490, 210);
    await env.DB.prepare(
      "INSERT INTO posts (id, lead_id, contract_id, outcome, price_cents, payout_cents) VALUES ('p7', 'l7', 'ct_charlie', 'accepted', 700, 490)",
    ).run();
    // The ledger: an entry whose legs don't balance, a sale booked without its post, a prepaid buyer
    // taken below zero. (The accepted posts above have no sale entries, the return none either.)
    await env.DB.prepare("UPDATE buyers SET billing = 'prepaid' WHERE id = 'buy_alpha'").run();
    await env.DB.prepare("UPDATE buyers SET billing_since = 0 WHERE id = 'buy_alpha'").run();
    await env.DB.prepare(
      "INSERT INTO ledger_entries (entry_key, account, amount_cents, kind, at, lead_id, contract_id) VALUES ('sale:lx:ct_alpha', 'buyer:buy_alpha', -500, 'sale', 1, 'lx', 'ct_alpha'), ('adjust:x', 'house', 7, 'credit', 1, NULL, NULL)",
    ).run();
    // A return of a lead its contract never bought.
    await env.DB.prepare(
      "INSERT INTO returns (id, lead_id, contract_id, source_id, campaign_id, reason, status, requested_by, price_cents, clawback_cents) VALUES ('r1', 'l5', 'ct_alpha', 'src_partner', 'cmp_auto', 'bad_data', 'approved', 'buyer', 1000, 700)",
    ).run();
    // A lead sold exclusively beside another buyer (issue #28).
    await env.DB.prepare("UPDATE posts SET exclusive = 1 WHERE id = 'p4a'").run();
    // A returned lead's resale sent to the returner's buyer, 31 days after the lead, its money not its posts'.
    await env.DB.prepare(
      "INSERT INTO resales (id, lead_id, campaign_id, reason, tier_days, returned_contract_id, round, status, due_at, floor_cents, price_cents, payout_cents) VALUES ('rs1', 'l2', 'cmp_auto', 'returned', 0, 'ct_alpha', 1000, 'sold', 0, 0, 500, 350)",
    ).run();
    await env.DB.prepare(
      "INSERT INTO posts (id, lead_id, contract_id, outcome, price_cents, resale_id, attempt, created_at) VALUES ('p2r', 'l2', 'ct_alpha', 'rejected', 500, 'rs1', 1000, ?)",
    )
      .bind(Date.now() + 31 * 86_400_000)
      .run();
    const results = await checkInvariants(async (q) => (await env.DB.prepare(q).all<Record<string, unknown>>()).results);
    expect(Object.fromEntries(results.map((r) => [r.name, r.ok]))).toEqual({
      exclusive_sale_alone: false,
      resale_not_to_returner: false,
      resale_age: false,
      resale_money: false,
      final_state: false,
      caps: false,
      buyer_dedupe: false,
      full_lead_once: false,
      exclusive_once: false,
      money: false,
      returns_of_sales: false,
      sold_means_sale: false,
      no_redacted_post: false,
      ledger_zero: false,
      ledger_sales: false,
      ledger_returns: false,
      wallet_floor: false,
    });
    const of = (name: string) => results.find((r) => r.name === name)!;
    expect(of("no_redacted_post").sample).toEqual([{ id: "p8", lead_id: "l8", created_at: 2000, redacted_at: 1000 }]);
    expect(of("sold_means_sale").sample.map((r) => r.id)).toEqual(["l5"]);
    expect(of("final_state").sample.map((r) => r.id)).toEqual(["l1"]);
    expect(of("resale_not_to_returner").sample).toEqual([{ id: "p2r", lead_id: "l2", contract_id: "ct_alpha" }]);
    expect(of("resale_money").sample.map((r) => r.id)).toEqual(["rs1"]);
  });
});
