// Peppered fingerprints: what the gateway computes with FINGERPRINT_PEPPER is what the re-key
// script makes of a stored plain fingerprint, without ever seeing the phone number.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rekeyStatements } from "../../scripts/lib/rekey";
import { fingerprintHash, pepperedHash } from "../../src/lead/fingerprints";
import { sha256Hex } from "../../src/lib/crypto";

const PEPPER = "a-pepper-of-at-least-32-characters-xyz";

describe("fingerprints", () => {
  it("property: re-keying a plain fingerprint gives the peppered one", async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^\+1[2-9]\d{9}$/), async (e164) => {
        const plain = await fingerprintHash("phone", e164);
        expect(plain).toBe(await sha256Hex(`phone:${e164}`));
        const peppered = await fingerprintHash("phone", e164, PEPPER);
        expect(peppered).not.toBe(plain);
        expect(await pepperedHash(PEPPER, plain)).toBe(peppered);
      }),
      { numRuns: 50 },
    );
  });

  it("the re-key SQL moves suppressions and lead hashes, marks itself done, and refuses anything but a hash", async () => {
    const plain = await fingerprintHash("email", "pat@example.com");
    const sql = await rekeyStatements(PEPPER, [{ hash: plain }], [{ id: "ld_1", phone_hash: null, email_hash: plain }]);
    const peppered = await fingerprintHash("email", "pat@example.com", PEPPER);
    expect(sql).toEqual([
      `UPDATE suppressions SET hash = '${peppered}' WHERE hash = '${plain}';`,
      `UPDATE leads SET email_hash = '${peppered}' WHERE id = 'ld_1';`,
      `INSERT OR REPLACE INTO settings (key, value) VALUES ('fingerprints', 'peppered');`,
    ]);
    await expect(rekeyStatements(PEPPER, [{ hash: "x'; DROP TABLE leads; --" }], [])).rejects.toThrow("not a fingerprint");
  });
});
