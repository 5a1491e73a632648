// npm start -- --reset removes all the local state the console reads (issue #26): D1 and the Durable
// Objects' storage alike, so no cap ledger, dedupe shard or rollup outlives the records it counts.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { localStateDir, resetLocalState } from "../../scripts/lib/local-state";

describe("npm start -- --reset", () => {
  it("removes D1 and every Durable Object's state, and keeps the rest of .wrangler", () => {
    const root = mkdtempSync(path.join(tmpdir(), "leadgate-reset-"));
    const state = localStateDir(root);
    for (const dir of ["v3/d1/miniflare-D1DatabaseObject", "v3/do/leadgate-CapLedger", "v3/do/leadgate-DedupeShard", "v3/queues"]) {
      mkdirSync(path.join(state, dir), { recursive: true });
      writeFileSync(path.join(state, dir, "db.sqlite"), "x");
    }
    writeFileSync(path.join(root, ".wrangler", "demo-seed.sql"), "-- kept");
    expect(resetLocalState(root)).toBe(true);
    expect(existsSync(state)).toBe(false);
    expect(readFileSync(path.join(root, ".wrangler", "demo-seed.sql"), "utf8")).toBe("-- kept");
    expect(resetLocalState(root)).toBe(false);
  });

  it("is what npm start does on --reset, before the migrations", () => {
    const start = readFileSync(path.join(import.meta.dirname, "../../scripts/start.ts"), "utf8");
    const reset = start.indexOf("if (reset) resetLocalState(ROOT);");
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThan(start.indexOf('wranglerOrDie(["d1", "migrations", "apply"'));
  });
});
