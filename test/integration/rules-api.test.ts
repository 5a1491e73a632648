// The rules API (issue #26): rows created and changed without SQL, checked by the gateway's own
// compilers (422 naming the field, nothing stored), compare-and-set on the row's version (409; 428
// without one), unknown ids 404, secrets write-only; a new buyer and contract sell a lead; the audit
// trail records who changed what, also for SQL run outside the API, and undoes a change.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { countOf, demoLead, gateway, leadReaches, postLead, seedDemo, setBuyers, sql } from "../support/helpers";
import { subscribe } from "../support/webhooks";

const TOKEN = "test-admin-token-0123456789abcdef";
const json = (method: string, body: unknown, headers: Record<string, string> = {}) => ({
  method,
  headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});
const get = (path: string) => gateway(path, { headers: { authorization: `Bearer ${TOKEN}` } });
type Row = Record<string, unknown> & { version: number; secrets: Record<string, boolean>; change_id: number | null };
type Refused = { error: string; message: string; fields: { path: string; message: string }[] };

const acmeContract = () => ({
  id: "ct_acme",
  buyer_id: "buy_acme",
  campaign_id: "cmp_auto",
  name: "Acme - CA weekdays",
  ping_url: `${env.BUYERS_URL}/b/acme/ping?bid=30`,
  post_url: `${env.BUYERS_URL}/b/acme/post`,
  secret: "acme-signing-secret-0123456789",
  timeout_ms: 400,
  filters: [{ field: "state", op: "in", values: ["CA", "TX"] }],
  schedule: { windows: [{ days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], start: "00:00", end: "24:00" }] },
  api_headers: { "X-Api-Key": "acme-api-key-value" },
});

async function createAcme(): Promise<Row> {
  expect((await gateway("/admin/buyers", json("POST", { id: "buy_acme", name: "Acme Insurance" }))).status).toBe(201);
  const res = await gateway("/admin/contracts", json("POST", acmeContract()));
  expect(res.status).toBe(201);
  return res.json<Row>();
}

beforeEach(async () => {
  await seedDemo();
  await setBuyers({}); // the demo buyers bid nothing: whatever sells, sells to the new contract
});

describe("creating rules through the API", () => {
  it("a buyer and a contract with a filter and a schedule, made with JSON bodies, sell a lead; secrets never come back", async () => {
    await subscribe({ events: ["rule.changed"] });
    const contract = await createAcme();
    expect(contract).toMatchObject({ id: "ct_acme", version: 1, min_bid_cents: 0, filters: acmeContract().filters, problems: [] });
    expect(contract.secrets).toMatchObject({ secret: true, ping_secret: false });
    expect(contract.api_headers).toEqual({ "X-Api-Key": "(set)" });
    const text = JSON.stringify(await (await get("/admin/contracts/ct_acme")).json());
    expect(text).not.toContain("acme-signing-secret");
    expect(text).not.toContain("acme-api-key-value");

    const lead = await (await postLead(demoLead())).json<{ lead_id: string; status: string; buyer: string }>();
    expect(lead).toMatchObject({ status: "sold", buyer: "Acme Insurance" });
    await leadReaches(lead.lead_id, ["sold"]);
    // Filtered out: a lead from a state the contract does not buy is not sold to it.
    const other = await (await postLead(demoLead({ state: "NY" }))).json<{ buyer: string | null }>();
    expect(other.buyer).not.toBe("Acme Insurance");
    // Each change was told to the webhooks as rule.changed, naming its audit entry (never the row's secrets).
    const told = await env.DB.prepare("SELECT body FROM webhook_events WHERE type = 'rule.changed' ORDER BY created_at").all<{
      body: string;
    }>();
    expect(told.results.map((r) => JSON.parse(r.body) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ table: "buyers", row_id: "buy_acme", action: "insert", via: "api" }),
      expect.objectContaining({ table: "contracts", row_id: "ct_acme", action: "insert", via: "api", change_id: contract.change_id }),
    ]);
    expect(JSON.stringify(told.results)).not.toContain("acme-signing-secret");
  });

  it("GET lists every row with its problems; ETag is the version", async () => {
    await sql("UPDATE contracts SET timeout_ms = 5 WHERE id = 'ct_golf'");
    const res = await get("/admin/contracts?campaign_id=cmp_auto");
    const items = (await res.json<{ items: (Row & { problems: { column: string }[] })[] }>()).items;
    expect(items.map((r) => r.id)).toContain("ct_alpha");
    expect(items.find((r) => r.id === "ct_golf")!.problems.map((p) => p.column)).toContain("timeout_ms");
    const one = await get("/admin/campaigns/cmp_auto");
    expect(one.headers.get("etag")).toBe('"1"');
    expect((await one.json<Row>()).fields).toEqual(expect.arrayContaining([expect.objectContaining({ name: "zip", type: "zip" })]));
  });
});

