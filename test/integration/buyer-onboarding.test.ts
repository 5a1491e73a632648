// Onboarding a buyer without code (issue #27), end to end through the worker against loopback buyers:
// a buyer that insists on ten-digit phones, Y/N and MM/DD/YYYY takes posts once its mapping has
// transforms; an attribute-only XML buyer is read; each connector preset sells to a buyer answering as
// its platform documents (demo/platform-answers.ts), with only URLs, credentials and field names set.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { Behaviour } from "../../demo/constants";
import { DEMO_SECRET } from "../../demo/constants";
import { demoLead, eventually, leadReaches, postLead, received, seedDemo, setBuyers, sql } from "../support/helpers";

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE contracts SET status = 'paused'");
  await sql("UPDATE campaigns SET retry_max_attempts = 0");
});

/** One active contract for the mock buyer `name`; fixed-price when `fixedCents` is given. */
async function buyer(name: string, protocol: unknown, fixedCents?: number) {
  await sql(`INSERT INTO buyers (id, name) VALUES ('buy_${name}', '${name}')`);
  await sql(
    `INSERT INTO contracts (id, buyer_id, campaign_id, name, ping_url, post_url, secret, protocol, pricing, fixed_price_cents)
     VALUES (?, ?, 'cmp_auto', ?, ?, ?, ?, ?, ?, ?)`,
    `ct_${name}`,
    `buy_${name}`,
    name,
    fixedCents === undefined ? `${env.BUYERS_URL}/b/${name}/ping` : null,
    `${env.BUYERS_URL}/b/${name}/post`,
    DEMO_SECRET,
    JSON.stringify(protocol),
    fixedCents === undefined ? "dynamic" : "fixed",
    fixedCents ?? null,
  );
}

type Answer = { lead_id: string; status: string; price: number; buyer: string | null };
async function sell(behaviours: Record<string, Behaviour>, lead = demoLead()): Promise<Answer> {
  await setBuyers(behaviours);
  const answer = await (await postLead(lead)).json<Answer>();
  await leadReaches(answer.lead_id, ["sold", "unsold"]);
  return answer;
}
const rowOf = (table: "pings" | "posts", leadId: string) =>
  eventually(() => env.DB.prepare(`SELECT * FROM ${table} WHERE lead_id = ?`).bind(leadId).first<Record<string, unknown>>());
const lastOf = async (name: string, kind: "ping" | "post") => (await received(name)).filter((r) => r.kind === kind).at(-1)!;

