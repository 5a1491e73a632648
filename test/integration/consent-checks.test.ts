// Pre-sale checks that must not be turned against us, through the worker: verification hooks never
// follow a redirect and cannot hold a lead with an endless answer.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { demoLead, onlyContracts, postLead, received, seedDemo, setBuyers, sql } from "../support/helpers";

const BUYERS = { alpha: { bid: 18 }, charlie: { bid: 15 } };

interface Answer {
  lead_id: string;
  status: string;
  reason: string | null;
}
const submit = async (body: Record<string, unknown>): Promise<Answer> => {
  const res = await postLead(body);
  expect(res.status).toBe(200);
  return res.json<Answer>();
};

beforeEach(async () => {
  await seedDemo();
  await onlyContracts("ct_alpha", "ct_charlie");
  await setBuyers(BUYERS);
});

describe("verification hooks", () => {
  const hook = (over: Record<string, unknown>) =>
    sql(
      "UPDATE campaigns SET verify_hooks = ? WHERE id = 'cmp_auto'",
      JSON.stringify([{ name: "dnc", url: `${env.BUYERS_URL}/b/dnc/post`, on_fail: "reject", on_timeout: "reject", ...over }]),
    );

  it("a redirect is not followed: the consumer's data never reaches where it points, and the check is an error", async () => {
    await hook({});
    await setBuyers({
      ...BUYERS,
      dnc: { postAnswer: { status: 302, body: "", headers: { location: `${env.BUYERS_URL}/b/collector/post` } } },
      collector: { postAnswer: { body: '{"result":"pass"}', type: "application/json" } },
    });
    const lead = await submit(demoLead());
    expect(lead).toMatchObject({ status: "rejected", reason: "pre-sale check dnc: error (redirected (HTTP 302): not followed)" });
    expect(await received("dnc")).toHaveLength(1);
    expect(await received("collector")).toHaveLength(0);
  });

  it("an answer that never ends is cut at the buyers' cap, long before the hook's budget", async () => {
    await hook({ timeout_ms: 3000 });
    await setBuyers({ ...BUYERS, dnc: { post: "endless" } });
    const started = Date.now();
    const lead = await submit(demoLead());
    expect(Date.now() - started).toBeLessThan(2500);
    expect(lead).toMatchObject({ status: "rejected", reason: "pre-sale check dnc: error (answer over 65536 bytes (HTTP 200))" });
  });
});
