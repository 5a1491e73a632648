// XML attributes in buyers' answers (issue #27): `Response.@Price` reads an attribute, an element with
// attributes still reads as its text, and the same dotted paths read JSON and form answers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getPath, readPing, readPost } from "../../src/buyers/protocol";
import { ProtocolSchema } from "../../src/rules/schemas";
import { contract } from "./fixtures";

const attributeBuyer = contract({
  id: "attr",
  protocol: ProtocolSchema.parse({
    kind: "template",
    ping: { format: "xml", mapping: { zip: "zip" }, response: { bid_path: "Response.@Price", bid_token_path: "Response.@Token" } },
    post: {
      format: "xml",
      mapping: { zip: "zip" },
      response: {
        accepted_path: "Response.@Result",
        accepted_values: ["Accepted"],
        reason_path: "Response.@Reason",
        buyer_lead_id_path: "Response.@LeadId",
      },
    },
  }),
});

describe("attributes in answers", () => {
  it("reads an attribute-only XML answer", () => {
    expect(readPing(attributeBuyer, { status: 200, body: '<Response Result="Accepted" Price="14.25" Token="T-9"/>' })).toEqual({
      kind: "bid",
      bidCents: 1425,
      token: "T-9",
    });
    expect(readPost(attributeBuyer, { status: 200, body: '<?xml version="1.0"?><Response Result="Accepted" LeadId="L-1"/>' })).toEqual({
      kind: "accepted",
      buyerLeadId: "L-1",
    });
    expect(readPost(attributeBuyer, { status: 200, body: "<Response Result='Rejected' Reason='Duplicate'></Response>" })).toEqual({
      kind: "rejected",
      reason: "Duplicate",
    });
  });

  it("an element with attributes still reads as its text; the same paths read JSON and forms", () => {
    const xml = readPing(
      contract({
        id: "x",
        protocol: ProtocolSchema.parse({
          kind: "template",
          ping: { format: "xml", mapping: {}, response: { bid_path: "response.price" } },
          post: { format: "xml", mapping: {}, response: {} },
        }),
      }),
      { status: 200, body: '<response><price currency="USD">12.50</price></response>' },
    );
    expect(xml).toMatchObject({ kind: "bid", bidCents: 1250 });
    expect(readPing(attributeBuyer, { status: 200, body: '{"Response":{"@Price":"3.10"}}' })).toMatchObject({ bidCents: 310 });
    expect(getPath({ a: { "#text": "t", "@k": "v" } }, "a")).toBe("t");
    expect(getPath({ a: { "#text": "t", "@k": "v" } }, "a.@k")).toBe("v");
  });

  it("entities are not expanded and attributes can't reach the prototype chain", () => {
    const body = '<!DOCTYPE r [<!ENTITY x "9">]><Response Price="&x;" __proto__="1" constructor="2"/>';
    expect(readPing(attributeBuyer, { status: 200, body })).toMatchObject({ kind: "invalid" });
    expect(({} as Record<string, unknown>)["1"]).toBeUndefined();
  });

  it("property: any attribute value reads back as its text, or is not a bid", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\w .-]{0,12}$/), (v) => {
        const a = readPing(attributeBuyer, { status: 200, body: `<Response Price="${v}"/>` });
        expect(["bid", "no_bid", "invalid"]).toContain(a.kind);
        if (a.kind === "bid") expect(a.bidCents).toBe(Math.round(Number(v) * 100));
      }),
    );
  });
});
