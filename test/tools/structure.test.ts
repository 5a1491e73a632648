// The tree keeps its shape (scripts/structure.ts): imports follow the layer order stated in
// docs/ARCHITECTURE.md, D1 SQL lives only in src/db/ (a Durable Object's own SQLite in its object),
// nothing outside src/db/ reaches a database handle, no function is over 80 lines and no file over 300.
import { describe, expect, it } from "vitest";
import { checkFile, checkTree, formatProblem, readLayers } from "../../scripts/structure";

describe("src/", () => {
  it("breaks none of the structure rules", () => {
    expect(checkTree().map(formatProblem)).toEqual([]);
  });

  it("the checker catches each kind of problem", () => {
    const layers = readLayers();
    const kinds = (file: string, text: string) => checkFile(layers, file, text).map((p) => p.kind);
    expect(kinds("lib/x.ts", `import { app } from "../http/app";\n`)).toEqual(["layer"]);
    expect(kinds("pipeline/x.ts", "const q = `SELECT * FROM leads`;\n")).toEqual(["sql"]);
    expect(kinds("pipeline/x.ts", `import { eq } from "drizzle-orm";\n`)).toEqual(["sql"]);
    expect(kinds("http/x.ts", "const d = services.records.db;\n")).toEqual(["db_reach"]);
    expect(kinds("lib/x.ts", `function f() {\n${"  f();\n".repeat(80)}}\n`)).toEqual(["function_size"]);
    expect(kinds("lib/x.ts", "const a = 1;\n".repeat(301))).toEqual(["file_size"]);
    // A Durable Object's own SQLite is its business.
    expect(kinds("objects/x.ts", "this.sql.exec(`SELECT 1`);\n")).toEqual([]);
  });
});
