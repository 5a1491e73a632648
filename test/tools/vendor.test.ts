// The console's vendored charting library is exactly the installed uplot package (run
// `npm run vendor:uplot` after upgrading it).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VENDOR_FILE, vendoredUplot } from "../../scripts/vendor-uplot";

describe("src/console/uplot.generated.ts", () => {
  it("matches node_modules/uplot", () => {
    expect(readFileSync(VENDOR_FILE, "utf8") === vendoredUplot()).toBe(true);
  });
});
