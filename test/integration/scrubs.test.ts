// Scrub and validation connectors on the pre-sale checks (issue #27), through the worker and the
// vendors' local stubs (demo/scrub-stubs.ts, answering the documented shapes): TCPA Litigator List,
// DNCScrub's litigator scrub, Blacklist Alliance's lookup and a generic validator. Results are cached
// per consumer fingerprint for the campaign's time, each paid call's cost is reported per campaign, a
// vendor that is down does what the campaign says, and no credential lands in a record or a trace.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SCRUB_CREDENTIALS, scrubPhone, type ScrubScenario } from "../../demo/scrub-stubs";
import worker from "../../src/index";
import {
  ADMIN,
  demoLead,
  eventually,
  gateway,
  leadRequest,
  onlyContracts,
  postLead,
  received,
  seedDemo,
  setBuyers,
  sql,
} from "../support/helpers";

interface Answer {
  lead_id: string;
  status: string;
  reason: string | null;
}
type Result = { name: string; outcome: string; action: string; detail: string | null; cached?: boolean };

beforeEach(async () => {
  await seedDemo();
  await onlyContracts("ct_alpha");
  // The same consumer may come back (the cache is per consumer, across leads and campaigns).
  await sql("UPDATE campaigns SET dedupe_window_s = 0");
  await sql("UPDATE buyers SET dedupe_window_s = 0");
  await setBuyers({ alpha: { bid: 18 } });
});

const scrubs = (list: unknown[]) => sql("UPDATE campaigns SET scrubs = ? WHERE id = 'cmp_auto'", JSON.stringify(list));
const submit = async (phone: string, extra: Record<string, unknown> = {}): Promise<Answer> => {
  const res = await postLead(demoLead({ phone, ...extra }));
  expect(res.status).toBe(200);
  return res.json<Answer>();
};
const checksOf = async (leadId: string) => {
  const row = await eventually(() =>
    env.DB.prepare("SELECT detail FROM lead_events WHERE lead_id = ? AND kind = 'checks'").bind(leadId).first<{ detail: string }>(),
  );
  return JSON.parse(row.detail) as { flagged: boolean; results: Result[] };
};
const postsOf = async (leadId: string) => (await received("alpha")).filter((r) => r.kind === "post" && r.body.includes(leadId));
const ten = (phone: string) => phone.replace(/\D/g, "");

describe("TCPA Litigator List", () => {
  it("POSTs phone_number and type with Basic auth; a clean number sells, a listed one is rejected and posted to no one", async () => {
    await scrubs([{ vendor: "tcpa_litigator", types: ["tcpa", "dnc"], cost_cents: 2 }]);
    const phone = scrubPhone();
    expect((await submit(phone)).status).toBe("sold");
    const [call] = await received("_tcpa");
    expect(call!.method).toBe("POST");
    expect(call!.path).toBe("/tcpa/scrub/phone/");
    expect(call!.headers.authorization).toBe(`Basic ${btoa(`${SCRUB_CREDENTIALS.tcpaUser}:${SCRUB_CREDENTIALS.tcpaPass}`)}`);
    expect(Object.fromEntries(new URLSearchParams(call!.body))).toEqual({ phone_number: ten(phone), type: '["tcpa","dnc"]' });

    const listed = await submit(scrubPhone("listed"));
    expect(listed).toMatchObject({ status: "rejected", reason: "pre-sale check tcpa_litigator: fail (DNC Complainers)" });
    expect(await postsOf(listed.lead_id)).toEqual([]);
  });

  it("caches a result per consumer for the campaign's time: the same consumer is not paid for twice; an expired entry is asked again", async () => {
    await scrubs([{ vendor: "tcpa_litigator", cost_cents: 2, cache_s: 3600 }]);
    const phone = scrubPhone();
    const first = await submit(phone);
    await eventually(async () => (await env.DB.prepare("SELECT count(*) AS n FROM scrub_cache").first<{ n: number }>())?.n === 1);
    const second = await submit(phone);
    expect(second.status).toBe("sold");
    expect((await checksOf(second.lead_id)).results).toMatchObject([{ name: "tcpa_litigator", outcome: "pass", cached: true }]);
    expect(await received("_tcpa")).toHaveLength(1);
    // An hour and a second later (the entry is made older, not the clock moved on), the vendor is asked again.
    await sql("UPDATE scrub_cache SET checked_at = checked_at - 3601000");
    await submit(phone);
    await eventually(async () => (await received("_tcpa")).length === 2);
    const rows = await eventually(async () => {
      const r = await env.DB.prepare("SELECT lead_id, cached, cost_cents FROM scrub_calls ORDER BY id").all<Record<string, unknown>>();
      return r.results.length === 3 && r.results;
    });
    expect(rows.map((r) => [r.lead_id === first.lead_id, Boolean(r.cached), r.cost_cents])).toEqual([
      [true, false, 2],
      [false, true, 0],
      [false, false, 2],
    ]);
    const report = await (await gateway("/admin/reports/scrubs", { headers: ADMIN })).json<{ scrubs: unknown[]; total_cost: number }>();
    expect(report.scrubs).toEqual([
      {
        campaign: "auto-insurance",
        name: "tcpa_litigator",
        vendor: "tcpa_litigator",
        checks: 3,
        calls: 2,
        cached: 1,
        fails: 0,
        vendor_failures: 0,
        cost: 0.04,
      },
    ]);
    expect(report.total_cost).toBe(0.04);
  });

  it.each<["reject" | "continue" | "flag", string]>([
    ["reject", "rejected"],
    ["continue", "sold"],
    ["flag", "sold"],
  ])("a vendor that is down does what the campaign says (%s); its failure is not cached", async (onTimeout, status) => {
    await scrubs([{ vendor: "tcpa_litigator", on_timeout: onTimeout, timeout_ms: 300 }]);
    for (const scenario of ["down", "hang"] as ScrubScenario[]) {
      const lead = await submit(scrubPhone(scenario));
      expect(lead.status).toBe(status);
      const checks = await checksOf(lead.lead_id);
      expect(checks.results).toMatchObject([{ outcome: scenario === "down" ? "error" : "timeout", action: onTimeout }]);
      expect(checks.flagged).toBe(onTimeout === "flag");
    }
    expect(await env.DB.prepare("SELECT count(*) AS n FROM scrub_cache").first<{ n: number }>()).toEqual({ n: 0 });
  });
});

