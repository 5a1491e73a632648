// The parallel ping auction and post cascade against real loopback buyers.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { DEMO_SECRET } from "../../demo/constants";
import worker from "../../src/index";
import type { ReceivedRequest } from "../../demo/constants";
import {
  signLeadgateCallback,
  verifyLeadgateRequest,
  verifyLeadgateRequestV2,
  verifyLeadgateSignature,
} from "../../docs/examples/verify-signature";
import { signatureHeaders } from "../../src/buyers/signature";
import { getRules } from "../../src/rules/cache";

/** A request a buyer received, as the docs' verifier takes it (the v3 header, or `header`). */
const signed = (r: ReceivedRequest, header = "x-leadgate-signature-v3") => ({
  method: r.method,
  pathAndQuery: r.path,
  rawBody: r.body,
  timestamp: r.headers["x-leadgate-timestamp"] ?? null,
  signature: r.headers[header] ?? null,
});
import {
  demoLead,
  eventually,
  gateway,
  leadReaches,
  leadRequest,
  onlyContracts,
  postLead,
  received,
  seedDemo,
  setBuyers,
  sql,
} from "../support/helpers";

type Answer = { lead_id: string; status: string; price: number; payout: number; buyer: string | null; buyers: string[] };
const sell = async (overrides: Record<string, unknown> = {}) => (await postLead(demoLead(overrides))).json<Answer>();
const only = onlyContracts;
const pingsOf = async (leadId: string) =>
  eventually(async () => {
    const r = await env.DB.prepare(
      "SELECT contract_id, outcome, reason, bid_cents, effective_cents, latency_ms FROM pings WHERE lead_id = ? ORDER BY contract_id",
    )
      .bind(leadId)
      .all<Record<string, unknown>>();
    return r.results.length ? r.results : undefined;
  });
const postsOf = async (leadId: string) =>
  (
    await env.DB.prepare("SELECT contract_id, outcome, reason FROM posts WHERE lead_id = ? ORDER BY created_at")
      .bind(leadId)
      .all<Record<string, unknown>>()
  ).results;

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 0, floor_cents = 0");
});

describe("winner selection", () => {
  it("ties on effective bid go to the higher priority", async () => {
    await only("ct_alpha", "ct_bravo");
    await sql("UPDATE contracts SET priority = 5 WHERE id = 'ct_alpha'");
    await setBuyers({ alpha: { bid: 20, pingLatencyMs: 60 }, bravo: { bid: 20 } });
    expect(await sell()).toMatchObject({ status: "sold", buyer: "Alpha Insurance" });
  });

  it("the adjustment factor ranks, the buyer pays its own bid", async () => {
    await only("ct_alpha", "ct_bravo");
    await sql("UPDATE contracts SET bid_adjust_bps = 5000 WHERE id = 'ct_bravo'"); // 30 x 0.5 = 15 effective
    await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 30 } });
    expect(await sell()).toMatchObject({ buyer: "Alpha Insurance", price: 18 });
    await sql("UPDATE contracts SET bid_adjust_bps = 7000 WHERE id = 'ct_bravo'"); // 21 effective
    expect(await sell()).toMatchObject({ buyer: "Bravo Direct", price: 30 });
  });

  it("bids under the campaign floor are out, with the reason recorded", async () => {
    await only("ct_alpha", "ct_bravo");
    await sql("UPDATE campaigns SET floor_cents = 2000");
    await setBuyers({ alpha: { bid: 25 }, bravo: { bid: 19.99 } });
    const a = await sell();
    expect(a).toMatchObject({ buyer: "Alpha Insurance", price: 25 });
    const pings = await pingsOf(a.lead_id);
    expect(pings.find((p) => p.contract_id === "ct_bravo")).toMatchObject({ outcome: "below_floor", bid_cents: 1999 });
    await setBuyers({ alpha: { bid: 10 }, bravo: { bid: 5 } });
    expect(await sell()).toMatchObject({ status: "unsold", price: 0 });
  });

  it("fixed-price (direct post) contracts compete at their price without a ping", async () => {
    await only("ct_alpha", "ct_delta");
    await setBuyers({ alpha: { bid: 8 } });
    expect(await sell()).toMatchObject({ buyer: "Delta Leads", price: 9 });
    expect((await received("delta")).filter((r) => r.kind === "ping")).toHaveLength(0);
  });
});

