// A contract's format as the editor's form rows (issue #27): every documented template and preset
// example is carried exactly by the rows, any protocol in the rows' vocabulary reads back the same
// (property), cells keep their types, what rows can't carry exactly falls back to JSON, and cells
// that can't be read are errors at their row.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import buyerProtocol from "../../docs/BUYER_PROTOCOL.md?raw";
import adminGuide from "../../docs/ADMIN.md?raw";
import { readForm } from "../../src/console/editor-input";
import { cellOf, fromRows, protocolRows, readCell, toRows } from "../../src/console/protocol-rows";
import type { FieldError } from "../../src/lib/errors";
import { CASES, PHONE_FORMATS } from "../../src/rules/mapping";
import { PRESET_NAMES } from "../../src/rules/presets";
import { ProtocolSchema } from "../../src/rules/schemas";

const parsed = (p: unknown) => JSON.stringify(ProtocolSchema.parse(p));

/** Reading a protocol's rows back: the same protocol, as the gateway reads it. */
function expectCarried(p: unknown): void {
  const rows = protocolRows(p);
  expect(rows, JSON.stringify(p)).not.toBeNull();
  const errors: FieldError[] = [];
  expect(parsed(fromRows(rows!, errors))).toBe(parsed(p));
  expect(errors).toEqual([]);
}

/** Every JSON block of a doc that is a whole template protocol. */
function protocolsIn(doc: string): unknown[] {
  return [...doc.matchAll(/```json\n([\s\S]*?)```/g), ...doc.matchAll(/protocol = '(\{.*\})'/g)].flatMap((m) => {
    try {
      const v: unknown = JSON.parse(m[1]!);
      return ProtocolSchema.safeParse(v).success && (v as { kind?: string }).kind === "template" ? [v] : [];
    } catch {
      return [];
    }
  });
}

