// Issue #24: a publisher's console shows its own leads, statuses and payouts, never the exchange's
// books (revenue, margin, prices buyers paid, buyer names); and a browser-only source, whose
// publishable key is public, sees its leads with a reporting key that logs in and reads reports but
// never posts a lead.
import { beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto";
import {
  ADMIN,
  countOf,
  demoLead,
  eventually,
  gateway,
  leadReaches,
  onlyContracts,
  postLead,
  seedDemo,
  setBuyers,
  sql,
} from "../support/helpers";

const REPORT_KEY = "form-report-key-5b1f0c7e9a2d4e6f8a0b";
const form = (fields: Record<string, string>) => ({
  method: "POST",
  redirect: "manual" as const,
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

/** Logs in to the publisher console with a key; the session cookie, or null when refused. */
async function publisherLogin(key: string): Promise<string | null> {
  const res = await gateway("/console/source/login", form({ token: key }));
  return res.status === 303 ? res.headers.get("set-cookie")!.split(";")[0]! : null;
}

const publisherPage = async (cookie: string) => (await gateway("/console/source", { headers: { cookie } })).text();

beforeEach(async () => {
  await seedDemo();
  await onlyContracts("ct_alpha", "ct_bravo");
  await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22, post: "reject", rejectReason: "consumer already in our CRM" } });
});

describe("the publisher's view", () => {
  it("shows its leads, statuses and payouts; not revenue, margin, what buyers paid, who bought, or other sources' leads", async () => {
    await sql(
      "INSERT INTO sources (id, name, api_key_hash, allowed_campaigns) VALUES ('src_other', 'Other', ?, '[\"*\"]')",
      await sha256Hex("other-key"),
    );
    const mine: string[] = [];
    for (let i = 0; i < 2; i++) mine.push((await (await postLead(demoLead())).json<{ lead_id: string }>()).lead_id);
    const theirs = (await (await postLead(demoLead(), { apiKey: "other-key" })).json<{ lead_id: string }>()).lead_id;
    for (const id of [...mine, theirs]) await leadReaches(id, ["sold"]);
    await eventually(async () => (await countOf("SELECT COUNT(*) AS n FROM posts WHERE outcome = 'accepted'")) >= 3 || undefined);

    const html = await publisherPage((await publisherLogin("demo-server-key"))!);
    // Its own: two leads sold to Alpha at $18, paid 70 %: $12.60 each.
    expect(html).toMatch(/<b>2<\/b><span>leads<\/span>/);
    expect(html).toMatch(/<b>2<\/b><span>sold<\/span>/);
    expect(html).toMatch(/<b>\$25\.20<\/b><span>payout<\/span>/);
    expect(html).toMatch(/<b>\$12\.60<\/b><span>payout \/ lead<\/span>/);
    for (const id of mine) expect(html).toContain(id);
    expect(html).toContain("<td>sold</td>");
    // Not its own, and not the exchange's books.
    expect(html).not.toContain(theirs);
    // (Labels as the page writes them: ">margin", since the style sheet says "margin:".)
    for (const secret of [
      ">revenue",
      ">margin",
      ">price",
      "$18.00",
      "$36.00",
      "$5.40",
      "$10.80",
      "Alpha",
      "Bravo",
      "ct_",
      "in our",
      "contracts",
    ])
      expect(html).not.toContain(secret);
  });
});

describe("a reporting key", () => {
  it("lets a browser-only source log in to its console and read its report; its publishable key can't, and the reporting key can't post", async () => {
    await sql("UPDATE sources SET report_key_hash = ? WHERE id = 'src_form'", await sha256Hex(REPORT_KEY));
    expect(await publisherLogin("pk_demo_form")).toBeNull(); // public: never a login
    const cookie = await publisherLogin(REPORT_KEY);
    expect(cookie).toMatch(/^lg_source=src_form\./);
    const html = await publisherPage(cookie!);
    expect(html).toContain("Demo landing page (browser form)");
    expect(html).toMatch(/<b>0<\/b><span>leads<\/span>/);

    const report = await gateway("/v1/reports/summary", { headers: { "x-report-key": REPORT_KEY } });
    expect(report.status).toBe(200);
    expect(await report.json()).toMatchObject({ source: "src_form", leads: 0 });
    const wrong = await gateway("/v1/reports/summary", { headers: { "x-report-key": "not-the-report-key" } });
    expect([wrong.status, (await wrong.json<{ error: string }>()).error]).toEqual([401, "unauthorized"]);
    expect((await gateway("/v1/reports/summary")).status).toBe(401);

    // A reporting key is not an API key: no lead, no trace.
    const post = await postLead(demoLead(), { apiKey: REPORT_KEY });
    expect(post.status).toBe(401);
    expect((await postLead(demoLead(), { apiKey: null, headers: { "x-report-key": REPORT_KEY } })).status).toBe(401);
    expect(await countOf("SELECT COUNT(*) AS n FROM leads")).toBe(0);
  });

  it("rules:check refuses a reporting key that is not a SHA-256 (the row is disabled, as with a bad API key hash) or that is an API key", async () => {
    await sql("UPDATE sources SET report_key_hash = 'not-a-hash' WHERE id = 'src_form'");
    const health = async () =>
      (await gateway("/admin/health", { headers: ADMIN })).json<{
        problems: { table: string; id: string; column: string; message: string }[];
      }>();
    expect((await health()).problems).toContainEqual(
      expect.objectContaining({
        table: "sources",
        id: "src_form",
        column: "report_key_hash",
        message: "must be the SHA-256 hex of the key",
      }),
    );
    await sql("UPDATE sources SET report_key_hash = ? WHERE id = 'src_form'", await sha256Hex("demo-server-key"));
    expect((await health()).problems).toContainEqual(
      expect.objectContaining({ id: "src_form", column: "report_key_hash", message: "the same key as source src_partner's API key" }),
    );
    // The clash costs src_form only its reporting key: the key logs in as the source whose API key it is.
    expect(await publisherLogin("demo-server-key")).toMatch(/^lg_source=src_partner\./);
    expect((await postLead(demoLead())).status).toBe(200);
  });
});
