// The demo's sorry page (issue #26): plain words instead of error codes, the wrong answers named and
// marked in the form shown again (which the page's script refills with what was typed), and every
// error code a browser can be redirected with has a readable message.
import { describe, expect, it } from "vitest";
import { errorText, sorryPage } from "../../demo/landing";
import { ERROR_CODE_LIST } from "../../src/lib/errors";

describe("the demo's sorry page", () => {
  it("says what went wrong in plain words, names the answers to check and marks them in the form", () => {
    const html = sorryPage(new URLSearchParams({ error: "validation_failed", fields: "email,vehicle_year" }), "http://127.0.0.1:8787");
    expect(html).toContain("Some answers need another look.");
    expect(html).not.toContain("validation_failed");
    expect(html).toContain("Enter an email address, like name@example.com.");
    expect(html).toContain("Enter a number from 1980 to 2027.");
    expect(html).toMatch(/id="email" name="email" aria-invalid="true" aria-describedby="hint-email"/);
    expect(html).toMatch(/<form [^>]*data-keep data-restore>/);
    expect(html).toContain("sessionStorage");
  });

  it("has a readable message for every error code, none of them the code itself", () => {
    for (const code of ERROR_CODE_LIST) {
      expect(errorText(code)).not.toContain(code);
      expect(errorText(code)).toMatch(/^[A-Z].*\.$/);
    }
    expect(errorText("bot_check_unavailable")).toContain("busy");
  });
});
