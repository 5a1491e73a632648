import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getPath, buildPing, buildPost, readPing, readPost } from "../../src/buyers/protocol";
import { ProtocolSchema } from "../../src/rules/schemas";
import { contract } from "./fixtures";

const native = contract({ id: "n" });
const ping = (status: number, body: string) => readPing(native, { status, body });

describe("native protocol answers", () => {
  it.each([
    [200, '{"bid": 12.5, "bid_id": "t1"}', { kind: "bid", bidCents: 1250, token: "t1" }],
    [200, '{"bid": 0}', { kind: "no_bid" }],
    [204, "", { kind: "no_bid" }],
    [200, '{"bid": "12.50"}', { kind: "invalid" }],
    [200, '{"bid": -3}', { kind: "invalid", reason: "negative bid" }],
    [200, '{"bid": 99999999}', { kind: "invalid" }],
    [200, "<html>busy</html>", { kind: "invalid", reason: "answer is not a JSON object" }],
    [200, "[1,2]", { kind: "invalid" }],
    [500, '{"bid": 10}', { kind: "error", reason: "HTTP 500" }],
  ])("HTTP %s %s", (status, body, expected) => {
    expect(ping(status, body)).toMatchObject(expected);
  });

  it("post answers: accepted, rejected with reason, 4xx as reject, 5xx and garbage as errors", () => {
    const post = (status: number, body: string) => readPost(native, { status, body });
    expect(post(200, '{"accepted":true,"buyer_lead_id":"B-1"}')).toEqual({ kind: "accepted", buyerLeadId: "B-1" });
    expect(post(200, '{"accepted":false,"reason":"dupe"}')).toEqual({ kind: "rejected", reason: "dupe" });
    expect(post(409, '{"reason":"exists"}')).toEqual({ kind: "rejected", reason: "exists" });
    expect(post(503, "")).toMatchObject({ kind: "error" });
    expect(post(200, "ok")).toMatchObject({ kind: "error" });
  });

  it("property: no answer body makes the parser throw", () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.oneof(fc.string(), fc.json()), (status, body) => {
        const a = ping(status, body);
        expect(["bid", "no_bid", "invalid", "error"]).toContain(a.kind);
        if (a.kind === "bid") expect(Number.isInteger(a.bidCents) && a.bidCents > 0).toBe(true);
        expect(["accepted", "rejected", "error"]).toContain(readPost(native, { status, body }).kind);
      }),
      { numRuns: 500 },
    );
  });

  it("builds the native ping and post bodies", () => {
    const ping = buildPing(native, { pingId: "pg_1", campaign: "auto", leadId: "ld_1", lead: { zip: "94107" }, tmaxMs: 420 });
    expect(JSON.parse(ping.body)).toEqual({ ping_id: "pg_1", campaign: "auto", tmax: 420, lead: { zip: "94107" } });
    expect(ping.headers).toEqual({ "x-leadgate-tmax": "420" });
    const post = JSON.parse(
      buildPost(native, {
        pingId: "pg_1",
        bidToken: "t",
        priceCents: 1250,
        campaign: "auto",
        leadId: "ld_1",
        lead: { zip: "94107", email: "a@b.co" },
      }).body,
    );
    expect(post).toMatchObject({ ping_id: "pg_1", bid_id: "t", price: 12.5, lead: { email: "a@b.co" } });
  });
});

describe("template-configured buyers", () => {
  const protocol = ProtocolSchema.parse({
    kind: "template",
    ping: {
      format: "form",
      static: { vendor: "lg" },
      headers: { "x-vendor-key": "abc" },
      mapping: { ref: "$ping_id", "geo.zip": "zip" },
      response: { bid_path: "data.amount", bid_unit: "cents", bid_token_path: "data.token" },
    },
    post: {
      format: "json",
      mapping: { "contact.email": "email", token: "$bid_token", amount: "$price" },
      response: { accepted_path: "result", accepted_values: ["OK"], reason_path: "why", reject_status: [409] },
    },
  });
  const c = contract({ id: "t", protocol });

  it("maps fields into a form ping with static values and headers", () => {
    const req = buildPing(c, { pingId: "pg_9", campaign: "auto", leadId: "ld", lead: { zip: "10001" }, tmaxMs: 250 });
    expect(req.contentType).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({ vendor: "lg", ref: "pg_9", geo: '{"zip":"10001"}' });
    expect(req.headers).toEqual({ "x-vendor-key": "abc", "x-leadgate-tmax": "250" });
  });

  it("reads bids in cents from a JSON path", () => {
    expect(readPing(c, { status: 200, body: '{"data":{"amount":"1375","token":"tk"}}' })).toEqual({
      kind: "bid",
      bidCents: 1375,
      token: "tk",
    });
    expect(readPing(c, { status: 200, body: '{"data":{"amount":12.5}}' })).toMatchObject({ kind: "invalid" });
  });

  it("nests JSON post fields and reads acceptance by value and status", () => {
    const req = buildPost(c, { pingId: null, bidToken: "tk", priceCents: 1375, campaign: "auto", leadId: "ld", lead: { email: "a@b.co" } });
    expect(JSON.parse(req.body)).toEqual({ contact: { email: "a@b.co" }, token: "tk", amount: 13.75 });
    expect(readPost(c, { status: 200, body: '{"result":"OK"}' })).toEqual({ kind: "accepted", buyerLeadId: null });
    expect(readPost(c, { status: 200, body: '{"result":"NO","why":"zip"}' })).toEqual({ kind: "rejected", reason: "zip" });
    expect(readPost(c, { status: 409, body: '{"why":"dupe"}' })).toEqual({ kind: "rejected", reason: "dupe" });
  });

  it("answer paths read own properties only: a buyer's answer can't reach the prototype chain", () => {
    expect(getPath({ a: {} }, "a.toString")).toBeUndefined();
    expect(getPath({ a: {} }, "a.constructor")).toBeUndefined();
    expect(getPath(JSON.parse('{"__proto__":{"x":1}}'), "__proto__.x")).toBe(1); // an own key named so is data
  });

  it("templates refuse prototype-chain segments and sources", () => {
    for (const bad of [
      { format: "json", mapping: { "__proto__.polluted": "zip" }, response: {} },
      { format: "json", mapping: { out: "constructor" }, response: {} },
      { format: "json", mapping: {}, static: { "a.prototype": "x" }, response: {} },
      { format: "json", mapping: {}, response: { bid_path: "data.__proto__" } },
    ])
      expect(ProtocolSchema.safeParse({ kind: "template", post: bad }).success).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