describe("a contract's format as form rows", () => {
  it("carries every template and preset example of the docs exactly", () => {
    const examples = [...protocolsIn(buyerProtocol), ...protocolsIn(adminGuide)];
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const p of examples) expectCarried(p);
  });

  it("carries transforms (shorthand or listed), joined text, constants and defaults", () => {
    const p = {
      kind: "template",
      preset: "leadconduit",
      post: {
        mapping: {
          phone_1: { from: "phone", format: "digits10" },
          owner: { from: "homeowner", bool: ["Y", "N"] },
          dob: { from: "dob", date: "MM/DD/YYYY", default: "" },
          credit: { from: "credit", map: { excellent: "A", good: "B", fair: 3 }, default: "C" },
          name: { concat: ["first_name", " ", "last_name"], transforms: [{ case: "upper" }, { truncate: 20 }] },
          and_more: { concat: ["zip", { text: "and" }, "state"] },
          vendor: { const: 42 },
          code: { const: "007" },
          flag: { const: "true" },
          state: { from: "state", case: "lower", transforms: [{ truncate: 2 }], format: "e164" },
        },
      },
    };
    expectCarried(p);
    const rows = protocolRows(p)!;
    const byKey = new Map(rows.post.mapping.map((e) => [e.key, e]));
    expect(byKey.get("name")).toEqual({
      key: "name",
      source: "joined",
      value: "{first_name} {last_name}",
      steps: [
        { kind: "case:upper", param: "" },
        { kind: "truncate", param: "20" },
      ],
      default: "",
    });
    expect(byKey.get("credit")!.steps).toEqual([{ kind: "map", param: "excellent=A, good=B, fair=3" }]);
    expect(byKey.get("owner")!.steps).toEqual([{ kind: "bool", param: "Y, N" }]);
    expect(byKey.get("dob")!.default).toBe('""');
    expect(byKey.get("and_more")!.value).toBe("{zip}and{state}");
    expect([byKey.get("vendor")!.value, byKey.get("code")!.value, byKey.get("flag")!.value]).toEqual(["42", "007", '"true"']);
    // Shorthand steps run in the order written, an explicit list in its place among them.
    expect(byKey.get("state")!.steps.map((s) => s.kind)).toEqual(["case:lower", "truncate", "format:e164"]);
  });

  it("a native protocol, an empty one and a preset with only its own rows", () => {
    expectCarried({ kind: "native" });
    expect(protocolRows(null)!.kind).toBe("native");
    expectCarried({ kind: "template", preset: "boberdoo" });
    expect(fromRows(toRows({ kind: "template", preset: "form_text", post: { mapping: { email: "email" } } }))).toEqual({
      kind: "template",
      preset: "form_text",
      post: { mapping: { email: "email" }, response: {} },
    });
  });

  it("falls back to JSON when the rows can't carry it exactly", () => {
    const post = (mapping: unknown, response: unknown = {}) => ({ kind: "template", post: { format: "json", mapping, response } });
    expect(protocolRows(post({ x: { from: "credit", map: { "a,b": "Y" } } }))).toBeNull(); // a comma in a map key
    expect(protocolRows(post({ x: { from: "credit", map: { "a=b": "Y" } } }))).toBeNull();
    expect(protocolRows(post({ x: { concat: ["-", " ", "zip"] } }))).toBeNull(); // two literals side by side
    expect(protocolRows(post({}, { accepted_values: ["a,b"] }))).toBeNull();
    expect(protocolRows(post({ x: { const: 1e21 } }))).toBeNull();
    expect(protocolRows({ kind: "soap" })).toBeNull();
    expect(protocolRows(post({ x: { concat: ["street", "\n", "city"] } }))).toBeNull(); // a browser drops the line break
    expect(protocolRows(post({}, { bid_pth: "price" }))).toBeNull(); // a typo the schema strips: no cell for it
    expect(protocolRows("not an object")).toBeNull();
    expect(protocolRows({ kind: "template", post: { format: "json", mapping: {} } })).toBeNull(); // invalid: kept as written
  });

  it("a cell reads back what it shows, for any text, whole number, price or yes/no", () => {
    const scalar = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.integer({ min: -99999, max: 99999 }).map((c) => c / 100),
    );
    fc.assert(fc.property(scalar, (v) => Object.is(readCell(cellOf(v)), v) || (v === "" && readCell(cellOf(v)) === "")));
    expect([readCell("02134"), readCell("12.50"), readCell("true"), readCell(' "5" '), readCell(""), readCell("Y")]).toEqual([
      "02134",
      12.5,
      true,
      "5",
      undefined,
      "Y",
    ]);
    // A browser drops newlines from an input's value: text with control characters shows quoted.
    expect(cellOf("a\nb")).toBe('"a\\nb"');
  });

  it("any protocol in the rows' vocabulary reads back the same (property)", () => {
    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,8}(\.[A-Za-z][A-Za-z0-9_]{0,5})?$/);
    const field = fc.constantFrom("zip", "state", "phone", "email", "first_name", "$price", "$consent.ip", "$bid_token");
    const text = fc.stringMatching(/^[A-Za-z0-9 _./-]{1,12}$/);
    const isLiteral = (part: string) => !/^[a-z$]/.test(part);
    const scalar = fc.oneof(text, fc.integer({ min: -1000, max: 100000 }), fc.boolean());
    const step = fc.oneof(
      fc.constantFrom(...PHONE_FORMATS).map((format) => ({ format })),
      fc.constantFrom(...CASES).map((c) => ({ case: c })),
      fc.constantFrom("MM/DD/YYYY", "YYYY-MM-DD", "M/D/YY").map((date) => ({ date })),
      fc.tuple(scalar, scalar).map((bool) => ({ bool })),
      fc.dictionary(fc.stringMatching(/^[a-z0-9_]{1,6}$/), scalar, { minKeys: 1, maxKeys: 4 }).map((map) => ({ map })),
      fc.integer({ min: 1, max: 500 }).map((truncate) => ({ truncate })),
    );
    const entry = fc.oneof(
      field,
      fc.record({ from: field, transforms: fc.array(step, { maxLength: 3 }), default: scalar }, { requiredKeys: ["from", "transforms"] }),
      fc.record({ const: scalar, transforms: fc.array(step, { maxLength: 1 }) }, { requiredKeys: ["const"] }),
      fc
        .array(fc.oneof(field, fc.constantFrom(" ", "-", ", ")), { minLength: 1, maxLength: 4 })
        // Two literals side by side read back as one: the rows carry one literal between fields.
        .filter((parts) => parts.every((p, i) => i === 0 || !(isLiteral(p) && isLiteral(parts[i - 1]!))))
        .map((concat) => ({ concat })),
    );
    const part = fc.record(
      {
        format: fc.constantFrom("json", "form", "xml", "query"),
        xml_root: fc.constantFrom("request", "lead"),
        static: fc.dictionary(key, scalar, { maxKeys: 3 }),
        headers: fc.dictionary(
          fc.constantFrom("Accept", "X-Vendor"),
          text.filter((t) => t.trim() === t),
          { maxKeys: 2 },
        ),
        mapping: fc.dictionary(key, entry, { maxKeys: 5 }),
        response: fc.record(
          {
            bid_path: fc.constantFrom("price", "response.@Price"),
            bid_unit: fc.constantFrom("dollars", "cents"),
            accepted_values: fc.array(
              fc.oneof(
                text.filter((t) => t.trim() === t),
                fc.integer({ min: 1, max: 999 }),
              ),
              { maxLength: 3 },
            ),
            reject_status: fc.array(fc.integer({ min: 400, max: 599 }), { maxLength: 2 }),
            accepted_regex: fc.constantFrom("(?i)^ok", "\\d{1,2}"),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ["format", "mapping", "response"] },
    );
    const protocol = fc.record(
      { kind: fc.constant("template"), preset: fc.constantFrom(...PRESET_NAMES), ping: part, post: part },
      { requiredKeys: ["kind", "post"] },
    );
    fc.assert(
      fc.property(protocol, (p) => {
        fc.pre(ProtocolSchema.safeParse(p).success);
        expectCarried(p);
      }),
      { numRuns: 300 },
    );
  });
});

