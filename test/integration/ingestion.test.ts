// POST /v1/leads: every guard, form posts with redirects, CORS, idempotency, suppression, consent,
// concurrent duplicates, and junk bodies that must never produce a 500.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { DEMO_ORIGIN, DEMO_PUBLISHABLE_KEY } from "../../demo/constants";
import { TURNSTILE_DUMMY_TOKEN } from "../../demo/turnstile-stub";
import { sha256Hex } from "../../src/lib/crypto";
import { demoLead, gateway, leadReaches, leadRequest, leadRow, postLead, received, seedDemo, setBuyers, sql } from "../support/helpers";

/** What the demo form's Turnstile widget (test sitekey) puts in the form. */
const BOT_CHECK = { "cf-turnstile-response": TURNSTILE_DUMMY_TOKEN };
const form = (fields: Record<string, unknown>) => new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString();

beforeEach(async () => {
  await seedDemo();
  await setBuyers({ alpha: { bid: 18 }, bravo: { bid: 22 }, charlie: { bid: 15 }, echo: { bid: 12, format: "form" } });
});

describe("guards, in order", () => {
  it("413 for a body over the limit", async () => {
    const res = await postLead({ ...demoLead(), padding: "x".repeat(40_000) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: "payload_too_large" });
  });

  it("415 for an unsupported content type", async () => {
    const res = await gateway("/v1/leads", {
      method: "POST",
      headers: { "content-type": "text/plain", "x-api-key": "demo-server-key" },
      body: "hi",
    });
    expect(res.status).toBe(415);
    expect((await res.json<{ message: string }>()).message).toContain("received Content-Type text/plain");
    const none = await gateway("/v1/leads", { method: "POST", headers: { "x-api-key": "demo-server-key" }, body: new Uint8Array([1]) });
    expect(none.status).toBe(415);
    expect((await none.json<{ message: string }>()).message).toContain("received no Content-Type");
  });

  it("JSON sent the way curl -d sends it (urlencoded) is a 415 saying so, not 422 'campaign is required'; nothing is stored (issue #26)", async () => {
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM leads").first<{ n: number }>();
    const res = await gateway("/v1/leads", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-api-key": "demo-server-key" },
      body: JSON.stringify(demoLead()),
    });
    expect(res.status).toBe(415);
    const body = await res.json<{ error: string; message: string }>();
    expect(body.error).toBe("unsupported_media_type");
    expect(body.message).toContain("JSON body labelled application/x-www-form-urlencoded");
    expect(body.message).toContain("Content-Type: application/json");
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM leads").first<{ n: number }>()).toEqual(before);
  });

  it("a campaign that is not a string is named with what was received (issue #26)", async () => {
    for (const [campaign, got] of [
      [5, "a number"],
      [true, "a boolean"],
      [["auto-insurance"], "a list"],
      [null, "null"],
    ] as const) {
      const res = await postLead(demoLead({ campaign }));
      expect(res.status).toBe(422);
      const body = await res.json<{ message: string; fields: { path: string; message: string }[] }>();
      expect(body.fields[0]!.path).toBe("campaign");
      expect(body.fields[0]!.message).toContain(`received ${got}`);
      expect(body.message).toContain("slug");
    }
  });

  it("400 for malformed JSON or a JSON array", async () => {
    for (const body of ["{nope", "[1,2]", "null"]) {
      const res = await gateway("/v1/leads", {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "demo-server-key" },
        body,
      });
      expect(res.status).toBe(400);
    }
  });

  it("text that is not valid in its charset is refused (400 naming the problem); a declared Latin-1 body is decoded (issue #24)", async () => {
    const latin1 = (text: string) => Uint8Array.from(text, (ch) => ch.charCodeAt(0));
    const send = (body: BodyInit, contentType: string) =>
      gateway("/v1/leads", { method: "POST", headers: { "content-type": contentType, "x-api-key": "demo-server-key" }, body });
    const lead = demoLead({ first_name: "René" });
    // Latin-1 bytes sent as (implicit) UTF-8: refused, not stored as "Ren\uFFFD".
    const undeclared = await send(latin1(JSON.stringify(lead)), "application/json");
    expect(undeclared.status).toBe(400);
    expect(await undeclared.json()).toMatchObject({ error: "invalid_encoding" });
    // The same bytes with their charset declared: decoded, stored as "René".
    const declared = await send(latin1(JSON.stringify(lead)), "application/json; charset=iso-8859-1");
    expect(declared.status).toBe(200);
    const row = await leadReaches((await declared.json<{ lead_id: string }>()).lead_id, ["sold", "pending", "unsold"]);
    expect(JSON.parse(String(row.data)).first_name).toBe("René");
    // A form whose percent-escapes are Latin-1: refused as UTF-8, accepted when declared.
    const formBody = form({ ...lead, first_name: "X" }).replace("first_name=X", "first_name=Ren%E9");
    expect((await send(formBody, "application/x-www-form-urlencoded")).status).toBe(400);
    expect((await send(formBody, "application/x-www-form-urlencoded; charset=ISO-8859-1")).status).toBe(200);
    // A lone surrogate, escaped in JSON: ill-formed text, refused naming the field.
    const lone = await send(JSON.stringify(lead).replace('"René"', '"Ren\\ud800"'), "application/json");
    expect(lone.status).toBe(400);
    expect(await lone.json()).toMatchObject({ error: "invalid_encoding", message: expect.stringContaining("first_name") });
    // A charset leadgate does not decode: 415, not a guess.
    expect((await send(JSON.stringify(lead), "application/json; charset=shift_jis")).status).toBe(415);
  });

  it("404 for an unknown campaign, 401 for a bad key, 403 for a form from a foreign origin", async () => {
    expect((await postLead(demoLead({ campaign: "no-such-thing" }))).status).toBe(404);
    expect((await postLead(demoLead(), { apiKey: "wrong" })).status).toBe(401);
    expect((await postLead(demoLead(), { apiKey: null })).status).toBe(401);
    const res = await gateway("/v1/leads", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: form({ ...demoLead(), publishable_key: DEMO_PUBLISHABLE_KEY }),
    });
    expect(res.status).toBe(403);
  });

  it("422 lists every wrong field", async () => {
    const res = await postLead(demoLead({ email: "not-an-email", zip: "12", vehicle_year: 1850, first_name: undefined }));
    expect(res.status).toBe(422);
    const body = await res.json<{ fields: { path: string }[] }>();
    expect(body.fields.map((f) => f.path).sort()).toEqual(["email", "first_name", "vehicle_year", "zip"]);
  });

  it("422 for values that name the prototype chain (a state called constructor is no state)", async () => {
    for (const state of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const res = await postLead(demoLead({ state }));
      expect(res.status).toBe(422);
      expect((await res.json<{ fields: { path: string }[] }>()).fields.map((f) => f.path)).toEqual(["state"]);
    }
    const enumRes = await postLead(demoLead({ credit: "constructor" }));
    expect(enumRes.status).toBe(422);
  });
});

