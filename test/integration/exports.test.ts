// Exports (issue #29): GET /admin/exports/{kind} as CSV and NDJSON, streamed in keyset pages (ties on
// created_at across a page boundary included), consumer fields only with include_pii=1 and every
// export recorded; a publisher's own rows from its console, a buyer's own rows signed with its key.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { DEMO_API_KEY, DEMO_SECRET } from "../../demo/constants";
import { signLeadgateCallback } from "../../docs/examples/verify-signature";
import { parseCsv } from "../support/csv";
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

async function exported(path: string, headers: Record<string, string> = ADMIN) {
  const res = await gateway(path, { headers });
  return { res, text: new TextDecoder().decode(await res.arrayBuffer()) };
}

async function soldLeads(n: number, lead = demoLead): Promise<{ id: string; email: string }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const body = lead();
    const a = await (await postLead(body)).json<{ lead_id: string }>();
    await leadReaches(a.lead_id, ["sold"]);
    out.push({ id: a.lead_id, email: String(body.email) });
  }
  return out;
}

beforeEach(async () => {
  await seedDemo();
  await onlyContracts("ct_alpha", "ct_bravo");
  await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22, post: "reject", rejectReason: '=HYPERLINK("http://x")' } });
});

describe("GET /admin/exports/{kind}", () => {
  it("leads as CSV: documented columns, no consumer fields, every export recorded", async () => {
    const leads = await soldLeads(3);
    const { res, text } = await exported("/admin/exports/leads");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="leads-\d{4}-\d\d-\d\d\.csv"$/);
    const [head, ...rows] = parseCsv(text);
    expect(head).toEqual([
      "lead_id",
      "created_at",
      "campaign_id",
      "source_id",
      "status",
      "reason",
      "price_cents",
      "payout_cents",
      "margin_cents",
      "sold_to",
      "retries",
      "duplicate_of",
      "final_at",
      "redacted_at",
    ]);
    expect(rows.map((r) => r[0])).toEqual(leads.map((l) => l.id));
    expect(rows[0]!.slice(2, 11)).toEqual(["cmp_auto", "src_partner", "sold", "", "1800", "1260", "540", "ct_alpha", "0"]);
    for (const l of leads) expect(text).not.toContain(l.email);
    // The row count lands once the last page is out (after the answer).
    const audit = await eventually(async () => {
      const r = await env.DB.prepare("SELECT * FROM data_exports").all<Record<string, unknown>>();
      return r.results[0]?.rows !== null ? r.results : undefined;
    });
    expect(audit).toMatchObject([{ requested_by: "admin", kind: "leads", format: "csv", include_pii: 0, rows: 3 }]);
  });

  it("include_pii=1 adds the consumer's fields, and the audit row says so", async () => {
    const [lead] = await soldLeads(1);
    const { text } = await exported("/admin/exports/leads?format=ndjson&include_pii=1");
    const rows = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ lead_id: lead!.id, email: lead!.email, first_name: "Pat", state: "CA", status: "sold" });
    expect(await countOf("SELECT COUNT(*) AS n FROM data_exports WHERE include_pii = 1 AND requested_by = 'admin'")).toBe(1);
  });

  it("pages by keyset through thousands of leads, ties on created_at across a page boundary included: every lead once, in order", async () => {
    const t0 = Date.UTC(2026, 0, 5);
    // 2,500 leads: the first 1,500 received in the same millisecond (a page is 1,000).
    await sql(
      `INSERT INTO leads (id, campaign_id, source_id, status, data, meta, created_at, updated_at)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
       SELECT printf('ld_bulk%05d', i), 'cmp_auto', 'src_partner', 'unsold', '{}', '{}', CASE WHEN i <= 1500 THEN ?1 ELSE ?1 + i END, ?1 FROM n`,
      t0,
    );
    const from = new Date(t0).toISOString();
    const to = new Date(t0 + 86_400_000).toISOString();
    const { text } = await exported(`/admin/exports/leads?from=${from}&to=${to}`);
    const ids = parseCsv(text)
      .slice(1)
      .map((r) => r[0]);
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    expect(ids).toEqual([...ids].sort());
    const ndjson = (await exported(`/admin/exports/leads?from=${from}&to=${to}&format=ndjson&source=src_partner`)).text;
    expect(ndjson.trim().split("\n")).toHaveLength(2500);
  });

  it("posts with a buyer filter; a spreadsheet formula in a buyer's reason is written inert", async () => {
    const leads = await soldLeads(2);
    const { text } = await exported("/admin/exports/posts?buyer=buy_bravo");
    const [head, ...rows] = parseCsv(text);
    expect(head!.slice(0, 7)).toEqual(["post_id", "lead_id", "created_at", "attempt", "contract_id", "buyer_id", "outcome"]);
    expect(rows.map((r) => [r[1], r[4], r[6]])).toEqual(leads.map((l) => [l.id, "ct_bravo", "rejected"]));
    expect(rows[0]![head!.indexOf("reason")]).toBe(`'=HYPERLINK("http://x")`);
    const pings = parseCsv((await exported("/admin/exports/pings?format=csv")).text);
    expect(
      pings
        .slice(1)
        .filter((r) => r[1] === leads[0]!.id)
        .map((r) => r[4]),
    ).toEqual(expect.arrayContaining(["ct_alpha", "ct_bravo"]));
  });

  it("refuses what it can't answer, naming the field: a kind it does not have, a bad range, a non-admin", async () => {
    expect((await exported("/admin/exports/ledger")).res.status).toBe(422);
    const bad = await exported("/admin/exports/leads?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z");
    expect(bad.res.status).toBe(422);
    expect(JSON.parse(bad.text)).toMatchObject({ error: "validation_failed", fields: [{ path: "from" }] });
    expect((await exported("/admin/exports/leads", {})).res.status).toBe(401);
    expect(await countOf("SELECT COUNT(*) AS n FROM data_exports")).toBe(0);
  });
});

