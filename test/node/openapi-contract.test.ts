// The API contract: /openapi.json is a valid OpenAPI 3.1 document (checked by a real validator) and
// describes every route the app serves. Runs in Node: the validator reads its meta-schemas from disk.
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { ERROR_CODE_LIST } from "../../src/lib/errors";
import { app, OPENAPI_PATH } from "../../src/http/app";

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
  servers: { url: string }[];
};

async function loadDocument(): Promise<Doc> {
  const res = await app.request(`http://gateway.test${OPENAPI_PATH}`);
  expect(res.status).toBe(200);
  return res.json();
}

/** Hono's `/v1/leads/:id` as OpenAPI's `/v1/leads/{id}`. */
const openApiPath = (honoPath: string) => honoPath.replace(/:([^/]+)/g, "{$1}");

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const doc = await loadDocument();
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes every route the app serves, each with an operation id and its error answers", async () => {
    const doc = await loadDocument();
    // Middleware is registered for ALL methods; a route's validators and handler for its one method.
    const keys = new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`));
    const served = [...keys].map((k) => ({ method: k.split(" ")[0]!, path: k.split(" ")[1]! }));
    expect(served.length).toBeGreaterThanOrEqual(7);
    const missing = served.filter((r) => !doc.paths[r.path]?.[r.method]);
    expect(missing).toEqual([]);
    const ids = served.map((r) => doc.paths[r.path]![r.method]!.operationId);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // Routes that touch storage document the 503 answer.
    expect(Object.keys(doc.paths["/v1/leads"]!.post!.responses)).toEqual(
      expect.arrayContaining(["200", "303", "400", "401", "403", "404", "413", "415", "422", "503"]),
    );
  });

  it("declares the ways to authenticate and uses them", async () => {
    const doc = await loadDocument();
    // Sources (API key, publishable key, reporting key), the admin (token, console session),
    // publishers' and buyers' console sessions and buyers' signed calls back.
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      "AdminSession",
      "AdminToken",
      "ApiKey",
      "BuyerSession",
      "BuyerSignature",
      "PublishableKey",
      "ReportKey",
      "SourceSession",
    ]);
    expect(doc.paths["/v1/leads"]!.post!.security).toEqual([{ ApiKey: [] }, { PublishableKey: [] }]);
    expect(doc.paths["/admin/caps"]!.get!.security).toEqual([{ AdminToken: [] }]);
    expect(doc.paths["/v1/reports/summary"]!.get!.security).toEqual([{ ApiKey: [] }, { ReportKey: [] }]);
    expect(doc.servers[0]!.url).toBe("http://gateway.test");
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["LeadResponse", "LeadTrace", "Error"]));
  });
});

describe("error codes", () => {
  it("are one list: the OpenAPI Error schema names exactly the codes of src/lib/errors.ts", async () => {
    const doc = await loadDocument();
    const schema = doc.components.schemas.Error as { properties: { error: { enum: string[] } } };
    expect(schema.properties.error.enum).toEqual(ERROR_CODE_LIST);
  });
});