describe("misbehaving buyers never hold the auction", () => {
  it("a hanging buyer is cut at the deadline and recorded as a timeout", async () => {
    await only("ct_alpha", "ct_bravo");
    await sql("UPDATE campaigns SET ping_timeout_ms = 300");
    await sql("UPDATE contracts SET timeout_ms = 5000");
    await setBuyers({ alpha: { bid: 10 }, bravo: { ping: "hang" } });
    const started = Date.now();
    const a = await sell();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(a).toMatchObject({ status: "sold", buyer: "Alpha Insurance" });
    expect((await pingsOf(a.lead_id)).find((p) => p.contract_id === "ct_bravo")).toMatchObject({ outcome: "timeout" });
  });

  it("garbage, HTML, 500s, oversized answers and string or absurd bids are discarded with reasons", async () => {
    await sql("UPDATE contracts SET status = 'active'");
    await sql("UPDATE contracts SET status = 'paused' WHERE id IN ('ct_delta', 'ct_foxtrot')");
    await setBuyers({
      alpha: { ping: "garbage" },
      bravo: { ping: "html" },
      charlie: { ping: "error_500" },
      echo: { ping: "huge", format: "form" },
    });
    const a = await sell();
    expect(a.status).toBe("unsold");
    const byContract = Object.fromEntries((await pingsOf(a.lead_id)).map((p) => [p.contract_id, p]));
    expect(byContract.ct_alpha).toMatchObject({ outcome: "invalid" });
    expect(byContract.ct_bravo).toMatchObject({ outcome: "invalid", reason: "answer is not a JSON object" });
    expect(byContract.ct_charlie).toMatchObject({ outcome: "error", reason: "HTTP 500" });
    expect(byContract.ct_echo).toMatchObject({ outcome: "error", reason: expect.stringContaining("larger than") });

    await setBuyers({ alpha: { bid: "12.00" }, bravo: { bid: -4 }, charlie: { bid: 5_000_000 }, echo: { bid: 11, format: "form" } });
    const b = await sell();
    expect(b).toMatchObject({ status: "sold", buyer: "Echo Legacy Corp", price: 11 });
    const reasons = Object.fromEntries((await pingsOf(b.lead_id)).map((p) => [p.contract_id, p.reason]));
    expect(reasons.ct_alpha).toContain("not a number");
    expect(reasons.ct_bravo).toBe("negative bid");
    expect(reasons.ct_charlie).toContain("absurd");
  });

  it("a connection reset at post time cascades to the next bidder", async () => {
    await only("ct_alpha", "ct_bravo");
    await setBuyers({ alpha: { bid: 10 }, bravo: { bid: 20, post: "reset" } });
    const a = await sell();
    expect(a).toMatchObject({ status: "sold", buyer: "Alpha Insurance", price: 10 });
    expect((await postsOf(a.lead_id)).map((p) => [p.contract_id, p.outcome])).toEqual([
      ["ct_bravo", "error"],
      ["ct_alpha", "accepted"],
    ]);
  });
});

describe("post-reject cascade", () => {
  it("a reject moves to the next bidder; every attempt is recorded with its reason", async () => {
    await only("ct_alpha", "ct_bravo", "ct_charlie");
    await setBuyers({
      alpha: { bid: 18, post: "reject", rejectReason: "zip not served" },
      bravo: { bid: 22, post: "reject" },
      charlie: { bid: 15 },
    });
    const a = await sell();
    expect(a).toMatchObject({ status: "sold", buyer: "Charlie Auto", price: 15 });
    await eventually(async () => (await postsOf(a.lead_id)).length === 3);
    expect(await postsOf(a.lead_id)).toEqual([
      { contract_id: "ct_bravo", outcome: "rejected", reason: "not interested" },
      { contract_id: "ct_alpha", outcome: "rejected", reason: "zip not served" },
      { contract_id: "ct_charlie", outcome: "accepted", reason: null },
    ]);
  });

  it("shared campaigns sell to up to N distinct buyers, each paying its own bid", async () => {
    await sql("UPDATE campaigns SET exclusive = 0, max_buyers = 2");
    await only("ct_alpha", "ct_bravo", "ct_charlie");
    await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22 }, charlie: { bid: 15 } });
    const a = await sell();
    expect(a).toMatchObject({ status: "sold", price: 40, payout: 28, buyers: ["Bravo Direct", "Alpha Insurance"] });
    const row = await leadReaches(a.lead_id, ["sold"]);
    expect(row).toMatchObject({ price_cents: 4000, payout_cents: 2800, margin_cents: 1200 });
  });

  it("waterfall mode pings in priority order and stops at the first acceptance", async () => {
    await sql("UPDATE campaigns SET mode = 'waterfall', floor_cents = 1000");
    await only("ct_alpha", "ct_bravo", "ct_charlie");
    await sql("UPDATE contracts SET priority = CASE id WHEN 'ct_charlie' THEN 3 WHEN 'ct_alpha' THEN 2 ELSE 1 END");
    await setBuyers({ charlie: { bid: 8 }, alpha: { bid: 12 }, bravo: { bid: 40 } });
    const a = await sell();
    // Charlie bids under the floor, Alpha accepts: Bravo (the best price) is never asked. That is the waterfall's cost.
    expect(a).toMatchObject({ status: "sold", buyer: "Alpha Insurance", price: 12 });
    expect((await received("bravo")).length).toBe(0);
  });
});

