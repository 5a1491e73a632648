// The consumer data lifecycle and consent evidence, through the worker: retention redaction (with a
// clock), erasure and export, suppressed bodies never stored, consent checks with good and bad
// evidence (a maximum age needs a timestamp), TrustedForm claimed before the post (never on a ping), one-to-one consent, verification
// hooks (fail, flag, time out), the evidence posted to the buyer, and a buyer's signed deletion.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { DEMO_SECRET } from "../../demo/constants";
import { signLeadgateCallback } from "../../docs/examples/verify-signature";
import { dbOf } from "../../src/db/client";
import { Records } from "../../src/db/records";
import { runRetention } from "../../src/queues/retention";
import {
  ADMIN,
  countOf,
  demoLead,
  eventually,
  gateway,
  leadReaches,
  leadRow,
  onlyContracts,
  postLead,
  received,
  seedDemo,
  setBuyers,
  sql,
} from "../support/helpers";

const DAY = 86_400_000;
const CERT = `https://cert.trustedform.com/${"ab12".repeat(10)}`;
const PING_URL = "https://ping.trustedform.com/0.AbCdEfGhIjKlMnOp";
const evidence = (over: Record<string, unknown> = {}) => ({
  tcpa_consent: true,
  tcpa_consent_text: "By clicking, I agree to be contacted by Alpha Insurance about quotes.",
  consent_timestamp: new Date(Date.now() - 60_000).toISOString(),
  trustedform_cert_url: CERT,
  trustedform_ping_url: PING_URL,
  ...over,
});

const sold = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const res = await postLead(body, { headers });
  expect(res.status).toBe(200);
  const answer = await res.json<{ lead_id: string; status: string; reason: string | null }>();
  return answer;
};

beforeEach(async () => {
  await seedDemo();
  await onlyContracts("ct_alpha", "ct_charlie");
  await setBuyers({ alpha: { bid: 18 }, charlie: { bid: 15 } });
});

describe("retention", () => {
  it("after retention_days a lead's personal fields are redacted; its record, prices, pings and posts stay", async () => {
    const { lead_id } = await sold(
      { ...demoLead(), ...evidence() },
      { "cf-connecting-ip": "198.51.100.23", "user-agent": "Mozilla/5.0 test" },
    );
    const before = await leadReaches(lead_id, ["sold"]);
    expect(String(before.data)).toContain("Pat");
    const pings = await countOf("SELECT COUNT(*) AS n FROM pings WHERE lead_id = ?", lead_id);

    const db = new Records(dbOf(env.DB));
    expect(await runRetention(db, Date.now() + 10 * DAY)).toBe(0); // not due yet
    expect(await runRetention(db, Date.now() + 1096 * DAY)).toBeGreaterThanOrEqual(1);

    const after = (await leadRow(lead_id))!;
    expect(JSON.parse(String(after.data))).toEqual({
      zip: "94107",
      state: "CA",
      homeowner: true,
      vehicle_year: 2018,
      credit: "good",
      _redacted: true,
    });
    expect(JSON.parse(String(after.meta))).not.toHaveProperty("ip");
    const consent = JSON.parse(String(after.consent)) as Record<string, unknown>;
    expect(consent).toMatchObject({ trustedform_cert_url: CERT, tcpa_consent: true });
    expect(consent).not.toHaveProperty("ip");
    expect(consent).not.toHaveProperty("user_agent");
    expect(after).toMatchObject({ status: "sold", price_cents: 1800, phone_hash: null, email_hash: null });
    expect(after.redacted_at).not.toBeNull();
    expect(await countOf("SELECT COUNT(*) AS n FROM pings WHERE lead_id = ?", lead_id)).toBe(pings);
    expect(await countOf("SELECT COUNT(*) AS n FROM posts WHERE lead_id = ? AND outcome = 'accepted'", lead_id)).toBe(1);

    const progress = await (
      await gateway("/admin/retention", { headers: ADMIN })
    ).json<{ campaigns: { campaign: string; redacted: number; due: number; last_run_at: string | null }[] }>();
    expect(progress.campaigns.find((c) => c.campaign === "auto-insurance")).toMatchObject({ due: 0, redacted: expect.any(Number) });
    expect(progress.campaigns.find((c) => c.campaign === "auto-insurance")!.last_run_at).not.toBeNull();
  });
});

