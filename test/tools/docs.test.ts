// Docs that must say what the code says.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODE_LIST, ERROR_CODES } from "../../src/lib/errors";

const doc = (name: string) => readFileSync(path.join(import.meta.dirname, "../../docs", name), "utf8");

describe("docs/API.md", () => {
  it("lists every error code with its meaning, exactly as src/lib/errors.ts does", () => {
    const api = doc("API.md");
    const section = api.slice(api.indexOf("### Error codes"));
    const table = section.slice(0, section.indexOf("\n## "));
    const documented = [...table.matchAll(/^\| `([a-z_]+)` \| (.+) \|$/gm)];
    expect(
      documented.map((m) => m[1]),
      "npm run docs:errors rewrites the table",
    ).toEqual(ERROR_CODE_LIST);
    expect(documented.map((m) => m[2])).toEqual(Object.values(ERROR_CODES));
  });
});

describe("docs/BUYER_PROTOCOL.md", () => {
  it("shows the verifier and the signer exactly as docs/examples/verify-signature.ts (the file the tests run) has them", () => {
    const example = readFileSync(path.join(import.meta.dirname, "../../docs/examples/verify-signature.ts"), "utf8");
    const snippets = [...doc("BUYER_PROTOCOL.md").matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(snippets.map((s) => s.split("\n")[0])).toEqual([
      "export async function verifyLeadgateRequest(",
      "export async function signLeadgateCallback(",
    ]);
    for (const snippet of snippets) expect(example).toContain(snippet);
  });
});

describe("README.md", () => {
  it("states the Node version package.json's engines requires (an older one makes npm ci warn EBADENGINE)", () => {
    const readme = readFileSync(path.join(import.meta.dirname, "../../README.md"), "utf8");
    const engines = (
      JSON.parse(readFileSync(path.join(import.meta.dirname, "../../package.json"), "utf8")) as { engines: { node: string } }
    ).engines.node;
    const version = /^>=(\d+)\.(\d+)$/.exec(engines)!;
    expect(readme).toContain(`Node ${version[1]}.${version[2]} or later`);
    expect(readme).not.toMatch(/Node 2\d\+/);
    expect(readFileSync(path.join(import.meta.dirname, "../../.nvmrc"), "utf8").trim()).toBe(version[1]);
  });
});