describe("refusals store nothing", () => {
  async function unchanged(check: () => Promise<Response>) {
    const before = JSON.stringify((await env.DB.prepare("SELECT * FROM contracts ORDER BY id").all()).results);
    const trail = await countOf("SELECT COUNT(*) AS n FROM rule_changes");
    const res = await check();
    expect(JSON.stringify((await env.DB.prepare("SELECT * FROM contracts ORDER BY id").all()).results)).toBe(before);
    expect(await countOf("SELECT COUNT(*) AS n FROM rule_changes")).toBe(trail);
    return res;
  }

  it("422 names the field: a value the compiler refuses, JSON sent as a string, an unknown column, a filter on an unknown field", async () => {
    const cases: [unknown, string][] = [
      [{ timeout_ms: 5, version: 1 }, "timeout_ms"],
      [{ filters: '[{"field":"state","op":"in","values":["CA"]}]', version: 1 }, "filters"],
      [{ floor: 5, version: 1 }, "floor"],
      [{ filters: [{ field: "shoe_size", op: "eq", value: 9 }], version: 1 }, "filters"],
      [{ ping_url: "http://buyer.example/ping", version: 1 }, "ping_url"],
      [{ min_bid_cents: "12", version: 1 }, "min_bid_cents"],
      [{ schedule: { windows: [{ days: ["mon"], start: "9am", end: "17:00" }] }, version: 1 }, "schedule"],
    ];
    for (const [body, field] of cases) {
      const res = await unchanged(() => gateway("/admin/contracts/ct_alpha", json("PATCH", body)));
      expect(res.status, JSON.stringify(body)).toBe(422);
      const refused = await res.json<Refused>();
      expect(refused.error).toBe("validation_failed");
      expect(refused.fields.map((f) => f.path.split(".")[0])).toContain(field);
    }
    const bad = await unchanged(() => gateway("/admin/contracts", json("POST", { ...acmeContract(), buyer_id: "buy_nobody" })));
    expect(bad.status).toBe(422);
    expect((await bad.json<Refused>()).fields.map((f) => f.path)).toContain("buyer_id");
  });

  it("a change that breaks other rows is refused, naming them: a campaign dropping a field a contract filters on", async () => {
    const campaign = await (await get("/admin/campaigns/cmp_auto")).json<Row & { fields: { name: string }[] }>();
    const res = await unchanged(() =>
      gateway("/admin/campaigns/cmp_auto", json("PATCH", { fields: campaign.fields.filter((f) => f.name !== "homeowner"), version: 1 })),
    );
    expect(res.status).toBe(422);
    expect((await res.json<Refused>()).fields).toContainEqual(
      expect.objectContaining({ path: "contracts.ct_bravo.filters", message: expect.stringContaining("homeowner") }),
    );
  });

  it("409 when two admins edit the same row; 428 without a version; 404 for an unknown id", async () => {
    const first = await gateway("/admin/contracts/ct_alpha", json("PATCH", { min_bid_cents: 700 }, { "if-match": '"1"' }));
    expect(first.status).toBe(200);
    expect(first.headers.get("etag")).toBe('"2"');
    const second = await unchanged(() => gateway("/admin/contracts/ct_alpha", json("PATCH", { min_bid_cents: 900, version: 1 })));
    expect(second.status).toBe(409);
    expect((await second.json<Refused>()).error).toBe("version_conflict");
    const none = await unchanged(() => gateway("/admin/contracts/ct_alpha", json("PATCH", { min_bid_cents: 900 })));
    expect(none.status).toBe(428);
    for (const res of [
      await get("/admin/contracts/ct_nobody"),
      await gateway("/admin/contracts/ct_nobody", json("PATCH", { min_bid_cents: 1, version: 1 })),
      await gateway("/admin/audit/999999/revert", json("POST", {})),
    ])
      expect(res.status).toBe(404);
    const dup = await unchanged(() => gateway("/admin/contracts", json("POST", { ...acmeContract(), id: "ct_alpha" })));
    expect(dup.status).toBe(409);
    const slug = await gateway(
      "/admin/campaigns",
      json("POST", { slug: "auto-insurance", name: "Copy", fields: [{ name: "zip", type: "zip" }] }),
    );
    expect(slug.status).toBe(422);
    expect((await slug.json<Refused>()).fields[0]!.path).toBe("slug");
  });
});

