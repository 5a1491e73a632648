// The SQL that re-keys stored plain fingerprints under a pepper (scripts/fingerprints-rekey.ts).
import { pepperedHash } from "../../src/lead/fingerprints";

const hex = /^[0-9a-f]{64}$/;
const lit = (h: string) => {
  if (!hex.test(h)) throw new Error(`not a fingerprint: ${h.slice(0, 16)}…`);
  return `'${h}'`;
};

export async function rekeyStatements(
  pepper: string,
  suppressions: { hash: string }[],
  leads: { id: string; phone_hash: string | null; email_hash: string | null }[],
): Promise<string[]> {
  const out: string[] = [];
  for (const s of suppressions)
    out.push(`UPDATE suppressions SET hash = ${lit(await pepperedHash(pepper, s.hash))} WHERE hash = ${lit(s.hash)};`);
  for (const l of leads) {
    const set: string[] = [];
    if (l.phone_hash) set.push(`phone_hash = ${lit(await pepperedHash(pepper, l.phone_hash))}`);
    if (l.email_hash) set.push(`email_hash = ${lit(await pepperedHash(pepper, l.email_hash))}`);
    out.push(`UPDATE leads SET ${set.join(", ")} WHERE id = '${l.id.replace(/'/g, "''")}';`);
  }
  out.push(`INSERT OR REPLACE INTO settings (key, value) VALUES ('fingerprints', 'peppered');`);
  return out;
}
