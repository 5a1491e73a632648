// Issue #24: a publisher's console shows its own leads, statuses and payouts, never the exchange's
// books (revenue, margin, prices buyers paid, buyer names).
import { beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto";
import { countOf, demoLead, eventually, gateway, leadReaches, onlyContracts, postLead, seedDemo, setBuyers, sql } from "../support/helpers";

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
