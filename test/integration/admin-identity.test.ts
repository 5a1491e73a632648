// Who the admin is (issue #26): named admin tokens and Cloudflare Access's JWT (verified against the
// team's keys, served here by a loopback stub from a key pair made in the test) name the person in
// the audit trail; bad or foreign tokens are refused. Outside changes reach onRuleChanged via the cron.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { RuleChangeRow } from "../../src/db/schema";
import worker from "../../src/index";
import { announceOutsideChanges } from "../../src/pipeline/rule-changes";
import { forgetAccessKeys } from "../../src/services/access";
import { scopeOf } from "../../src/services";
import { seedDemo } from "../support/helpers";

const AUD = "leadgate-admin-aud-tag";
const ALICE = "alice-own-admin-token-0123456789abcdef";
const named = { ...env, ADMIN_TOKENS: JSON.stringify({ alice: ALICE }), ACCESS_TEAM_DOMAIN: env.BUYERS_URL, ACCESS_AUD: AUD };

async function call(path: string, init: RequestInit = {}, bindings: typeof env = named): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://gateway.test${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
const patchFloor = (floor: number, version: number, headers: Record<string, string>) =>
  call("/admin/campaigns/cmp_auto", {
    method: "PATCH",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ floor_cents: floor, version }),
  });

const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const enc = (o: object) => b64url(new TextEncoder().encode(JSON.stringify(o)));

/** A key pair, its public half served as the team's keys by the loopback stub. */
async function accessKeys(kid: string) {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  await fetch(`${env.BUYERS_URL}/control/_access`, {
    method: "PUT",
    body: JSON.stringify({ keys: [{ kid, kty: "RSA", alg: "RS256", use: "sig", n: jwk.n, e: jwk.e }] }),
  });
  return async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
    const head = enc({ alg: "RS256", kid, typ: "JWT", ...header });
    const body = enc(claims);
    const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", pair.privateKey, new TextEncoder().encode(`${head}.${body}`));
    return `${head}.${body}.${b64url(sig)}`;
  };
}

const now = () => Math.floor(Date.now() / 1000);

beforeEach(async () => {
  await seedDemo();
  forgetAccessKeys();
});

describe("named admin tokens", () => {
  it("each person's token writes under their name; an unknown token is refused", async () => {
    const res = await patchFloor(700, 1, { authorization: `Bearer ${ALICE}` });
    expect(res.status).toBe(200);
    const { change_id } = await res.json<{ change_id: number }>();
    const entry = await (
      await call(`/admin/audit/${change_id}`, { headers: { authorization: `Bearer ${ALICE}` } })
    ).json<{ actor: string }>();
    expect(entry.actor).toBe("alice");
    expect((await patchFloor(800, 2, { authorization: "Bearer not-a-token-of-anyone-0123456789abc" })).status).toBe(401);
    // Without ADMIN_TOKENS, alice's token is nobody's.
    expect((await call("/admin/campaigns/cmp_auto", { headers: { authorization: `Bearer ${ALICE}` } }, env)).status).toBe(401);
  });

  it("a named token logs in to the console as that person", async () => {
    const login = await call("/console/login", {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: ALICE }).toString(),
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    expect(cookie).toMatch(/^lg_admin=alice\./);
    expect((await call("/console", { headers: { cookie } })).status).toBe(200);
    // Her token removed from ADMIN_TOKENS: her session ends with it.
    expect((await call("/console", { headers: { cookie }, redirect: "manual" }, { ...named, ADMIN_TOKENS: "{}" })).status).toBe(303);
  });
});

describe("Cloudflare Access", () => {
  it("a valid Access JWT names the admin by email in the audit trail", async () => {
    const sign = await accessKeys("key-1");
    const jwt = await sign({ iss: env.BUYERS_URL, aud: [AUD], email: "pat@example.com", exp: now() + 600, iat: now() });
    const res = await patchFloor(650, 1, { "cf-access-jwt-assertion": jwt });
    expect(res.status).toBe(200);
    const { change_id } = await res.json<{ change_id: number }>();
    const entry = await (
      await call(`/admin/audit/${change_id}`, { headers: { "cf-access-jwt-assertion": jwt } })
    ).json<{ actor: string; via: string }>();
    expect(entry).toMatchObject({ actor: "pat@example.com", via: "api" });
    // The console too, without logging in.
    expect((await call("/console/audit", { headers: { "cf-access-jwt-assertion": jwt } })).status).toBe(200);
  });

  it("refuses a token that is expired, for another application, from another issuer, signed by another key, or not RS256", async () => {
    const sign = await accessKeys("key-2");
    const good = { iss: env.BUYERS_URL, aud: [AUD], email: "pat@example.com", exp: now() + 600 };
    const bad = [
      await sign({ ...good, exp: now() - 3600 }),
      await sign({ ...good, aud: ["another-app"] }),
      await sign({ ...good, iss: "https://evil.cloudflareaccess.com" }),
      await sign(good, { kid: "unknown-key" }),
      `${enc({ alg: "none", kid: "key-2" })}.${enc(good)}.`,
      (await sign(good)).slice(0, -4) + "AAAA",
    ];
    for (const jwt of bad) expect((await patchFloor(600, 1, { "cf-access-jwt-assertion": jwt })).status).toBe(401);
    // Another key pair's token, same kid: the signature does not verify.
    const forged = await (await accessKeys("key-3"))(good);
    await accessKeys("key-2"); // the stub serves key-2 again: key-3's token is for a key the team does not have
    forgetAccessKeys();
    expect((await patchFloor(600, 1, { "cf-access-jwt-assertion": forged })).status).toBe(401);
    expect((await env.DB.prepare("SELECT floor_cents FROM campaigns WHERE id = 'cmp_auto'").first())!.floor_cents).toBe(500);
  });

  it("a cross-site write carried by Access alone is refused", async () => {
    const sign = await accessKeys("key-4");
    const jwt = await sign({ iss: env.BUYERS_URL, aud: [AUD], email: "pat@example.com", exp: now() + 600 });
    expect((await patchFloor(600, 1, { "cf-access-jwt-assertion": jwt, origin: "https://evil.example" })).status).toBe(403);
  });
});

describe("onRuleChanged", () => {
  it("is called for changes made outside the API, once each, by the cron's sweep", async () => {
    const { services } = scopeOf(env);
    const seen: RuleChangeRow[] = [];
    const hook = async (_s: unknown, c: RuleChangeRow) => void seen.push(c);
    expect(await announceOutsideChanges(services, hook)).toBe(0); // the first run marks the history as seen
    await env.DB.prepare("UPDATE contracts SET cap_day = 42 WHERE id = 'ct_alpha'").run();
    await env.DB.prepare("UPDATE buyers SET name = 'Alpha Ins.' WHERE id = 'buy_alpha'").run();
    expect(await announceOutsideChanges(services, hook)).toBe(2);
    expect(seen.map((c) => `${c.tableName}:${c.rowId}:${c.actor}`)).toEqual(["contracts:ct_alpha:outside", "buyers:buy_alpha:outside"]);
    expect(await announceOutsideChanges(services, hook)).toBe(0);
  });
});