describe("reading the rows a form posts", () => {
  /** The contract's format as the editor reads a form carrying these fields. */
  const read = async (fields: Record<string, string>) => {
    const { body, errors } = await readForm("contracts", fields, new Map());
    return { protocol: body.protocol, errors };
  };

  it("reads a ten-digit phone, Y/N, a date pattern, joined text and static fields; blank rows are ignored", async () => {
    const { protocol, errors } = await read({
      "protocol.kind": "template",
      "protocol.preset": "",
      "protocol.post.format": "json",
      "protocol.post.mapping.0.key": "phone",
      "protocol.post.mapping.0.source": "field",
      "protocol.post.mapping.0.value": "phone",
      "protocol.post.mapping.0.t.0.kind": "format:digits10",
      "protocol.post.mapping.0.t.0.param": "",
      "protocol.post.mapping.1.key": "owner",
      "protocol.post.mapping.1.value": "homeowner",
      "protocol.post.mapping.1.t.0.kind": "bool",
      "protocol.post.mapping.1.t.0.param": "Y, N",
      "protocol.post.mapping.1.default": "N",
      "protocol.post.mapping.2.key": "dob",
      "protocol.post.mapping.2.value": "dob",
      "protocol.post.mapping.2.t.0.kind": "date",
      "protocol.post.mapping.2.t.0.param": "MM/DD/YYYY",
      "protocol.post.mapping.3.key": "name",
      "protocol.post.mapping.3.source": "joined",
      "protocol.post.mapping.3.value": "{first_name} {last_name}",
      "protocol.post.mapping.4.key": "",
      "protocol.post.mapping.4.value": "email",
      "protocol.post.static.0.key": "vendor_id",
      "protocol.post.static.0.value": "77",
      "protocol.post.static.1.key": "code",
      "protocol.post.static.1.value": '"077"',
      "protocol.post.response.0.rule": "accepted_path",
      "protocol.post.response.0.value": "status",
      "protocol.post.response.1.rule": "accepted_values",
      "protocol.post.response.1.value": "ACCEPTED, 1",
      "protocol.ping.format": "",
      "protocol.ping.mapping.0.key": "",
    });
    expect(protocol).toEqual({
      kind: "template",
      post: {
        format: "json",
        static: { vendor_id: 77, code: "077" },
        mapping: {
          phone: { from: "phone", transforms: [{ format: "digits10" }] },
          owner: { from: "homeowner", transforms: [{ bool: ["Y", "N"] }], default: "N" },
          dob: { from: "dob", transforms: [{ date: "MM/DD/YYYY" }] },
          name: { concat: ["first_name", " ", "last_name"] },
        },
        response: { accepted_path: "status", accepted_values: ["ACCEPTED", 1] },
      },
    });
    expect(errors).toEqual([]);
  });

  it("a cell that can't be read is an error at its row, and what was typed is kept to show again", async () => {
    const { protocol, errors } = await read({
      "protocol.kind": "template",
      "protocol.post.format": "form",
      "protocol.post.mapping.0.key": "a",
      "protocol.post.mapping.0.value": "zip",
      "protocol.post.mapping.0.t.0.kind": "truncate",
      "protocol.post.mapping.0.t.0.param": "five",
      "protocol.post.mapping.0.t.1.kind": "bool",
      "protocol.post.mapping.0.t.1.param": "Y",
      "protocol.post.mapping.1.key": "b",
      "protocol.post.mapping.1.value": "state",
      "protocol.post.mapping.1.t.0.kind": "map",
      "protocol.post.mapping.1.t.0.param": "TX is Texas",
      "protocol.post.mapping.2.key": "c",
      "protocol.post.mapping.2.source": "joined",
      "protocol.post.mapping.2.value": "{First Name}",
      "protocol.post.mapping.3.key": "d",
      "protocol.post.mapping.3.value": "zip",
      "protocol.post.mapping.3.t.0.kind": "rot13",
      "protocol.post.mapping.4.key": "e",
      "protocol.post.mapping.4.value": "state",
      "protocol.post.mapping.4.t.0.kind": "map",
      "protocol.post.mapping.4.t.0.param": "__proto__=x, TX=Texas",
      "protocol.post.response.0.rule": "bid_price",
      "protocol.post.response.0.value": "x",
    });
    const p = protocol;
    expect(errors.map((e) => e.path)).toEqual([
      "protocol.post.mapping.0.t.0.param",
      "protocol.post.mapping.0.t.1.param",
      "protocol.post.mapping.1.t.0.param",
      "protocol.post.mapping.2.value",
      "protocol.post.mapping.3.t.0.kind",
      "protocol.post.response.0.rule",
    ]);
    expect(ProtocolSchema.safeParse(p).success).toBe(false);
    const again = protocolRows(p)!; // shown again as rows, with what was typed
    expect(again.post.mapping[0]!.steps).toEqual([
      { kind: "truncate", param: "five" },
      { kind: "bool", param: "Y" },
    ]);
    expect(again.post.mapping[1]!.steps[0]!.param).toBe("TX is Texas");
    expect(again.post.mapping[2]!.value).toBe("{First Name}"); // not a field: kept with its braces
    // A typed `__proto__` is a key like any other (the schema refuses it), never an object's prototype.
    const lookup = (p as { post: { mapping: Record<string, { transforms: { map: object }[] }> } }).post.mapping.e!.transforms[0]!.map;
    expect(Object.getPrototypeOf(lookup)).toBe(Object.prototype);
    expect(Object.keys(lookup)).toEqual(["__proto__", "TX"]);
  });
});
