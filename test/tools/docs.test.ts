// Docs that must say what the code says.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EXPORT_KINDS } from "../../src/db/export-kinds";
import { EVENT_TYPE_LIST, TEST_EVENT } from "../../src/events/catalog";
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

/** The text of a `## ` section of docs/API.md, up to the next one. */
const section = (title: string) => {
  const api = doc("API.md");
  const start = api.indexOf(`\n## ${title}`);
  expect(start, title).toBeGreaterThan(0);
  const end = api.indexOf("\n## ", start + 1);
  return api.slice(start, end < 0 ? undefined : end);
};

describe("docs/API.md, Webhooks and Exports", () => {
  it("documents every event type (and its data) and every export kind's columns", () => {
    const hooks = section("Webhooks");
    for (const type of [...EVENT_TYPE_LIST, TEST_EVENT]) {
      expect(hooks, type).toContain(`| \`${type}\` |`);
      expect(hooks, `${type}'s data`).toMatch(new RegExp(`^- (\`[a-z._]+\`, )*\`${type.replace(".", "\\.")}\``, "m"));
    }
    const exports = section("Exports");
    for (const [kind, k] of Object.entries(EXPORT_KINDS)) {
      const line = exports.slice(exports.indexOf(`- \`${kind}\`:`));
      const entry = line.slice(0, line.indexOf("\n- ") < 0 ? undefined : line.indexOf("\n- "));
      for (const c of k.columns) expect(entry, `${kind}.${c.name}`).toContain(`\`${c.name}\``);
    }
  });

  it("shows the webhook verifier exactly as docs/examples/verify-signature.ts (the file the tests run) has it", () => {
    const example = readFileSync(path.join(import.meta.dirname, "../../docs/examples/verify-signature.ts"), "utf8");
    const snippets = [...section("Webhooks").matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(snippets.map((s) => s.split("\n")[0])).toEqual(["export async function verifyLeadgateRequest("]);
    for (const snippet of snippets) expect(example).toContain(snippet);
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

describe("docs/BUYER_PROTOCOL.md: templates (issue #27)", () => {
  it("documents every connector preset with a worked example, and every transform", async () => {
    const { PRESET_NAMES } = await import("../../src/rules/presets");
    const { PHONE_FORMATS, STEP_KEYS } = await import("../../src/rules/mapping");
    const text = doc("BUYER_PROTOCOL.md");
    for (const name of PRESET_NAMES) {
      expect(text).toContain(`**\`${name}\`**`);
      expect(text).toContain(`"preset": "${name}"`);
    }
    for (const key of [...STEP_KEYS, "concat", "const", "default"]) expect(text).toContain(`"${key}"`);
    for (const format of PHONE_FORMATS) expect(text).toContain(format);
    expect(text).toContain("Response.@Price");
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