describe("values in the buyer's shape", () => {
  const INSISTS = { requires: { phone: "\\d{10}", home_owner: "Y|N", birth_date: "\\d{2}/\\d{2}/\\d{4}" } };

  it("a buyer that insists on ten-digit phones, Y/N and MM/DD/YYYY rejects the stored values and takes the transformed ones", async () => {
    const form = (mapping: Record<string, unknown>) => ({
      kind: "template",
      post: { format: "form", mapping, response: { accepted_path: "accepted", reason_path: "reason" } },
    });
    await buyer("picky", form({ phone: "phone", home_owner: "homeowner", birth_date: "dob" }), 2000);
    const plain = await sell({ picky: INSISTS });
    expect(plain.status).toBe("unsold");
    expect(await rowOf("posts", plain.lead_id)).toMatchObject({ outcome: "rejected", reason: "phone must match \\d{10}" });

    await sql(
      "UPDATE contracts SET protocol = ? WHERE id = 'ct_picky'",
      JSON.stringify(
        form({
          phone: { from: "phone", format: "digits10" },
          home_owner: { from: "homeowner", bool: ["Y", "N"] },
          birth_date: { from: "dob", date: "MM/DD/YYYY" },
          name: { concat: ["first_name", " ", "last_name"], case: "upper" },
        }),
      ),
    );
    const lead = demoLead({ homeowner: false, dob: "1979-12-03" });
    const sold = await sell({ picky: INSISTS }, lead);
    expect(sold).toMatchObject({ status: "sold", price: 20 });
    const post = Object.fromEntries(new URLSearchParams((await lastOf("picky", "post")).body));
    expect(post).toEqual({ phone: String(lead.phone).replace(/\D/g, ""), home_owner: "N", birth_date: "12/03/1979", name: "PAT DOE" });
  });

  it("a ping reaches only ping-safe fields, whatever its entries' transforms ask for", async () => {
    await buyer("snoop", {
      kind: "template",
      ping: {
        format: "json",
        mapping: {
          zip: "zip",
          own: { from: "homeowner", bool: ["Y", "N"] },
          name: { concat: ["first_name", " ", "last_name"], case: "upper" },
          tel: { from: "phone", format: "digits10" },
          born: { from: "dob", date: "MM/DD/YYYY" },
          mail: { from: "email", truncate: 64 },
          street: { from: "street", map: { "1 Main St": "known" }, default: "unknown" },
        },
        response: { bid_path: "bid" },
      },
      post: { format: "json", mapping: { tel: { from: "phone", format: "digits10" } }, response: {} },
    });
    const lead = demoLead();
    await sell({ snoop: { pingAnswer: { body: '{"bid": 9}', type: "application/json" } } }, lead); // above the campaign floor
    const ping = JSON.parse((await lastOf("snoop", "ping")).body) as Record<string, unknown>;
    expect(ping).toEqual({ zip: "94107", own: "Y", street: "unknown" });
    expect(JSON.parse((await lastOf("snoop", "post")).body)).toEqual({ tel: String(lead.phone).replace(/\D/g, "") });
  });

  it("an attribute-only XML buyer is read: its bid, its acceptance and its lead id", async () => {
    await buyer("attr", {
      kind: "template",
      ping: {
        format: "xml",
        xml_root: "Ping",
        mapping: { "@zip": "zip" },
        response: { bid_path: "Response.@Price", bid_token_path: "Response.@Token" },
      },
      post: {
        format: "xml",
        xml_root: "Lead",
        mapping: { "@token": "$bid_token", Phone: { from: "phone", format: "dashed" } },
        response: { accepted_path: "Response.@Result", accepted_values: ["Accepted"], buyer_lead_id_path: "Response.@LeadId" },
      },
    });
    const a = await sell({
      attr: {
        pingAnswer: { body: '<Response Result="Accepted" Price="14.25" Token="AT-1"/>', type: "application/xml" },
        postAnswer: { body: '<?xml version="1.0"?><Response Result="Accepted" LeadId="AT-LEAD-3"/>', type: "application/xml" },
      },
    });
    expect(a).toMatchObject({ status: "sold", price: 14.25 });
    expect((await lastOf("attr", "ping")).body).toMatch(/<Ping zip="94107"><\/Ping>$|<Ping zip="94107"\/>$/);
    expect((await lastOf("attr", "post")).body).toMatch(/<Lead token="AT-1"><Phone>\d{3}-\d{3}-\d{4}<\/Phone><\/Lead>$/);
    expect(await rowOf("posts", a.lead_id)).toMatchObject({ outcome: "accepted", buyer_lead_id: "AT-LEAD-3" });
  });
});