describe("the audit trail", () => {
  it("records who changed what, before and after, with secrets masked; undo puts the old value back", async () => {
    await createAcme();
    const changed = await (
      await gateway("/admin/contracts/ct_acme", json("PATCH", { min_bid_cents: 1500, secret: "rotated-secret-0123456789", version: 1 }))
    ).json<Row>();
    const entry = await (
      await get(`/admin/audit/${changed.change_id}`)
    ).json<{ actor: string; via: string; changes: { column: string; before: unknown; after: unknown }[] }>();
    expect(entry).toMatchObject({ actor: "admin", via: "api" });
    expect(entry.changes).toEqual(
      expect.arrayContaining([
        { column: "min_bid_cents", before: 0, after: 1500 },
        { column: "secret", before: "(set)", after: "(set, changed)" },
      ]),
    );
    const trail = JSON.stringify(await (await get("/admin/audit?row_id=ct_acme")).json());
    expect(trail).not.toContain("rotated-secret");
    expect(trail).not.toContain("acme-api-key-value");

    const undo = await gateway(`/admin/audit/${changed.change_id}/revert`, json("POST", {}));
    expect(undo.status).toBe(200);
    const after = await (await get("/admin/contracts/ct_acme")).json<Row>();
    expect(after.min_bid_cents).toBe(0);
    expect(after.version).toBe(3);
    const undone = await (await get("/admin/audit?row_id=ct_acme&limit=1")).json<{ items: { reverts: number; actor: string }[] }>();
    expect(undone.items[0]).toMatchObject({ reverts: changed.change_id, actor: "admin" });
    // The undone change's columns have moved on since: undoing it again is refused, nothing changes.
    const again = await gateway(`/admin/audit/${changed.change_id}/revert`, json("POST", {}));
    expect(again.status).toBe(409);
    expect((await again.json<Refused>()).error).toBe("revert_conflict");
  });

  it("a change made with wrangler d1 execute (SQL outside the API) appears as outside, moves the version, and stale edits get a 409", async () => {
    await env.DB.prepare("UPDATE campaigns SET floor_cents = 1200 WHERE slug = 'auto-insurance'").run();
    const items = (await (await get("/admin/audit?table=campaigns")).json<{ items: Record<string, unknown>[] }>()).items;
    expect(items[0]).toMatchObject({ actor: "outside", via: "outside", row_id: "cmp_auto", action: "update", version: 2 });
    expect(items[0]!.changes).toEqual([{ column: "floor_cents", before: 500, after: 1200 }]);
    expect((await env.DB.prepare("SELECT version FROM campaigns WHERE id = 'cmp_auto'").first())!.version).toBe(2);
    const stale = await gateway("/admin/campaigns/cmp_auto", json("PATCH", { floor_cents: 800, version: 1 }));
    expect(stale.status).toBe(409);
    // Inserts and deletes outside the API are recorded too.
    await env.DB.prepare("INSERT INTO buyers (id, name) VALUES ('buy_sql', 'By SQL')").run();
    await env.DB.prepare("DELETE FROM buyers WHERE id = 'buy_sql'").run();
    const rows = (await (await get("/admin/audit?row_id=buy_sql")).json<{ items: { action: string; actor: string }[] }>()).items;
    expect(rows.map((r) => `${r.action}:${r.actor}`)).toEqual(["delete:outside", "insert:outside"]);
    // A delete of a row without secrets can be undone: the row comes back.
    const del = (await (await get("/admin/audit?row_id=buy_sql&limit=1")).json<{ items: { id: number }[] }>()).items[0]!;
    expect((await gateway(`/admin/audit/${del.id}/revert`, json("POST", {}))).status).toBe(200);
    expect((await env.DB.prepare("SELECT name FROM buyers WHERE id = 'buy_sql'").first())!.name).toBe("By SQL");
  });

  it("the audit triggers record every column of every editable table", async () => {
    for (const table of ["campaigns", "sources", "buyers", "contracts", "experiments"]) {
      const columns = (await env.DB.prepare(`SELECT name FROM pragma_table_info('${table}')`).all<{ name: string }>()).results.map(
        (r) => r.name,
      );
      const trigger = await env.DB.prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?`)
        .bind(`${table}_audit_update`)
        .first<{ sql: string }>();
      expect(trigger, `${table}: run npm run db:triggers`).not.toBeNull();
      for (const c of columns.filter((c) => c !== "version"))
        expect(trigger!.sql, `${table}.${c} is not in the audit trigger: run npm run db:triggers`).toContain(`"${c}":`);
    }
  });
});