describe("browser forms", () => {
  it("a plain HTML form post is stored, auctioned and redirected (303) to the source's success page", async () => {
    const res = await gateway("/v1/leads", {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: DEMO_ORIGIN, accept: "text/html,application/xhtml+xml" },
      body: form({ ...demoLead(), publishable_key: DEMO_PUBLISHABLE_KEY, ...BOT_CHECK }),
    });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location")!);
    expect(location.origin + location.pathname).toBe(`${DEMO_ORIGIN}/thanks`);
    expect(location.searchParams.get("status")).toBe("accepted"); // a browser learns only the coarse status
    await leadReaches(location.searchParams.get("lead_id")!, ["sold"]);
  });

  it("a form failure redirects to the failure page; multipart works; fetch() from JS gets JSON and CORS headers", async () => {
    const bad = await gateway("/v1/leads", {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: DEMO_ORIGIN, accept: "text/html" },
      body: form({ ...demoLead({ email: "x" }), publishable_key: DEMO_PUBLISHABLE_KEY, ...BOT_CHECK }),
    });
    expect(bad.status).toBe(303);
    const sorry = new URL(bad.headers.get("location")!);
    expect(sorry.pathname).toBe("/sorry");
    expect(sorry.searchParams.get("error")).toBe("validation_failed");
    expect(sorry.searchParams.get("fields")).toBe("email"); // which fields were wrong, never their values

    const fd = new FormData();
    for (const [k, v] of Object.entries({ ...demoLead(), publishable_key: DEMO_PUBLISHABLE_KEY, ...BOT_CHECK })) fd.set(k, String(v));
    const res = await gateway("/v1/leads", { method: "POST", headers: { origin: DEMO_ORIGIN }, body: fd });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(DEMO_ORIGIN);
    const answer = await res.json<{ lead_id: string; status: string }>();
    expect(answer).toEqual({ lead_id: expect.any(String), status: "accepted", redirect_url: `${DEMO_ORIGIN}/thanks` });
    await leadReaches(answer.lead_id, ["sold"]);
    expect((await leadRow(answer.lead_id))?.payout_cents).toBe(800); // fixed $8 payout for the form source
  });

  it("errors raised before the source is known carry CORS headers for an allowed origin, none for others", async () => {
    const browser = (headers: Record<string, string>, body: string) =>
      gateway("/v1/leads", {
        method: "POST",
        headers: { origin: DEMO_ORIGIN, "x-publishable-key": DEMO_PUBLISHABLE_KEY, ...headers },
        body,
      });
    const cases: [number, Promise<Response>][] = [
      [415, browser({ "content-type": "text/plain" }, "hi")],
      [413, browser({ "content-type": "application/x-www-form-urlencoded" }, form({ ...demoLead(), padding: "x".repeat(40_000) }))],
      [400, browser({ "content-type": "application/json" }, "{nope")],
      [
        404,
        browser(
          { "content-type": "application/x-www-form-urlencoded" },
          form({ ...demoLead({ campaign: "no-such-thing" }), ...BOT_CHECK }),
        ),
      ],
      [403, browser({ "content-type": "application/x-www-form-urlencoded" }, form(demoLead()))], // no Turnstile token
      [401, browser({ "content-type": "application/x-www-form-urlencoded", "x-publishable-key": "pk_unknown" }, form(demoLead()))],
    ];
    for (const [status, pending] of cases) {
      const res = await pending;
      expect(res.status).toBe(status);
      expect(res.headers.get("access-control-allow-origin")).toBe(DEMO_ORIGIN);
      expect(await res.json()).toMatchObject({ error: expect.any(String) });
    }
    const foreign = await gateway("/v1/leads", {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "text/plain" },
      body: "hi",
    });
    expect(foreign.status).toBe(415);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers a CORS preflight for an allowed origin and refuses others", async () => {
    const ok = await gateway("/v1/leads", { method: "OPTIONS", headers: { origin: DEMO_ORIGIN, "access-control-request-method": "POST" } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(DEMO_ORIGIN);
    expect(ok.headers.get("access-control-allow-headers")).toContain("idempotency-key");
    const no = await gateway("/v1/leads", { method: "OPTIONS", headers: { origin: "https://evil.example" } });
    expect(no.status).toBe(403);
    expect(no.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("what happens to a valid lead", () => {
  it("stores normalized data, consent and request metadata", async () => {
    const res = await postLead(
      demoLead({
        email: " PAT@Example.com ",
        phone: "415.555.2671",
        state: "Texas",
        tcpa_consent: true,
        tcpa_consent_text: "I agree",
        trustedform_cert_url: `https://cert.trustedform.com/${"a".repeat(40)}`,
      }),
      { headers: { "cf-connecting-ip": "203.0.113.9", "user-agent": "Mozilla/5.0 test" } },
    );
    const { lead_id } = await res.json<{ lead_id: string }>();
    const row = await leadReaches(lead_id, ["sold", "pending", "unsold"]);
    expect(JSON.parse(String(row.data))).toMatchObject({
      email: "pat@example.com",
      phone: "+14155552671",
      state: "TX",
      age: expect.any(Number),
    });
    expect(JSON.parse(String(row.consent))).toMatchObject({
      tcpa_consent: true,
      trustedform_cert_url: expect.stringContaining("trustedform"),
    });
    expect(JSON.parse(String(row.meta))).toMatchObject({ ip: "203.0.113.9", user_agent: "Mozilla/5.0 test" });
  });

  it("a campaign that requires consent refuses leads without it (422) and accepts leads with it", async () => {
    await sql("UPDATE campaigns SET require_consent = 1");
    const res = await postLead(demoLead());
    expect(res.status).toBe(422);
    const body = await res.json<{ fields: { path: string }[] }>();
    // consent_max_age_s (a day by default) also requires when consent was given.
    expect(body.fields.map((f) => f.path)).toEqual(["tcpa_consent", "tcpa_consent_text", "trustedform_cert_url", "consent_timestamp"]);
    const ok = await postLead(
      demoLead({
        tcpa_consent: "yes",
        tcpa_consent_text: "I agree to be contacted",
        jornaya_leadid: "0B0A3C21-1F62-4E3B-9A0D-6A1B2C3D4E5F",
        consent_timestamp: new Date().toISOString(),
      }),
    );
    expect(ok.status).toBe(200);
  });

  it('rejects a suppressed consumer, and stores the lead as rejected with the list\'s reason (the source sees only "suppressed")', async () => {
    await sql("INSERT INTO suppressions (hash, kind, reason) VALUES (?, 'phone', 'do-not-call')", await sha256Hex("phone:+14155550123"));
    const res = await postLead(demoLead({ phone: "(415) 555-0123" }));
    const body = await res.json<{ lead_id: string; status: string; reason: string }>();
    expect(body).toMatchObject({ status: "rejected", reason: "suppressed" });
    expect((await leadReaches(body.lead_id, ["rejected"])).reason).toBe("suppressed: do-not-call");
  });

  it("an idempotent replay returns the first result and never runs a second auction", async () => {
    const lead = demoLead();
    const first = await (await postLead(lead, { headers: { "idempotency-key": "order-77" } })).json<Record<string, unknown>>();
    await leadReaches(String(first.lead_id), ["sold"]);
    const again = await (await postLead(lead, { headers: { "idempotency-key": "order-77" } })).json<Record<string, unknown>>();
    expect(again).toMatchObject({ lead_id: first.lead_id, status: "sold", price: first.price, buyer: first.buyer });
    const viaExternalId = await (await postLead({ ...lead, external_id: "order-77" })).json<Record<string, unknown>>();
    expect(viaExternalId.lead_id).toBe(first.lead_id);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM leads").first<{ n: number }>();
    expect(count?.n).toBe(1);
  });

  it("the same Idempotency-Key with a different lead is a 409, and nothing is stored", async () => {
    const first = await (await postLead(demoLead(), { headers: { "idempotency-key": "order-88" } })).json<{ lead_id: string }>();
    await leadReaches(first.lead_id, ["sold"]);
    const reused = await postLead(demoLead(), { headers: { "idempotency-key": "order-88" } });
    expect(reused.status).toBe(409);
    expect(await reused.json()).toMatchObject({ error: "idempotency_conflict" });
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM leads").first<{ n: number }>();
    expect(count?.n).toBe(1);
  });

  it("a source can have two API keys at once (rotation): both work, a third does not", async () => {
    await sql("UPDATE sources SET api_key_hash_next = ? WHERE id = 'src_partner'", await sha256Hex("partner-next-key"));
    expect((await postLead(demoLead(), { apiKey: "partner-next-key" })).status).toBe(200);
    expect((await postLead(demoLead())).status).toBe(200); // the current key
    expect((await postLead(demoLead(), { apiKey: "some-other-key" })).status).toBe(401);
  });

  it("a source's browser and server submissions do not share idempotency keys", async () => {
    await sql("UPDATE sources SET api_key_hash = ? WHERE id = 'src_form'", await sha256Hex("form-server-key"));
    const browser = await gateway("/v1/leads", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: DEMO_ORIGIN,
        "x-publishable-key": DEMO_PUBLISHABLE_KEY,
        "idempotency-key": "k-1",
      },
      body: JSON.stringify({ ...demoLead(), ...BOT_CHECK }),
    });
    const server = await postLead(demoLead(), { apiKey: "form-server-key", headers: { "idempotency-key": "k-1" } });
    expect(browser.status).toBe(200);
    expect(server.status).toBe(200);
    const [b, s] = [await browser.json<{ lead_id: string }>(), await server.json<{ lead_id: string }>()];
    expect(b.lead_id).not.toBe(s.lead_id);
  });

  it("two identical leads at once: exactly one is not a duplicate", async () => {
    const lead = demoLead();
    const results = await Promise.all(
      [postLead(lead), postLead(lead), postLead(lead)].map(async (r) =>
        (await r).json<{ status: string; lead_id: string; duplicate_of: string | null }>(),
      ),
    );
    const originals = results.filter((r) => r.status !== "duplicate");
    expect(originals).toHaveLength(1);
    for (const d of results.filter((r) => r.status === "duplicate")) expect(d.duplicate_of).toBe(originals[0]!.lead_id);
  });

  it("a consumer sharing only the email with an earlier lead is a duplicate too", async () => {
    const first = demoLead();
    await postLead(first);
    const res = await (await postLead(demoLead({ email: first.email }))).json<{ status: string }>();
    expect(res.status).toBe("duplicate");
  });

  it("a duplicate is recorded with its original", async () => {
    const lead = demoLead();
    const a = await (await postLead(lead)).json<{ lead_id: string }>();
    const b = await (await postLead(lead)).json<{ lead_id: string; status: string }>();
    expect(b.status).toBe("duplicate");
    const row = await leadReaches(b.lead_id, ["duplicate"]);
    expect(row.duplicate_of).toBe(a.lead_id);
  });
});

describe("robustness", () => {
  it("property: arbitrary junk bodies never yield a 500", async () => {
    const junk = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json().map((j) => j),
      fc
        .dictionary(
          fc.string({ maxLength: 12 }),
          fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.object()),
        )
        .map((o) => JSON.stringify({ campaign: "auto-insurance", ...o })),
    );
    const contentType = fc.constantFrom(
      "application/json",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "text/plain",
      "application/json; charset=utf-8",
    );
    await fc.assert(
      fc.asyncProperty(junk, contentType, async (body, ct) => {
        const res = await gateway("/v1/leads", { method: "POST", headers: { "content-type": ct, "x-api-key": "demo-server-key" }, body });
        expect(res.status).toBeLessThan(500);
        await res.arrayBuffer();
      }),
      { numRuns: 150 },
    );
  });

  it("serves an OpenAPI document describing every status", async () => {
    const doc = await (
      await gateway("/openapi.json")
    ).json<{ components: { schemas: { LeadResponse: { properties: { status: { enum: string[] } } } } } }>();
    expect(doc.components.schemas.LeadResponse.properties.status.enum).toEqual([
      "sold",
      "unsold",
      "pending",
      "duplicate",
      "rejected",
      "erased",
    ]);
  });

  it("unknown routes are JSON 404s", async () => {
    const res = await gateway("/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
    expect(await leadRow("x")).toBeNull();
  });
});

describe("failures after the lead is stored", () => {
  it("a Durable Object outage answers pending (not 500) and leaves the lead for the retry queue", async () => {
    const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
    const worker = (await import("../../src/index")).default;
    const broken = {
      ...env,
      DEDUPE: {
        idFromName: (name: string) => env.DEDUPE.idFromName(name),
        get: () => ({ claimAndCheck: () => Promise.reject(new Error("object unavailable")), release: () => Promise.resolve() }),
      } as unknown as typeof env.DEDUPE,
    };
    const ctx = createExecutionContext();
    const res = await worker.fetch(leadRequest(), broken, ctx);
    expect(res.status).toBe(200);
    const body = await res.json<{ lead_id: string; status: string; reason: string }>();
    expect(body).toMatchObject({ status: "pending", reason: "auction interrupted, retry scheduled" });
    await waitOnExecutionContext(ctx);
    await leadReaches(body.lead_id, ["pending"]);
  });
});

describe("failures before the lead is stored", () => {
  const failingDb = new Proxy(env.DB, {
    get(target, prop, receiver) {
      if (prop === "batch") return () => Promise.reject(new Error("D1_ERROR: network connection lost"));
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  async function submitWithFailingDb() {
    const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
    const worker = (await import("../../src/index")).default;
    const ctx = createExecutionContext();
    const res = await worker.fetch(leadRequest(), { ...env, DB: failingDb }, ctx);
    return { res, settled: () => waitOnExecutionContext(ctx) };
  }

  it("D1 down with no rules cached: 503 with a retry hint, never a 500", async () => {
    const { res } = await submitWithFailingDb();
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toMatchObject({ error: "rules_unavailable" });
  });

  it("the lead's store fails: 503 (nothing was accepted); the pings that left meanwhile lead to no post", async () => {
    const { getRules } = await import("../../src/rules/cache");
    await getRules(env.DB, 60_000); // rules cached: only the lead's own batch fails
    const { res, settled } = await submitWithFailingDb();
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toMatchObject({ error: "storage_unavailable" });
    await settled();
    const requests = (await Promise.all(["alpha", "bravo", "charlie", "echo"].map(received))).flat();
    expect(requests.filter((r) => r.kind === "ping").length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.kind === "post")).toEqual([]);
  });
});

describe("logs", () => {
  it("carry ids, outcomes and reasons, never the consumer's data", async () => {
    const lines: string[] = [];
    const spies = (["log", "warn", "error"] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
      }),
    );
    try {
      const lead = demoLead({ street: "742 Evergreen Terrace" });
      await (await postLead(lead)).text(); // sold
      await (await postLead(lead)).text(); // duplicate
      await (await postLead({ ...lead, email: "broken-address", phone: "12" })).text(); // 422
      await sql(
        "INSERT INTO suppressions (hash, kind, reason) VALUES (?, 'email', 'opt-out')",
        await sha256Hex(`email:${String(lead.email).toLowerCase()}`),
      );
      await (await postLead({ ...demoLead(), email: lead.email })).text(); // rejected
    } finally {
      for (const s of spies) s.mockRestore();
    }
    const text = lines.join("\n");
    expect(text).toContain("lead_auctioned");
    expect(text).toContain("lead_refused");
    for (const secret of ["@example.com", "Pat", "Doe", "Evergreen", "1980-05-17", "broken-address"]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/\+1415\d{7}/); // normalized phone
    expect(text).not.toMatch(/\(415\) \d{3} \d{4}/); // phone as submitted
  });
});
