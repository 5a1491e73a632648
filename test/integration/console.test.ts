// The console through the worker: sessions, the figures (from the rollups), a lead's trace, the
// publisher's own view, and rules that fail safe (503 campaign_misconfigured, /health degraded).
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { readRollups } from "../../src/db/rollups";
import { dbOf } from "../../src/db/client";
import { Records } from "../../src/db/records";
import {
  ADMIN,
  countOf,
  demoLead,
  eventually,
  gateway,
  insideOneMinute,
  leadReaches,
  onlyContracts,
  postLead,
  seedDemo,
  setBuyers,
  sql,
} from "../support/helpers";

const TOKEN = "test-admin-token-0123456789abcdef";
const form = (fields: Record<string, string>) => ({
  method: "POST",
  redirect: "manual" as const,
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

beforeEach(async () => {
  await seedDemo();
  await onlyContracts("ct_alpha", "ct_bravo", "ct_charlie");
  await setBuyers({
    alpha: { bid: 18 },
    bravo: { bid: 22, post: "reject", rejectReason: "consumer already in our CRM" },
    charlie: { bid: 15 },
  });
});

async function soldLeads(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await (await postLead(demoLead())).json<{ lead_id: string }>()).lead_id);
  for (const id of ids) await leadReaches(id, ["sold"]);
  await eventually(
    async () => (await countOf("SELECT COALESCE(SUM(posts), 0) AS n FROM rollup_contracts WHERE grain = 'm'")) >= 2 * n || undefined,
  );
  return ids;
}

describe("sessions", () => {
  it("without a session the console redirects to its login; a wrong token is refused; the right one sets an HttpOnly cookie", async () => {
    const anon = await gateway("/console", { redirect: "manual" });
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toBe("/console/login");

    expect((await gateway("/console/login", form({ token: "wrong" }))).status).toBe(401);
    const ok = await gateway("/console/login", form({ token: TOKEN }));
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^lg_admin=admin\.[0-9a-f]{16}\.\d+\.\d{13}\.[0-9a-f]{64};/); // who, key tag, epoch, until when, signed
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).not.toContain(TOKEN); // the cookie holds a hash, never the token

    const page = await gateway("/console", { headers: { cookie: cookie.split(";")[0]! } });
    expect(page.status).toBe(200);
    // A forged or expired session is no session.
    const [, bound, until, mac] = /^lg_admin=admin\.([0-9a-f]+\.\d+)\.(\d+)\.([0-9a-f]+)/.exec(cookie)!;
    const forged = await gateway("/console", {
      redirect: "manual",
      headers: { cookie: `lg_admin=admin.${bound}.${Number(until) + 1000}.${mac}` },
    });
    expect(forged.status).toBe(303);
    const stale = await gateway("/console", {
      redirect: "manual",
      headers: { cookie: `lg_admin=admin.${bound}.${Date.now() - 1000}.${mac}` },
    });
    expect(stale.status).toBe(303);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain("leadgate console");
  });

  it("login attempts are limited per IP", async () => {
    await insideOneMinute();
    const statuses = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (
          await gateway("/console/login", {
            ...form({ token: "guess" }),
            headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": "198.51.100.7" },
          })
        ).status,
      );
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});

