// Issue #25, people see it: the operator's billing page (balances, credit used, paused buyers, what
// sources are owed, each account's ledger) and a buyer's own console, logged in with one of its
// contracts' keys (its balance, leads bought and their trace, returns, statements, invoices, and a
// switch to pause and resume its own contracts — never another buyer's).
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { admin, depositTo } from "../support/billing";
import { countOf, demoLead, eventually, gateway, onlyContracts, postLead, seedDemo, setBuyers, sql } from "../support/helpers";

const ALPHA_KEY = "alpha-own-contract-key-5e2b9c1d7a3f";
const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
const form = (fields: Record<string, string>, cookie?: string) => ({
  method: "POST",
  redirect: "manual" as const,
  headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(fields).toString(),
});

async function buyerLogin(key: string): Promise<string | null> {
  const res = await gateway("/console/buyer/login", form({ token: key }));
  return res.status === 303 ? res.headers.get("set-cookie")!.split(";")[0]! : null;
}

beforeEach(async () => {
  await seedDemo();
  await sql("UPDATE campaigns SET retry_max_attempts = 0, dedupe_window_s = 0");
  await sql(`UPDATE contracts SET secret = '${ALPHA_KEY}' WHERE id = 'ct_alpha'`);
  await onlyContracts("ct_alpha", "ct_bravo");
  await setBuyers({ alpha: { bid: 30 }, bravo: { bid: 10 } });
});

describe("the buyer's console", () => {
  it("shows its balance, purchases and their trace, invoices; pauses and resumes its own contracts only", async () => {
    await sql("UPDATE buyers SET billing = 'prepaid' WHERE id = 'buy_alpha'");
    await depositTo("buy_alpha", 4500, "w1");
    const lead = (await (await postLead(demoLead())).json()) as { lead_id: string; buyer: string };
    expect(lead.buyer).toBe("Alpha Insurance");
    await eventually(async () => (await countOf("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'sale'")) > 0 || undefined);
    // A key several buyers' contracts share names no buyer; an unknown one neither.
    expect(await buyerLogin("demo-shared-secret-0123456789")).toBeNull();
    expect(await buyerLogin("nobody's key")).toBeNull();
    const cookie = (await buyerLogin(ALPHA_KEY))!;
    const html = await (await gateway("/console/buyer", { headers: { cookie } })).text();
    expect(html).toContain("Alpha Insurance");
    expect(html).toContain("$15.00"); // $45 less the $30 lead
    expect(html).toContain(lead.lead_id);
    expect(html).not.toContain("Bravo");
    const trace = await (await gateway(`/console/buyer/leads/${lead.lead_id}`, { headers: { cookie } })).text();
    expect(trace).toContain("ct_alpha");
    expect(trace).not.toContain("ct_bravo");
    // Its statement, as CSV.
    // Up to the day the deposit was booked (its own time, not the wall clock's day).
    const booked = await env.DB.prepare("SELECT at FROM ledger_entries WHERE entry_key = 'deposit:buy_alpha:w1' LIMIT 1").first<{
      at: number;
    }>();
    const to = new Date(booked!.at).toISOString().slice(0, 10);
    const csv = await (await gateway(`/console/buyer/statement?from=2020-01-01&to=${to}`, { headers: { cookie } })).text();
    expect(csv).toContain("deposit:buy_alpha:w1");
    // Pause, then resume, its own contract; not another buyer's.
    expect((await gateway("/console/buyer/contracts/ct_alpha/pause", form({}, cookie))).status).toBe(303);
    expect(await countOf("SELECT COUNT(*) AS n FROM contracts WHERE id = 'ct_alpha' AND status = 'paused' AND paused_by_buyer = 1")).toBe(
      1,
    );
    await gateway("/console/buyer/contracts/ct_bravo/pause", form({}, cookie));
    expect(await countOf("SELECT COUNT(*) AS n FROM contracts WHERE id = 'ct_bravo' AND status = 'active'")).toBe(1);
    // Still logged in with every contract paused; resumes what it paused itself.
    expect((await gateway("/console/buyer", { headers: { cookie } })).status).toBe(200);
    await gateway("/console/buyer/contracts/ct_alpha/resume", form({}, cookie));
    expect(await countOf("SELECT COUNT(*) AS n FROM contracts WHERE id = 'ct_alpha' AND status = 'active'")).toBe(1);
    // Another buyer's invoice is not its to see.
    const inv = (await (
      await admin("/admin/invoices", "POST", { buyer_id: "buy_bravo", from: "2020-01-01", to: String(Date.now()) })
    ).json()) as { invoice_id: string };
    expect((await gateway(`/console/buyer/invoices/${inv.invoice_id}`, { headers: { cookie } })).status).toBe(404);
    // No session: to the login page.
    expect((await gateway("/console/buyer", { redirect: "manual" })).headers.get("location")).toBe("/console/buyer/login");
  });
});

describe("the operator's billing page", () => {
  it("shows balances, credit used, paused buyers and each account's ledger", async () => {
    await sql("UPDATE buyers SET billing = 'credit', credit_limit_cents = 10000 WHERE id = 'buy_bravo'");
    await sql("UPDATE buyers SET billing = 'prepaid' WHERE id = 'buy_alpha'");
    await postLead(demoLead()); // alpha can't pay: it is learned; bravo buys on credit
    await postLead(demoLead());
    await eventually(async () => (await countOf("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'sale'")) > 0 || undefined);
    const html = await (await gateway("/console/billing", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(html).toContain("Bravo Direct");
    expect(html).toMatch(/\$\d+\.\d{2} \/ \$100\.00/);
    expect(html).toContain("paused for balance");
    const ledger = await (
      await gateway("/console/billing/ledger/buyer%3Abuy_bravo", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).text();
    expect(ledger).toContain("sale:");
    expect((await gateway("/console/billing", { redirect: "manual" })).status).toBe(303);
  });
});