describe("a source's and a buyer's own rows", () => {
  it("a publisher exports its own leads from its console: its columns, not what buyers paid, never consumer fields", async () => {
    const mine = await soldLeads(2);
    const login = await gateway("/console/source/login", {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: DEMO_API_KEY }).toString(),
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const { res, text } = await exported("/console/source/exports/leads", { cookie });
    expect(res.status).toBe(200);
    const [head, ...rows] = parseCsv(text);
    expect(head).toEqual(["lead_id", "created_at", "campaign_id", "status", "payout_cents", "final_at"]);
    expect(rows.map((r) => r[0])).toEqual(mine.map((l) => l.id));
    expect((await exported("/console/source/exports/leads?include_pii=1", { cookie })).res.status).toBe(422);
    expect((await exported("/console/source/exports/pings", { cookie })).res.status).toBe(422);
    // The console page links to its exports, and the links work.
    const page = await (await gateway("/console/source", { headers: { cookie } })).text();
    const href = /href="(\/console\/source\/exports\/leads\?from=[^"]+format=csv)"/.exec(page)![1]!.replace(/&amp;/g, "&");
    const linked = await exported(href, { cookie });
    expect(linked.res.status).toBe(200);
    expect(
      parseCsv(linked.text)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual(mine.map((l) => l.id));
    const anonymous = await gateway("/console/source/exports/leads", { redirect: "manual" });
    expect(anonymous.status).toBe(303);
    expect(await countOf("SELECT COUNT(*) AS n FROM data_exports WHERE requested_by = 'source:src_partner'")).toBe(2);
  });

  it("a buyer exports its own posts with a signed GET; another buyer's rows are not in it", async () => {
    const leads = await soldLeads(2);
    const path = "/v1/buyers/exports/posts?format=ndjson";
    const headers = {
      "x-leadgate-contract": "ct_bravo",
      ...(await signLeadgateCallback(DEMO_SECRET, { method: "GET", pathAndQuery: path, rawBody: "" })),
    };
    const { res, text } = await exported(path, headers);
    expect(res.status).toBe(200);
    const rows = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r.lead_id, r.contract_id, r.outcome])).toEqual(leads.map((l) => [l.id, "ct_bravo", "rejected"]));
    expect(Object.keys(rows[0]!)).not.toContain("payout_cents");
    expect((await exported(path, { "x-leadgate-contract": "ct_bravo" })).res.status).toBe(401);
  });
});
