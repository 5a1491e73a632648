// Issue #24: console sessions can be revoked. A publisher's session is bound to the key it was made
// from and to its source's session epoch (in D1): rotating the key ends it, and so does logging out,
// on the server's side, for every copy of the cookie. The admin's session has an epoch too.
import { beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto";
import { countOf, gateway, seedDemo, sql } from "../support/helpers";

const TOKEN = "test-admin-token-0123456789abcdef";
const form = (fields: Record<string, string>) => ({
  method: "POST",
  redirect: "manual" as const,
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

async function login(path: "/console/login" | "/console/source/login", secret: string): Promise<string> {
  const res = await gateway(path, form({ token: secret }));
  expect(res.status).toBe(303);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

/** The page's status with this cookie: 200, or 303 to a login page. */
const statusOf = async (path: string, cookie: string) => (await gateway(path, { redirect: "manual", headers: { cookie } })).status;
const logout = (cookie: string) => gateway("/console/logout", { redirect: "manual", headers: { cookie } });

beforeEach(async () => {
  await seedDemo();
});

describe("a publisher's session", () => {
  it("ends when its API key is rotated out", async () => {
    const cookie = await login("/console/source/login", "demo-server-key");
    expect(cookie).toMatch(/^lg_source=src_partner\.[0-9a-f]{16}\.\d+\.\d{13}\.[0-9a-f]{64}$/);
    expect(await statusOf("/console/source", cookie)).toBe(200);
    // The rotation of docs/ADMIN.md: a next key beside the old one, then moved over.
    await sql("UPDATE sources SET api_key_hash_next = ? WHERE id = 'src_partner'", await sha256Hex("partner-new-key"));
    await sql("UPDATE sources SET api_key_hash = api_key_hash_next, api_key_hash_next = NULL WHERE id = 'src_partner'");
    expect(await statusOf("/console/source", cookie)).toBe(303);
    // The new key logs in; the old one doesn't.
    expect(await statusOf("/console/source", await login("/console/source/login", "partner-new-key"))).toBe(200);
    expect((await gateway("/console/source/login", form({ token: "demo-server-key" }))).status).toBe(401);
  });

  it("is bound to its key even when the keys change without the trigger (the row replaced)", async () => {
    const cookie = await login("/console/source/login", "demo-server-key");
    const epochs = await countOf("SELECT COUNT(*) AS n FROM console_sessions");
    await sql("DELETE FROM sources WHERE id = 'src_partner'");
    await sql(
      "INSERT INTO sources (id, name, api_key_hash, allowed_campaigns) VALUES ('src_partner', 'Demo publisher (server)', ?, '[\"*\"]')",
      await sha256Hex("partner-new-key"),
    );
    expect(await countOf("SELECT COUNT(*) AS n FROM console_sessions")).toBe(epochs); // no epoch moved
    expect(await statusOf("/console/source", cookie)).toBe(303); // the key tag no longer matches
  });

  it("logging out ends it on the server: the same cookie, replayed, is refused; the admin's session is untouched", async () => {
    const publisher = await login("/console/source/login", "demo-server-key");
    const copy = publisher; // e.g. a second browser, or a stolen cookie
    const admin = await login("/console/login", TOKEN);
    const out = await logout(publisher);
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/lg_source=;/); // the browser forgets it
    expect(await statusOf("/console/source", copy)).toBe(303);
    expect(await statusOf("/console", admin)).toBe(200);
    expect(await statusOf("/console/source", await login("/console/source/login", "demo-server-key"))).toBe(200); // a new login works
  });

  it("a session made with the reporting key ends when that key changes", async () => {
    await sql("UPDATE sources SET report_key_hash = ? WHERE id = 'src_form'", await sha256Hex("form-report-key-1"));
    const cookie = await login("/console/source/login", "form-report-key-1");
    expect(await statusOf("/console/source", cookie)).toBe(200);
    await sql("UPDATE sources SET report_key_hash = ? WHERE id = 'src_form'", await sha256Hex("form-report-key-2"));
    expect(await statusOf("/console/source", cookie)).toBe(303);
  });
});

describe("the admin's session", () => {
  it("logging out ends it everywhere; a forged cookie can't end anyone's", async () => {
    const admin = await login("/console/login", TOKEN);
    const epochs = await countOf("SELECT COALESCE(SUM(epoch), 0) AS n FROM console_sessions");
    // Not signed by us: changes nothing on the server.
    await logout("lg_admin=admin.0123456789abcdef.0.9999999999999." + "0".repeat(64));
    expect(await countOf("SELECT COALESCE(SUM(epoch), 0) AS n FROM console_sessions")).toBe(epochs);
    expect(await statusOf("/console", admin)).toBe(200);

    await logout(admin);
    expect(await statusOf("/console", admin)).toBe(303);
    expect(await statusOf("/console/leads/ld_nope", admin)).toBe(303);
    // The Bearer token still works for scripts; a new login works.
    expect((await gateway("/console", { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect(await statusOf("/console", await login("/console/login", TOKEN))).toBe(200);
  });
});