describe("eligibility at the edge", () => {
  it("filters and schedules decide who is pinged, and skips are recorded", async () => {
    await only("ct_alpha", "ct_bravo", "ct_charlie");
    // Charlie only buys in big states; Bravo only homeowners; Alpha has a schedule that never opens (a window that ends where it starts), so no day or hour of the run can open it.
    await sql(
      `UPDATE contracts SET schedule = '{"timezone":"Asia/Tokyo","windows":[{"days":["sun"],"start":"12:00","end":"12:00"}]}' WHERE id = 'ct_alpha'`,
    );
    await setBuyers({ alpha: { bid: 50 }, bravo: { bid: 20 }, charlie: { bid: 30 } });
    const a = await sell({ state: "WA", homeowner: false });
    expect(a.status).toBe("unsold");
    const reasons = Object.fromEntries((await pingsOf(a.lead_id)).map((p) => [p.contract_id, [p.outcome, p.reason]]));
    expect(reasons).toEqual({
      ct_alpha: ["skipped", "outside schedule"],
      ct_bravo: ["skipped", "filter homeowner eq"],
      ct_charlie: ["skipped", "filter state in"],
    });
    expect(await sell({ state: "TX", homeowner: false })).toMatchObject({ buyer: "Charlie Auto" });
  });

  it("a template-configured buyer (form-encoded in and out) buys through its mapping", async () => {
    await only("ct_echo");
    await setBuyers({ echo: { bid: 13.5, format: "form" } });
    const a = await sell();
    expect(a).toMatchObject({ status: "sold", buyer: "Echo Legacy Corp", price: 13.5 });
    const [ping, post] = await received("echo");
    expect(Object.fromEntries(new URLSearchParams(ping!.body))).toMatchObject({
      vendor: "leadgate-demo",
      zipcode: "94107",
      st: "CA",
      own_home: "true",
    });
    expect(Object.fromEntries(new URLSearchParams(post!.body))).toMatchObject({
      fname: "Pat",
      price: "13.5",
      token: expect.stringMatching(/^echo-/),
    });
  });
});