describe("erasure, access and suppression", () => {
  it("export shows what is held; erasure redacts, forgets the dedupe records and suppresses; both idempotent", async () => {
    const consumer = demoLead();
    const { lead_id } = await sold({ ...consumer, ...evidence() });
    await leadReaches(lead_id, ["sold"]);
    await new Promise((r) => setTimeout(r, 200)); // dedupe confirmations and settlements land after the answer

    const exportOf = (who: Record<string, unknown>) =>
      gateway("/admin/consumers/export", { method: "POST", headers: ADMIN, body: JSON.stringify(who) });
    const exported = await (
      await exportOf({ phone: consumer.phone })
    ).json<{
      leads: { lead_id: string; data: Record<string, unknown>; consent: Record<string, unknown>; sold_to: { buyer: string }[] }[];
      suppressed: boolean;
    }>();
    expect(exported.suppressed).toBe(false);
    expect(exported.leads).toHaveLength(1);
    expect(exported.leads[0]).toMatchObject({
      lead_id,
      data: { first_name: "Pat", email: consumer.email },
      consent: { trustedform_cert_url: CERT },
      sold_to: [{ buyer: "Alpha Insurance" }],
    });

    const erase = () =>
      gateway("/admin/consumers/erase", { method: "POST", headers: ADMIN, body: JSON.stringify({ phone: consumer.phone }) });
    const first = await (
      await erase()
    ).json<{ leads_redacted: number; lead_ids: string[]; dedupe_records_removed: number; suppressed: { added: boolean }[] }>();
    // Erasing by phone erases the person: the email their lead carried is suppressed too.
    expect(first).toMatchObject({
      leads_redacted: 1,
      lead_ids: [lead_id],
      leads_erased: [],
      suppressed: [
        { kind: "phone", added: true },
        { kind: "email", added: true },
      ],
    });
    expect(first.dedupe_records_removed).toBeGreaterThan(0);
    expect(String((await leadRow(lead_id))!.data)).not.toContain("Pat");

    const again = await (await erase()).json<{ leads_redacted: number; suppressed: { added: boolean }[] }>();
    expect(again).toMatchObject({ leads_redacted: 0, lead_ids: [], suppressed: [{ kind: "phone", added: false }] });
    const after = await (await exportOf({ phone: consumer.phone })).json<{ leads: unknown[]; suppressed: boolean }>();
    expect(after).toEqual({ leads: [], suppressed: true });
    // The export is a POST: a GET (the consumer's number in the URL) no longer exists.
    expect((await gateway(`/admin/consumers/export?phone=${encodeURIComponent(String(consumer.phone))}`, { headers: ADMIN })).status).toBe(
      404,
    );

    // A resubmission is refused, and its body is not stored.
    const back = await sold({ ...consumer, ...evidence() });
    expect(back.status).toBe("rejected");
    const row = await leadReaches(back.lead_id, ["rejected"]);
    expect(row).toMatchObject({ data: "{}", consent: null, meta: "{}" });
    expect(JSON.stringify(row)).not.toContain("Pat");
    expect(row.phone_hash).toMatch(/^[0-9a-f]{64}$/); // the fact, and a hash
  });

  it("a bad phone is a 422 naming the field", async () => {
    const res = await gateway("/admin/consumers/erase", { method: "POST", headers: ADMIN, body: JSON.stringify({ phone: "12" }) });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ fields: [{ path: "phone" }] });
  });
});

