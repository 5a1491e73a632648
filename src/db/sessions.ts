// Console sessions' server side: one epoch per subject (`admin`, `source:<id>`). A signed session
// names the epoch it was made in; bumping the epoch (logging out, or a source's keys changing, by the
// trigger in migration 0014) refuses every session made before. Read once per console page, never on
// the lead path.
import type { Db } from "./client";

/** The subject's current epoch (0 until its first bump). */
export async function epoch(db: Db, subject: string): Promise<number> {
  const row = await db.$client.prepare(`SELECT epoch FROM console_sessions WHERE subject = ?`).bind(subject).first<{ epoch: number }>();
  return Number(row?.epoch ?? 0);
}

/** Ends every session of these subjects made so far (one statement). */
export async function bump(db: Db, subjects: string[], now: number): Promise<void> {
  if (subjects.length === 0) return;
  await db.$client
    .prepare(
      `INSERT INTO console_sessions (subject, epoch, changed_at) SELECT value, 1, ?2 FROM json_each(?1) WHERE true
       ON CONFLICT (subject) DO UPDATE SET epoch = epoch + 1, changed_at = excluded.changed_at`,
    )
    .bind(JSON.stringify(subjects), now)
    .run();
}