describe("connector presets", () => {
  it("boberdoo: pingPostLead form fields, XML answers; the ping's lead_id is the post's Lead_ID", async () => {
    const creds = { Key: "bb-key-1", SRC: "leadgate", TYPE: "33" };
    await buyer("bob", {
      kind: "template",
      preset: "boberdoo",
      ping: { static: creds, mapping: { Zip: "zip", State: "state" } },
      post: { static: creds, mapping: { Zip: "zip", Phone: { from: "phone", format: "digits10" }, Email: "email" } },
    });
    const a = await sell({ bob: { platform: "boberdoo", bid: 12.5 } });
    expect(a).toMatchObject({ status: "sold", price: 12.5 });
    const ping = Object.fromEntries(new URLSearchParams((await lastOf("bob", "ping")).body));
    expect(ping).toMatchObject({ API_Action: "pingPostLead", Mode: "ping", Return_Best_Price: "1", Key: "bb-key-1", Zip: "94107" });
    expect(Object.fromEntries(new URLSearchParams((await lastOf("bob", "post")).body))).toMatchObject({ Mode: "post", Lead_ID: "bob-77" });
    expect(await rowOf("posts", a.lead_id)).toMatchObject({ outcome: "accepted", buyer_lead_id: "bob-77" });

    const unmatched = await sell({ bob: { platform: "boberdoo", bid: 0 } });
    expect(unmatched.status).toBe("unsold");
    expect(await rowOf("pings", unmatched.lead_id)).toMatchObject({ outcome: "no_bid", reason: "No matching buyers" });
    const rejected = await sell({ bob: { platform: "boberdoo", bid: 9, post: "reject", rejectReason: "Duplicate lead" } });
    expect(await rowOf("posts", rejected.lead_id)).toMatchObject({ outcome: "rejected", reason: "Duplicate lead" });
  });

  it("LeadsPedia: lp_ fields, JSON answers; the ping's ping_id is the post's lp_ping_id", async () => {
    const creds = { lp_campaign_id: "5f1", lp_campaign_key: "lp-key" };
    await buyer("lp", {
      kind: "template",
      preset: "leadspedia",
      ping: { static: creds, mapping: { zip_code: "zip", state: "state" } },
      post: { static: creds, mapping: { phone_home: { from: "phone", format: "digits10" }, email_address: "email" } },
    });
    const a = await sell({ lp: { platform: "leadspedia", bid: 14 } });
    expect(a).toMatchObject({ status: "sold", price: 14 });
    expect(Object.fromEntries(new URLSearchParams((await lastOf("lp", "post")).body))).toMatchObject({
      lp_ping_id: "lp-PING-5",
      lp_response: "JSON",
    });
    expect(await rowOf("posts", a.lead_id)).toMatchObject({ buyer_lead_id: "lp-LEAD-9" });
    const none = await sell({ lp: { platform: "leadspedia", bid: 0 } });
    expect(await rowOf("pings", none.lead_id)).toMatchObject({ outcome: "no_bid", reason: "No buyers available" });
  });

  it("LeadConduit: flat JSON in, {outcome, reason, lead.id, price} out; a direct post needs only the post part", async () => {
    await buyer(
      "lc",
      { kind: "template", preset: "leadconduit", post: { mapping: { email: "email", phone_1: { from: "phone", format: "digits10" } } } },
      1500,
    );
    const a = await sell({ lc: { platform: "leadconduit" } });
    expect(a).toMatchObject({ status: "sold", price: 15 });
    const post = await lastOf("lc", "post");
    expect(post.headers["content-type"]).toBe("application/json");
    expect(post.headers.accept).toBe("application/json");
    expect(await rowOf("posts", a.lead_id)).toMatchObject({ buyer_lead_id: "lc5fd8e255a56b8d5f2e69e1d9".slice(-24) });
    const failed = await sell({ lc: { platform: "leadconduit", post: "reject", rejectReason: "Failed email validation" } });
    expect(await rowOf("posts", failed.lead_id)).toMatchObject({ outcome: "rejected", reason: "Failed email validation" });
  });

  it("form in, text out: price=… pings and SUCCESS posts; anything else is a reject with the text as its reason", async () => {
    await buyer("txt", { kind: "template", preset: "form_text", ping: { mapping: { zip: "zip" } }, post: { mapping: { email: "email" } } });
    expect(await sell({ txt: { platform: "form_text", bid: 7.25 } })).toMatchObject({ status: "sold", price: 7.25 });
    const refused = await sell({ txt: { platform: "form_text", bid: 7.25, post: "reject", rejectReason: "out of area" } });
    expect(await rowOf("posts", refused.lead_id)).toMatchObject({ outcome: "rejected", reason: "REJECTED: out of area" });
  });
});