describe("DNCScrub, Blacklist Alliance and a generic validator", () => {
  it("DNCScrub's litigator scrub: loginId header, phoneList; IsLitigator rejects", async () => {
    await scrubs([{ vendor: "dncscrub" }]);
    const phone = scrubPhone();
    expect((await submit(phone)).status).toBe("sold");
    const [call] = await received("_dncscrub");
    expect(call!.path).toBe(`/dncscrub/v1.5/Scrub/litigator?phoneList=${ten(phone)}`);
    expect(call!.headers.loginid).toBe(SCRUB_CREDENTIALS.dncscrubLoginId);
    expect(await submit(scrubPhone("listed"))).toMatchObject({
      status: "rejected",
      reason: "pre-sale check dncscrub: fail (a known TCPA litigator (DNCScrub))",
    });
  });

  it("Blacklist Alliance's lookup: the key in the query string reaches no record, trace or log", async () => {
    await scrubs([{ vendor: "blacklist_alliance", on_fail: "flag" }]);
    const logged: unknown[][] = [];
    const spies = (["log", "warn", "error"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...a) => void logged.push(a)),
    );
    const phone = scrubPhone("listed");
    const lead = await submit(phone);
    await checksOf(lead.lead_id);
    for (const spy of spies) spy.mockRestore();
    expect(logged.length).toBeGreaterThan(0); // the lead's own log lines were written
    expect(JSON.stringify(logged)).not.toContain(SCRUB_CREDENTIALS.blacklistKey);
    expect(lead.status).toBe("sold");
    expect(await checksOf(lead.lead_id)).toMatchObject({
      flagged: true,
      results: [{ outcome: "fail", action: "flag", detail: "blacklisted (prelitigation1)" }],
    });
    const [call] = await received("_blacklist");
    expect(Object.fromEntries(new URL(call!.path, "http://x").searchParams)).toEqual({
      key: SCRUB_CREDENTIALS.blacklistKey,
      phone: ten(phone),
      ver: "v3",
      resp: "json",
    });
    const trace = await (await gateway(`/admin/leads/${lead.lead_id}`, { headers: ADMIN })).text();
    const stored = JSON.stringify(
      await env.DB.batch(
        ["lead_events", "pings", "posts", "scrub_calls"].map((t) =>
          env.DB.prepare(`SELECT * FROM ${t} WHERE lead_id = ?`).bind(lead.lead_id),
        ),
      ),
    );
    const cache = JSON.stringify(await env.DB.prepare("SELECT * FROM scrub_cache").all());
    for (const text of [trace, stored, cache]) expect(text).not.toContain(SCRUB_CREDENTIALS.blacklistKey);
  });

  it("a generic validator checks the phone or the email, with its Bearer key", async () => {
    await scrubs([
      { vendor: "validator", name: "phone_valid", check: "phone" },
      { vendor: "validator", name: "email_valid", check: "email" },
    ]);
    const phone = scrubPhone();
    expect((await submit(phone, { email: `pat.${Date.now()}@example.com` })).status).toBe("sold");
    const calls = await received("_validator");
    expect(calls.map((c) => Object.keys(JSON.parse(c.body))).sort()).toEqual([["email"], ["phone"]]);
    expect(calls.every((c) => c.headers.authorization === `Bearer ${SCRUB_CREDENTIALS.validatorKey}`)).toBe(true);
    const bad = await submit(scrubPhone(), { email: `listed.${Date.now()}@example.com` });
    expect(bad).toMatchObject({ status: "rejected", reason: "pre-sale check email_valid: fail (mailbox does not exist)" });
  });

  it("a missing credential rejects (fail closed) and sends nothing; a look-alike URL receives nothing", async () => {
    await scrubs([{ vendor: "dncscrub", on_timeout: "continue" }]);
    const send = async (over: Record<string, unknown>) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(leadRequest(demoLead({ phone: scrubPhone() })), { ...env, ...over }, ctx);
      await waitOnExecutionContext(ctx);
      return res.json<Answer>();
    };
    expect(await send({ DNCSCRUB_LOGIN_ID: undefined })).toMatchObject({
      status: "rejected",
      reason: "pre-sale check dncscrub: error (DNCSCRUB_LOGIN_ID is not configured)",
    });
    const lookalike = await send({ DNCSCRUB_API_URL: "https://dataapi.dncscrub.com.evil.example" });
    expect(lookalike.reason).toMatch(/^pre-sale check dncscrub: error \(DNCSCRUB_API_URL: refused to send the credential/);
    expect(await received("_dncscrub")).toEqual([]);
  });
});

describe("erasure", () => {
  it("forgets the person's cached scrub results", async () => {
    await scrubs([{ vendor: "tcpa_litigator" }]);
    const phone = scrubPhone();
    await submit(phone);
    await eventually(async () => (await env.DB.prepare("SELECT count(*) AS n FROM scrub_cache").first<{ n: number }>())?.n === 1);
    const res = await gateway("/admin/consumers/erase", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ phone }),
    });
    expect(res.status).toBe(200);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM scrub_cache").first<{ n: number }>()).toEqual({ n: 0 });
  });
});
