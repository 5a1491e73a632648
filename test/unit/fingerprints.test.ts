// Peppered fingerprints: what the gateway computes with FINGERPRINT_PEPPER is what the re-key
// script makes of a stored plain fingerprint, without ever seeing the phone number.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rekeyStatements } from "../../scripts/lib/rekey";
import { canonicalEmail, fingerprintHash, pepperedHash } from "../../src/lead/fingerprints";
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

  it("one mailbox, one fingerprint: plus tags and Gmail's dots where the provider ignores them (issue #24)", async () => {
    expect(canonicalEmail("Pat.Doe+leads@GMail.com")).toBe("patdoe@gmail.com");
    expect(canonicalEmail("pat.doe+x@googlemail.com")).toBe("patdoe@gmail.com");
    expect(canonicalEmail("pat+promo@outlook.com")).toBe("pat@outlook.com");
    // Providers that may deliver tagged addresses to different people keep them apart.
    expect(canonicalEmail("pat+promo@example.com")).toBe("pat+promo@example.com");
    expect(canonicalEmail("pat.doe@example.com")).toBe("pat.doe@example.com");
    expect(await fingerprintHash("email", "p.a.t+1@gmail.com", PEPPER)).toBe(await fingerprintHash("email", "pat@gmail.com", PEPPER));
  });

  it("property: any plus tag on a Gmail address has the untagged address's fingerprint", async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), fc.stringMatching(/^[a-z0-9.]{0,10}$/), async (user, tag) => {
        expect(await fingerprintHash("email", `${user}+${tag}@gmail.com`)).toBe(await fingerprintHash("email", `${user}@gmail.com`));
      }),
      { numRuns: 50 },
    );
  });
});