describe("consent evidence", () => {
  it("good evidence passes; each bad piece is a 422 naming its field", async () => {
    expect((await postLead({ ...demoLead(), ...evidence() })).status).toBe(200);
    const bad: [Record<string, unknown>, string][] = [
      [{ trustedform_cert_url: "https://evil.example/cert/abc" }, "trustedform_cert_url"],
      [{ trustedform_ping_url: "https://cert.trustedform.com/x" }, "trustedform_ping_url"],
      [{ jornaya_leadid: "not-a-token" }, "jornaya_leadid"],
      [{ consent_timestamp: new Date(Date.now() - 3 * DAY).toISOString() }, "consent_timestamp"],
      [{ consent_timestamp: new Date(Date.now() + DAY).toISOString() }, "consent_timestamp"],
    ];
    for (const [over, field] of bad) {
      const res = await postLead({ ...demoLead(), ...evidence(over) });
      expect(res.status, field).toBe(422);
      expect((await res.json<{ fields: { path: string }[] }>()).fields.map((f) => f.path)).toContain(field);
    }
  });

  it("a campaign that requires consent with a maximum age refuses a lead without consent_timestamp (issue #24)", async () => {
    await sql("UPDATE campaigns SET require_consent = 1, consent_max_age_s = 86400 WHERE id = 'cmp_auto'");
    const { consent_timestamp: _left_out, ...undated } = evidence();
    const res = await postLead({ ...demoLead(), ...undated });
    expect(res.status).toBe(422);
    expect((await res.json<{ fields: { path: string; message: string }[] }>()).fields).toEqual([
      { path: "consent_timestamp", message: "this campaign requires when consent was given (at most 86400 s ago)" },
    ]);
    // Without a maximum age there is nothing for the timestamp to bound.
    await sql("UPDATE campaigns SET consent_max_age_s = NULL WHERE id = 'cmp_auto'");
    expect((await postLead({ ...demoLead(), ...undated })).status).toBe(200);
  });

  it("the post carries the consent record and the retention; the ping only the TrustedForm ping URL", async () => {
    const { lead_id } = await sold(
      { ...demoLead(), ...evidence() },
      { "cf-connecting-ip": "198.51.100.24", "user-agent": "Mozilla/5.0 evidence" },
    );
    await leadReaches(lead_id, ["sold"]);
    const alpha = await received("alpha");
    const post = alpha.find((r) => r.kind === "post" && r.body.includes(lead_id))!;
    const pingId = (JSON.parse(post.body) as { ping_id: string }).ping_id;
    const ping = alpha.find((r) => r.kind === "ping" && r.body.includes(pingId))!;
    expect(JSON.parse(ping.body)).toMatchObject({ trustedform_ping_url: PING_URL });
    expect(ping.body).not.toContain("cert.trustedform.com");
    expect(JSON.parse(post.body)).toMatchObject({
      retention_days: 1095,
      consent: {
        tcpa_consent: true,
        consent_text: expect.stringContaining("Alpha"),
        trustedform_cert_url: CERT,
        ip: "198.51.100.24",
        user_agent: "Mozilla/5.0 evidence",
      },
    });
  });

  it("one-to-one consent: only the named sellers' contracts compete; the trace says why others did not", async () => {
    await sql("UPDATE campaigns SET one_to_one = 1 WHERE id = 'cmp_auto'");
    expect((await postLead({ ...demoLead(), ...evidence() })).status).toBe(422); // no sellers named
    const { lead_id } = await sold({ ...demoLead(), ...evidence({ consent_sellers: "charlie auto" }) });
    await leadReaches(lead_id, ["sold"]);
    const pings = await eventually(async () => {
      const r = (
        await env.DB.prepare("SELECT contract_id, outcome, reason FROM pings WHERE lead_id = ? ORDER BY contract_id").bind(lead_id).all()
      ).results;
      return r.length === 2 ? r : undefined;
    });
    expect(pings).toEqual([
      { contract_id: "ct_alpha", outcome: "skipped", reason: "not named in the consumer's one-to-one consent" },
      { contract_id: "ct_charlie", outcome: "bid", reason: null },
    ]);
  });
});