describe("what buyers receive", () => {
  it("pings carry no PII; posts carry the full lead; both are signed verifiably", async () => {
    await sql("UPDATE contracts SET status = 'active'");
    await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22 }, charlie: { bid: 15 }, echo: { bid: 12, format: "form" } });
    const lead = demoLead();
    const a = await (await postLead(lead)).json<Answer>();
    expect(a.status).toBe("sold");
    const all = (await Promise.all(["alpha", "bravo", "charlie", "echo", "delta"].map(received))).flat();
    const pings = all.filter((r) => r.kind === "ping");
    expect(pings.length).toBe(4);
    for (const p of pings) {
      for (const secret of [lead.email, lead.last_name, "1 Main St", "555", "2671", "1980-05-17"])
        expect(p.body).not.toContain(String(secret));
      expect(await verifyLeadgateRequest(DEMO_SECRET, signed(p))).toBe(true);
      expect(await verifyLeadgateRequest("wrong-secret-wrong-secret", signed(p))).toBe(false);
      // v2 covers the endpoint: the same request replayed to another path does not verify.
      expect(await verifyLeadgateRequest(DEMO_SECRET, { ...signed(p), pathAndQuery: p.path.replace("/ping", "/post") })).toBe(false);
      // The deprecated v2 is still sent for existing verifiers; v1 only to contracts that ask for it.
      expect(await verifyLeadgateRequestV2(DEMO_SECRET, signed(p, "x-leadgate-signature-v2"))).toBe(true);
      expect(p.headers["x-leadgate-signature"]).toBeUndefined();
    }
    const nativePing = JSON.parse(pings.find((p) => p.headers["content-type"] === "application/json")!.body);
    expect(Object.keys(nativePing.lead).sort()).toEqual(["age", "credit", "homeowner", "state", "vehicle_year", "zip"]);
    const post = all.find((r) => r.kind === "post")!;
    expect(await verifyLeadgateRequest(DEMO_SECRET, signed(post))).toBe(true);
    expect(post.body).toContain(String(lead.email).toLowerCase());
  });

  it("separate ping and post keys, and two keys during a rotation", async () => {
    const [pingKey, nextKey] = ["alpha-ping-key-0123456789", "alpha-next-key-0123456789"];
    await sql("UPDATE contracts SET status = CASE WHEN id = 'ct_alpha' THEN 'active' ELSE 'paused' END");
    await sql(`UPDATE contracts SET ping_secret = '${pingKey}', secret_next = '${nextKey}' WHERE id = 'ct_alpha'`);
    await setBuyers({ alpha: { bid: 18 } });
    expect((await (await postLead(demoLead())).json<Answer>()).status).toBe("sold");
    const all = await received("alpha");
    const ping = all.find((r) => r.kind === "ping")!;
    const post = all.find((r) => r.kind === "post")!;
    expect(await verifyLeadgateRequest(pingKey, signed(ping))).toBe(true);
    expect(await verifyLeadgateRequest(DEMO_SECRET, signed(ping))).toBe(false); // pings use their own key
    expect(await verifyLeadgateRequest(DEMO_SECRET, signed(post))).toBe(true);
    expect(await verifyLeadgateRequest(nextKey, signed(post))).toBe(true); // the rotation's next key
    expect(post.headers["x-leadgate-signature-v3"]?.split(",")).toHaveLength(2);
    expect(post.headers["x-leadgate-signature-v2"]?.split(",")).toHaveLength(2);
  });

  it("v1 goes only to a contract that asks for it (signature_v1 = 1), and rules:check says so (issue #24)", async () => {
    await sql("UPDATE contracts SET status = CASE WHEN id = 'ct_alpha' THEN 'active' ELSE 'paused' END");
    await sql("UPDATE contracts SET signature_v1 = 1 WHERE id = 'ct_alpha'");
    await setBuyers({ alpha: { bid: 18 } });
    expect((await (await postLead(demoLead())).json<Answer>()).status).toBe("sold");
    for (const r of await received("alpha")) {
      const v1 = [r.body, r.headers["x-leadgate-timestamp"] ?? null, r.headers["x-leadgate-signature"] ?? null] as const;
      expect(await verifyLeadgateSignature(DEMO_SECRET, ...v1)).toBe(true);
      expect(await verifyLeadgateRequest(DEMO_SECRET, signed(r))).toBe(true);
    }
    const { warnings } = await getRules(env.DB, 0);
    expect(warnings).toContainEqual(expect.objectContaining({ table: "contracts", id: "ct_alpha", column: "signature_v1" }));
  });
  it("the relay transport (PingRelay objects, batches of six) gives the same result", async () => {
    const many = Array.from(
      { length: 14 },
      (_, i) =>
        `('ct_r${i}', 'buy_r${i}', 'cmp_auto', 'r${i}', '${env.BUYERS_URL}/b/r${i}/ping', '${env.BUYERS_URL}/b/r${i}/post', 'demo-shared-secret-0123456789')`,
    );
    await sql(`INSERT INTO buyers (id, name) VALUES ${Array.from({ length: 14 }, (_, i) => `('buy_r${i}', 'Relay ${i}')`).join(",")}`);
    await sql(`INSERT INTO contracts (id, buyer_id, campaign_id, name, ping_url, post_url, secret) VALUES ${many.join(",")}`);
    await sql("UPDATE contracts SET status = 'paused' WHERE id NOT LIKE 'ct_r%'");
    await setBuyers(Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`r${i}`, { bid: 10 + i, pingLatencyMs: 30 }])));
    // Same worker, relay transport, and production's six-connection limit emulated per invocation and per relay.
    const relayEnv = { ...env, PING_TRANSPORT: "relay", EMULATE_CONNECTION_LIMIT: "6" };
    const ctx = createExecutionContext();
    const res = await worker.fetch(leadRequest(), relayEnv, ctx);
    const a = await res.json<Answer>();
    await waitOnExecutionContext(ctx);
    expect(a).toMatchObject({ status: "sold", buyer: "Relay 13", price: 23 });
    const pings = await pingsOf(a.lead_id);
    expect(pings.filter((p) => p.outcome === "bid")).toHaveLength(14);
  });

  it("a fan-out limit leaves the lowest-priority buyers out, with a record", async () => {
    await only("ct_alpha", "ct_bravo", "ct_charlie");
    await sql("UPDATE campaigns SET max_fanout = 2");
    await sql("UPDATE contracts SET priority = 1 WHERE id IN ('ct_alpha', 'ct_bravo')");
    await setBuyers({ alpha: { bid: 10 }, bravo: { bid: 11 }, charlie: { bid: 99 } });
    const a = await sell();
    expect(a.buyer).toBe("Bravo Direct");
    expect((await pingsOf(a.lead_id)).find((p) => p.contract_id === "ct_charlie")).toMatchObject({
      outcome: "skipped",
      reason: "fan-out limit (2 pings per lead)",
    });
  });
});

