// Buyers in their own formats (issue #17), configured in the contract's protocol, never in code: each
// style below is a real loopback buyer answering exactly its platform's payloads, end to end
// through the worker.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { Behaviour } from "../../demo/constants";
import { DEMO_SECRET } from "../../demo/constants";
import { verifyLeadgateRequest } from "../../docs/examples/verify-signature";
import { demoLead, eventually, leadReaches, postLead, received, seedDemo, setBuyers, sql } from "../support/helpers";

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE contracts SET status = 'paused'");
  await sql("UPDATE campaigns SET retry_max_attempts = 0");
});

/** One active contract for the mock buyer `name`, with this protocol and these headers. */
async function buyer(name: string, protocol: unknown, extra: { apiHeaders?: Record<string, string> } = {}) {
  await sql(`INSERT INTO buyers (id, name) VALUES ('buy_${name}', '${name}')`);
  await sql(
    `INSERT INTO contracts (id, buyer_id, campaign_id, name, ping_url, post_url, secret, protocol, api_headers)
     VALUES (?, ?, 'cmp_auto', ?, ?, ?, ?, ?, ?)`,
    `ct_${name}`,
    `buy_${name}`,
    name,
    `${env.BUYERS_URL}/b/${name}/ping?vendor=lg`,
    `${env.BUYERS_URL}/b/${name}/post`,
    DEMO_SECRET,
    JSON.stringify(protocol),
    JSON.stringify(extra.apiHeaders ?? {}),
  );
}

async function sell(behaviours: Record<string, Behaviour>) {
  await setBuyers(behaviours);
  const answer = await (await postLead(demoLead())).json<{ lead_id: string; status: string; price: number; buyer: string | null }>();
  await leadReaches(answer.lead_id, ["sold", "unsold"]);
  return answer;
}

const pingRow = (leadId: string) =>
  eventually(() =>
    env.DB.prepare("SELECT outcome, reason, bid_cents, bid_token FROM pings WHERE lead_id = ?")
      .bind(leadId)
      .first<Record<string, unknown>>(),
  );
const postRow = (leadId: string) =>
  eventually(() =>
    env.DB.prepare("SELECT outcome, reason, buyer_lead_id FROM posts WHERE lead_id = ?").bind(leadId).first<Record<string, unknown>>(),
  );