describe("pre-sale checks", () => {
  it("TrustedForm is claimed before the post and never for a seller's ping; a certificate it refuses rejects the lead", async () => {
    await sql("UPDATE campaigns SET trustedform = 'claim' WHERE id = 'cmp_auto'");
    await setBuyers({ alpha: { bid: 18 }, charlie: { bid: 15 } }); // clears the stub's log
    const ping = await gateway("/v1/pings", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "demo-server-key" },
      body: JSON.stringify({ campaign: "auto-insurance", zip: "94107", state: "CA" }),
    });
    expect(ping.status).toBe(200);
    expect(await received("_trustedform")).toHaveLength(0);

    const consumer = demoLead();
    const { lead_id, status } = await sold({ ...consumer, ...evidence() });
    expect(status).toBe("sold");
    const calls = await received("_trustedform");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe(`/trustedform/${"ab12".repeat(10)}`);
    // Certificate API v4: retain requires match_lead (test/integration/consent-checks.test.ts has the rest).
    expect(JSON.parse(calls[0]!.body)).toMatchObject({ match_lead: { email: consumer.email }, retain: { reference: lead_id } });
    const checks = await eventually(async () =>
      env.DB.prepare("SELECT detail FROM lead_events WHERE lead_id = ? AND kind = 'checks'").bind(lead_id).first<{ detail: string }>(),
    );
    expect(JSON.parse(checks.detail)).toMatchObject({ flagged: false, results: [{ name: "trustedform_claim", outcome: "pass" }] });

    // A duplicate claims nothing (the claim waits for the dedupe verdict).
    await sql("UPDATE campaigns SET dedupe_window_s = 60 WHERE id = 'cmp_auto'");
    const again = demoLead();
    expect((await sold({ ...again, ...evidence() })).status).toBe("sold");
    const claims = (await received("_trustedform")).length;
    expect((await sold({ ...again, ...evidence() })).status).toBe("duplicate");
    expect(await received("_trustedform")).toHaveLength(claims);

    const bad = await sold({ ...demoLead(), ...evidence({ trustedform_cert_url: `https://cert.trustedform.com/${"0".repeat(40)}` }) });
    expect(bad.status).toBe("rejected");
    expect(bad.reason).toMatch(/^pre-sale check trustedform_claim: fail/);
    const postsBefore = (await received("alpha")).filter((r) => r.kind === "post" && r.body.includes(bad.lead_id));
    expect(postsBefore).toHaveLength(0);
  });

  it("a hook that fails rejects, one that times out does what the campaign says, a flag lets the lead through", async () => {
    const hook = (over: Record<string, unknown>) =>
      sql(
        `UPDATE campaigns SET verify_hooks = ? WHERE id = 'cmp_auto'`,
        JSON.stringify([{ name: "dnc", url: `${env.BUYERS_URL}/b/dnc/post`, timeout_ms: 150, ...over }]),
      );
    const dnc = (b: Record<string, unknown>) => setBuyers({ alpha: { bid: 18 }, charlie: { bid: 15 }, dnc: b });

    await hook({ on_fail: "reject" });
    await dnc({ postAnswer: { body: '{"result":"fail","reason":"on the DNC list"}', type: "application/json" } });
    const onDnc = await sold(demoLead());
    expect(onDnc).toMatchObject({ status: "rejected", reason: "pre-sale check dnc: fail (on the DNC list)" });
    expect(JSON.parse((await received("dnc"))[0]!.body)).toMatchObject({ lead_id: onDnc.lead_id, phone: expect.stringMatching(/^\+1/) });

    await hook({ on_timeout: "reject" });
    await dnc({ post: "hang" });
    const started = Date.now();
    const timedOut = await sold(demoLead());
    expect(timedOut).toMatchObject({ status: "rejected", reason: "pre-sale check dnc: timeout (no answer within 150 ms)" });
    expect(Date.now() - started).toBeLessThan(5000); // the budget holds even though the hook never answers

    await hook({ on_timeout: "continue" });
    expect((await sold(demoLead())).status).toBe("sold");

    await hook({ on_fail: "flag" });
    await dnc({ postAnswer: { body: '{"result":"fail","reason":"litigator"}', type: "application/json" } });
    const flagged = await sold(demoLead());
    expect(flagged.status).toBe("sold");
    const checks = await eventually(async () =>
      env.DB.prepare("SELECT detail FROM lead_events WHERE lead_id = ? AND kind = 'checks'")
        .bind(flagged.lead_id)
        .first<{ detail: string }>(),
    );
    expect(JSON.parse(checks.detail)).toMatchObject({
      flagged: true,
      results: [{ name: "dnc", outcome: "fail", action: "flag", detail: "litigator" }],
    });
  });
});

describe("a buyer's deletion request", () => {
  it("is accepted signed with the contract's key, recorded on the lead, refused otherwise", async () => {
    const { lead_id } = await sold(demoLead());
    await leadReaches(lead_id, ["sold"]);
    const body = JSON.stringify({ lead_id, reason: "consumer asked us" });
    const signed = async (contract: string, secret: string, b = body) => ({
      "content-type": "application/json",
      "x-leadgate-contract": contract,
      ...(await signLeadgateCallback(secret, { method: "POST", pathAndQuery: "/v1/buyers/deletions", rawBody: b })),
    });
    expect(
      (await gateway("/v1/buyers/deletions", { method: "POST", headers: await signed("ct_alpha", "wrong-secret-0123456789"), body }))
        .status,
    ).toBe(401);
    expect((await gateway("/v1/buyers/deletions", { method: "POST", headers: await signed("ct_charlie", DEMO_SECRET), body })).status).toBe(
      404,
    ); // charlie did not buy it
    const ok = await gateway("/v1/buyers/deletions", { method: "POST", headers: await signed("ct_alpha", DEMO_SECRET), body });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ lead_id, recorded: true });
    const event = await env.DB.prepare("SELECT detail FROM lead_events WHERE lead_id = ? AND kind = 'buyer_deletion'")
      .bind(lead_id)
      .first<{ detail: string }>();
    expect(JSON.parse(event!.detail)).toEqual({ contract: "ct_alpha", reason: "consumer asked us" });
  });
});