describe("signatures carry their direction (issue #24)", () => {
  const deletion = async () => {
    await sql("UPDATE contracts SET status = CASE WHEN id = 'ct_alpha' THEN 'active' ELSE 'paused' END");
    await setBuyers({ alpha: { bid: 18 } });
    const a = await (await postLead(demoLead())).json<Answer>();
    await leadReaches(a.lead_id, ["sold"]);
    return JSON.stringify({ lead_id: a.lead_id, reason: "consumer asked us" });
  };
  const callBack = (body: string, headers: Record<string, string>) =>
    gateway("/v1/buyers/deletions", {
      method: "POST",
      headers: { "content-type": "application/json", "x-leadgate-contract": "ct_alpha", ...headers },
      body,
    });

  it("a request leadgate signed is refused when replayed to leadgate as the buyer's call back", async () => {
    const body = await deletion();
    // Every signature leadgate puts on a request to this buyer (v3, v2 and v1), as if the buyer's
    // endpoint were this path: before the direction, its v2 passed as the buyer's own.
    const sent = await signatureHeaders(
      { secrets: [DEMO_SECRET], v1: true },
      "POST",
      "https://buyer.example/v1/buyers/deletions",
      body,
      Date.now(),
    );
    expect(Object.keys(sent).sort()).toEqual([
      "X-Leadgate-Signature",
      "X-Leadgate-Signature-V2",
      "X-Leadgate-Signature-V3",
      "X-Leadgate-Timestamp",
    ]);
    const replayed = await callBack(body, sent);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ error: "unauthorized" });
    // The same call signed as a buyer signs it (the docs' signer) is taken.
    const own = await callBack(
      body,
      await signLeadgateCallback(DEMO_SECRET, { method: "POST", pathAndQuery: "/v1/buyers/deletions", rawBody: body }),
    );
    expect(own.status).toBe(200);
  });

  it("a buyer's call back never verifies as a request from leadgate", async () => {
    await sql("UPDATE contracts SET status = CASE WHEN id = 'ct_alpha' THEN 'active' ELSE 'paused' END");
    await setBuyers({ alpha: { bid: 18 } });
    expect((await (await postLead(demoLead())).json<Answer>()).status).toBe("sold");
    const ping = (await received("alpha")).find((r) => r.kind === "ping")!;
    expect(await verifyLeadgateRequest(DEMO_SECRET, signed(ping))).toBe(true);
    // The same request, signed by the buyer's key in the other direction: refused by both verifiers.
    const cb = await signLeadgateCallback(DEMO_SECRET, { method: ping.method, pathAndQuery: ping.path, rawBody: ping.body });
    const asLeadgate = { ...signed(ping), timestamp: cb["X-Leadgate-Timestamp"], signature: cb["X-Leadgate-Signature-V3"] };
    expect(await verifyLeadgateRequest(DEMO_SECRET, asLeadgate)).toBe(false);
    expect(
      await verifyLeadgateRequestV2(DEMO_SECRET, { ...asLeadgate, signature: cb["X-Leadgate-Signature-V3"].replace("v3=", "v2=") }),
    ).toBe(false);
  });
});
