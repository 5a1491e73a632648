// POST /admin/suppressions computes the fingerprint with the Worker's pepper; a later lead of that
// consumer (in any format) is rejected, and what is stored can't be matched by a plain SHA-256.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { sha256Hex } from "../../src/lib/crypto";
import { demoLead, leadReaches, seedDemo, setBuyers } from "../support/helpers";

const PEPPER = "test-pepper-0123456789abcdef0123456789";
const ADMIN = "test-admin-token-0123456789abcdef";
const peppered = { ...env, FINGERPRINT_PEPPER: PEPPER };

beforeEach(async () => {
  await seedDemo();
  await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22 } });
});

async function call(path: string, init: RequestInit, e: typeof env = peppered) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://gw${path}`, init), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
const submit = (lead: Record<string, unknown>, e: typeof env = peppered) =>
  call(
    "/v1/leads",
    { method: "POST", headers: { "content-type": "application/json", "x-api-key": "demo-server-key" }, body: JSON.stringify(lead) },
    e,
  );

describe("suppressions", () => {
  it("an admin suppresses a phone; that consumer's next lead is rejected, in any phone format", async () => {
    const res = await call("/admin/suppressions", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ phone: "(415) 555-0142", reason: "do-not-call" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ suppressed: [{ kind: "phone", added: true }] });
    const lead = await (await submit(demoLead({ phone: "+1 415 555 0142" }))).json<{ lead_id: string; status: string; reason: string }>();
    // The source learns the lead is suppressed; why (the list's own reason) stays in the admin's record.
    expect(lead).toMatchObject({ status: "rejected", reason: "suppressed" });
    expect((await leadReaches(lead.lead_id, ["rejected"])).reason).toBe("suppressed: do-not-call");
    // The stored hash is peppered: a plain SHA-256 of the number does not find it.
    const plain = await sha256Hex("phone:+14155550142");
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM suppressions WHERE hash = ?").bind(plain).first<{ n: number }>()).toEqual({
      n: 0,
    });
    // The list reads back as fingerprints with their reasons, never the number (issue #26).
    const listed = await call("/admin/suppressions?kind=phone", { headers: { authorization: `Bearer ${ADMIN}` } });
    const items = (await listed.json<{ items: { hash: string; kind: string; reason: string }[] }>()).items;
    expect(items).toEqual([
      expect.objectContaining({ kind: "phone", reason: "do-not-call", hash: expect.stringMatching(/^[0-9a-f]{64}$/) }),
    ]);
    expect(JSON.stringify(items)).not.toContain("4155550142");
  });

  it("leads store peppered fingerprints", async () => {
    const body = await (await submit(demoLead({ phone: "(415) 555-0199" }))).json<{ lead_id: string }>();
    const row = await leadReaches(body.lead_id, ["sold"]);
    expect(row.phone_hash).not.toBe(await sha256Hex("phone:+14155550199"));
    expect(String(row.phone_hash)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a suppression without a phone or email, or with a bad phone (422)", async () => {
    const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    expect((await call("/admin/suppressions", { method: "POST", headers, body: JSON.stringify({ reason: "x" }) })).status).toBe(422);
    expect(
      (await call("/admin/suppressions", { method: "POST", headers, body: JSON.stringify({ phone: "12", reason: "x" }) })).status,
    ).toBe(422);
  });

  it("an email suppression holds against plus-tagged and dotted variants of the same Gmail mailbox (issue #24)", async () => {
    const res = await call("/admin/suppressions", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "pat.doe@gmail.com", reason: "do-not-email" }),
    });
    expect(res.status).toBe(200);
    const lead = await (
      await submit(demoLead({ email: "p.a.t.doe+win@gmail.com" }))
    ).json<{ lead_id: string; status: string; reason: string }>();
    expect(lead).toMatchObject({ status: "rejected", reason: "suppressed" });
    expect((await leadReaches(lead.lead_id, ["rejected"])).reason).toBe("suppressed: do-not-email");
  });
});