describe("buyers in their own formats", () => {
  it("boberdoo style: XML request, XML answers (<response><status>Matched</status><price>…)", async () => {
    await buyer("bob", {
      kind: "template",
      ping: {
        format: "xml",
        xml_root: "request",
        mapping: { "lead.zip": "zip", "lead.state": "state", ping_ref: "$ping_id" },
        response: {
          bid_path: "response.price",
          bid_token_path: "response.ping_id",
          failure_path: "response.status",
          failure_values: ["Unmatched"],
          reason_path: "response.reason",
        },
      },
      post: {
        format: "xml",
        xml_root: "request",
        mapping: { "lead.email": "email", "lead.phone": "phone", ping_id: "$bid_token" },
        response: {
          accepted_path: "response.status",
          accepted_values: ["Matched"],
          reason_path: "response.reason",
          buyer_lead_id_path: "response.lead_id",
        },
      },
    });
    const a = await sell({
      bob: {
        pingAnswer: {
          body: "<?xml version='1.0'?><response><status>Matched</status><price>12.50</price><ping_id>BB-77</ping_id></response>",
          type: "application/xml",
        },
        postAnswer: { body: "<response><status>Matched</status><lead_id>BB-LEAD-1</lead_id></response>", type: "application/xml" },
      },
    });
    expect(a).toMatchObject({ status: "sold", price: 12.5, buyer: "bob" });
    const [ping, post] = [(await received("bob")).find((r) => r.kind === "ping")!, (await received("bob")).find((r) => r.kind === "post")!];
    expect(ping.headers["content-type"]).toBe("application/xml");
    expect(ping.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><request><lead><zip>94107<\/zip><state>CA<\/state><\/lead><ping_ref>pg_/,
    );
    expect(post.body).toContain("<ping_id>BB-77</ping_id>"); // the buyer's own token, back in the post
    expect(await postRow(a.lead_id)).toMatchObject({ outcome: "accepted", buyer_lead_id: "BB-LEAD-1" });
  });

  it("an XML buyer's Unmatched answer is a no bid with its reason", async () => {
    await buyer("bob", {
      kind: "template",
      ping: {
        format: "xml",
        mapping: { zip: "zip" },
        response: {
          bid_path: "response.price",
          failure_path: "response.status",
          failure_values: ["Unmatched"],
          reason_path: "response.reason",
        },
      },
      post: { format: "xml", mapping: { email: "email" }, response: { accepted_path: "response.status", accepted_values: ["Matched"] } },
    });
    const a = await sell({ bob: { pingAnswer: { body: "<response><status>Unmatched</status><reason>No coverage</reason></response>" } } });
    expect(a.status).toBe("unsold");
    expect(await pingRow(a.lead_id)).toMatchObject({ outcome: "no_bid", reason: "No coverage" });
  });

  it("LeadsPedia style: form request, JSON ping answer, XML post answer", async () => {
    await buyer("lp", {
      kind: "template",
      ping: {
        format: "form",
        mapping: { zip_code: "zip", state: "state", credit: "credit" },
        response: { bid_path: "price", bid_token_path: "ping_id", failure_path: "result", failure_values: ["failed"] },
      },
      post: {
        format: "form",
        mapping: { ping_id: "$bid_token", email: "email", phone: "phone" },
        response: { accepted_path: "response.result", accepted_values: ["success"], buyer_lead_id_path: "response.lead_id" },
      },
    });
    const a = await sell({
      lp: {
        pingAnswer: { body: JSON.stringify({ result: "success", ping_id: "LP-PING-5", price: "14.00" }), type: "application/json" },
        postAnswer: { body: "<response><result>success</result><lead_id>LP-9</lead_id></response>", type: "text/xml" },
      },
    });
    expect(a).toMatchObject({ status: "sold", price: 14 });
    const post = (await received("lp")).find((r) => r.kind === "post")!;
    expect(Object.fromEntries(new URLSearchParams(post.body))).toMatchObject({ ping_id: "LP-PING-5" });
    expect(await postRow(a.lead_id)).toMatchObject({ buyer_lead_id: "LP-9" });
  });

  it("a failure inside an HTTP 200 ({response: failure, details: Quota Reached}) is a reject with its reason", async () => {
    await buyer("q", {
      kind: "template",
      ping: { format: "json", mapping: { zip: "zip" }, response: { bid_path: "bid", bid_unit: "cents" } },
      post: {
        format: "json",
        mapping: { email: "email" },
        response: {
          accepted_path: "response",
          accepted_values: ["success"],
          failure_path: "response",
          failure_values: ["failure"],
          reason_path: "details",
        },
      },
    });
    const a = await sell({
      q: {
        pingAnswer: { body: '{"bid":1100}', type: "application/json" },
        postAnswer: { body: '{"response":"failure","details":"Quota Reached"}', type: "application/json" },
      },
    });
    expect(a.status).toBe("unsold");
    expect(await pingRow(a.lead_id)).toMatchObject({ outcome: "bid", bid_cents: 1100 });
    expect(await postRow(a.lead_id)).toMatchObject({ outcome: "rejected", reason: "Quota Reached" });
  });

  it("a GET ping with a query string and an API key header, signed over the method and the query", async () => {
    await buyer(
      "g",
      {
        kind: "template",
        ping: {
          format: "query",
          mapping: { zip: "zip", st: "state", tmax: "$tmax", ref: "$ping_id" },
          response: { bid_path: "data.price" },
        },
        post: { format: "json", mapping: { email: "email" }, response: { accepted_path: "ok", accepted_values: [true] } },
      },
      { apiHeaders: { "X-Api-Key": "g-secret-key" } },
    );
    const a = await sell({
      g: {
        pingAnswer: { body: '{"data":{"price":9.5}}', type: "application/json" },
        postAnswer: { body: '{"ok":true}', type: "application/json" },
      },
    });
    expect(a).toMatchObject({ status: "sold", price: 9.5 });
    const ping = (await received("g")).find((r) => r.kind === "ping")!;
    expect(ping.method).toBe("GET");
    const query = new URL(ping.path, "http://x").searchParams;
    expect(query.get("vendor")).toBe("lg"); // the URL's own query is kept
    expect(query.get("zip")).toBe("94107");
    expect(Number(query.get("tmax"))).toBeGreaterThan(0);
    expect(ping.headers["x-api-key"]).toBe("g-secret-key");
    const signed = {
      method: ping.method,
      pathAndQuery: ping.path,
      rawBody: ping.body,
      timestamp: ping.headers["x-leadgate-timestamp"] ?? null,
      signature: ping.headers["x-leadgate-signature-v3"] ?? null,
    };
    expect(await verifyLeadgateRequest(DEMO_SECRET, signed)).toBe(true);
    // The API key is a secret: it is in no record.
    const trace = JSON.stringify(await env.DB.prepare("SELECT * FROM pings WHERE lead_id = ?").bind(a.lead_id).all());
    expect(trace).not.toContain("g-secret-key");
  });

  it("plain-text answers, read by a regex (PRICE=… / OK …)", async () => {
    await buyer("t", {
      kind: "template",
      ping: { format: "form", mapping: { zip: "zip" }, response: { bid_regex: "PRICE=(\\d+\\.\\d{2})" } },
      post: { format: "form", mapping: { email: "email" }, response: { accepted_regex: "^OK\\b" } },
    });
    const sold = await sell({ t: { pingAnswer: { body: "STATUS=1 PRICE=7.25" }, postAnswer: { body: "OK 55123" } } });
    expect(sold).toMatchObject({ status: "sold", price: 7.25 });
    const refused = await sell({ t: { pingAnswer: { body: "PRICE=7.25" }, postAnswer: { body: "DUPLICATE lead" } } });
    expect(refused.status).toBe("unsold");
    expect(await postRow(refused.lead_id)).toMatchObject({ outcome: "rejected", reason: "DUPLICATE lead" });
  });

  it("patterns that take a backtracking engine seconds run on RE2: a filter and plain-text answers, on long inputs (issue #24)", async () => {
    // Before RE2, each of these patterns held the Worker for seconds on 28 characters.
    await buyer("re", {
      kind: "template",
      ping: { format: "form", mapping: { zip: "zip" }, response: { bid_regex: "^(.*)(.*)(.*)x" } },
      post: { format: "form", mapping: { email: "email" }, response: { accepted_regex: "\\d*\\d*\\d*\\d*z" } },
    });
    await sql(
      `UPDATE contracts SET filters = ? WHERE id = 'ct_re'`,
      JSON.stringify([{ field: "street", op: "regex", pattern: "(a|a)*b" }]),
    );
    const lead = async (street: string, behaviour: Behaviour) => {
      await setBuyers({ re: behaviour });
      const a = await (await postLead(demoLead({ street }))).json<{ lead_id: string; status: string; price: number }>();
      await leadReaches(a.lead_id, ["sold", "unsold"]);
      return a;
    };
    const digits = (n: number) => "1".repeat(n);
    // The filter matches "a…ab", the bid is the first group before the x, the post answer ends in z.
    const sold = await lead(`${"a".repeat(27)}b`, { pingAnswer: { body: "7.25x" }, postAnswer: { body: `${digits(27)}z` } });
    expect(sold).toMatchObject({ status: "sold", price: 7.25 });
    // 28 a's: the filter does not match, and the contract is skipped.
    const filtered = await lead("a".repeat(28), { pingAnswer: { body: "7.25x" }, postAnswer: { body: `${digits(27)}z` } });
    expect(filtered.status).toBe("unsold");
    expect(await pingRow(filtered.lead_id)).toMatchObject({ outcome: "skipped", reason: "filter street regex" });
    // 10,000-character answers with no x, no z: no bid, and a reject.
    const noBid = await lead(`${"a".repeat(27)}b`, { pingAnswer: { body: "a".repeat(10_000) } });
    expect(await pingRow(noBid.lead_id)).toMatchObject({ outcome: "no_bid", reason: "no bid in answer" });
    const rejected = await lead(`${"a".repeat(27)}b`, { pingAnswer: { body: "7.25x" }, postAnswer: { body: digits(10_000) } });
    expect(rejected.status).toBe("unsold");
    expect(await postRow(rejected.lead_id)).toMatchObject({ outcome: "rejected" });
  });
});
