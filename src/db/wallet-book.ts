// What a buyer's wallet object reads from the ledger (src/objects/buyer-wallet.ts): the balance as
// booked, and which of its recent spends are booked already, in one batch so the two agree. Takes
// the D1 binding itself: a Durable Object holds no records client.
import { account } from "../billing/ledger";

export async function walletBook(d1: D1Database, buyerId: string, keys: string[]): Promise<{ balanceCents: number; booked: string[] }> {
  const acct = account("buyer", buyerId);
  const [sum, found] = await d1.batch<{ c?: number; entry_key?: string }>([
    d1.prepare(`SELECT COALESCE(SUM(amount_cents), 0) AS c FROM ledger_entries WHERE account = ?`).bind(acct),
    d1
      .prepare(`SELECT entry_key FROM ledger_entries WHERE account = ? AND entry_key IN (SELECT value FROM json_each(?))`)
      .bind(acct, JSON.stringify(keys)),
  ]);
  return { balanceCents: Number(sum!.results[0]?.c ?? 0), booked: found!.results.map((r) => String(r.entry_key)) };
}