describe("figures", () => {
  it("the overview shows each buyer's pings, bids, rejects and reasons from the rollups, and the latest leads", async () => {
    const ids = await soldLeads(3);
    const html = await (await gateway("/console", { headers: ADMIN })).text();
    const row = (id: string) => html.slice(html.indexOf(`<tr><td>${id}</td>`), html.indexOf("</tr>", html.indexOf(`<tr><td>${id}</td>`)));
    // Bravo bid highest and rejected all three posts; Alpha bought them.
    expect(row("ct_bravo")).toMatch(/<td>3<\/td><td>100%<\/td><td>\$22\.00<\/td>/); // pings, bid rate, avg bid
    expect(row("ct_bravo")).toContain(">100%</td>"); // reject rate
    expect(row("ct_alpha")).toContain("$54.00"); // revenue 3 x $18
    expect(html).toContain("consumer already in our CRM");
    for (const id of ids) expect(html).toContain(`/console/leads/${id}`);
    expect(html).toMatch(/<b>3<\/b><span>sold<\/span>/);
  });

  it("a round written twice adds nothing twice to the rollups", async () => {
    await soldLeads(1);
    const db = dbOf(env.DB);
    const before = await readRollups(db, "m", 0, Date.now() + 60_000);
    const pings = [
      { id: "pg_x1", leadId: "ld_replay", contractId: "ct_alpha", attempt: 0, outcome: "bid" as const, bidCents: 1800, latencyMs: 40 },
    ];
    const record = {
      leadId: "ld_replay",
      pings,
      posts: [],
      events: [],
      status: "unsold" as const,
      reason: null,
      priceCents: 0,
      payoutCents: 0,
      marginCents: 0,
      attempts: 0,
    };
    await new Records(db).recordRound(record);
    await new Records(db).recordRound(record);
    const after = await readRollups(db, "m", 0, Date.now() + 60_000);
    const pingsOf = (rows: typeof before) => rows.filter((r) => r.contract_id === "ct_alpha").reduce((a, r) => a + r.pings, 0);
    expect(pingsOf(after) - pingsOf(before)).toBe(1);
  });

  it("a lead's trace opens from the feed", async () => {
    const [id] = await soldLeads(1);
    const html = await (await gateway(`/console/leads/${id}`, { headers: ADMIN })).text();
    expect(html).toContain("Bravo Direct");
    expect(html).toContain("consumer already in our CRM");
    expect(html).toMatch(/<td>Alpha Insurance<\/td><td>0<\/td><td>accepted<\/td>/);
    expect((await gateway("/console/leads/ld_nope", { headers: ADMIN })).status).toBe(404);
  });

  it("a publisher sees only its own leads, and nothing about buyers", async () => {
    await soldLeads(2);
    const login = await gateway("/console/source/login", form({ token: "demo-server-key" }));
    expect(login.status).toBe(303);
    const html = await (await gateway("/console/source", { headers: { cookie: login.headers.get("set-cookie")!.split(";")[0]! } })).text();
    expect(html).toMatch(/<b>2<\/b><span>leads<\/span>/);
    expect(html).not.toContain("Bravo");
    expect(html).not.toContain("contracts");
    expect((await gateway("/console/source/login", form({ token: "not-a-key" }))).status).toBe(401);
  });
});

describe("rules that fail safe", () => {
  it("a broken campaign answers 503 campaign_misconfigured, /health is degraded and names it, the console shows why", async () => {
    await sql("UPDATE campaigns SET ping_timeout_ms = 5 WHERE id = 'cmp_auto'");
    const res = await postLead(demoLead());
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("60");
    expect(await res.json()).toMatchObject({ error: "campaign_misconfigured" });
    expect(await countOf("SELECT COUNT(*) AS n FROM leads")).toBe(0);

    // A monitor sees a non-2xx; the public answer names nothing, the admin's names the row and why.
    const pub = await gateway("/health");
    expect(pub.status).toBe(503);
    expect(await pub.json()).toEqual({ ok: false, status: "degraded" });
    const health = await (await gateway("/admin/health", { headers: ADMIN })).json<{ status: string; problems: unknown[] }>();
    expect(health.status).toBe("degraded");
    expect(health.problems).toContainEqual(expect.objectContaining({ table: "campaigns", id: "cmp_auto", column: "ping_timeout_ms" }));

    const html = await (await gateway("/console", { headers: ADMIN })).text();
    expect(html).toContain("campaigns cmp_auto ping_timeout_ms");
    expect(html).toContain("must be between 50 and");
    // An unknown slug is still a 404.
    expect((await postLead(demoLead({ campaign: "nope" }))).status).toBe(404);
  });
});
