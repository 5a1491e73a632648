// The wallets' bench (issue #25): the 20-buyer latency campaign with every buyer's wallet off (billing
// none: never asked) or on (prepaid, with a deposit far above what the run spends, so every lead is
// sold as with wallets off and only the wallets' cost differs).
export const WALLET_BUYERS = 20;
const DEPOSIT_CENTS = 100_000_000;

/** SQL that turns the latency campaign's buyers' wallets on or off (the gateway is restarted after). */
export function walletsSql(on: boolean): string {
  const buyers = Array.from({ length: WALLET_BUYERS }, (_, i) => `buy_n${WALLET_BUYERS}b${i}`);
  const deposits = buyers.flatMap((b) => [
    `('deposit:${b}:bench', 'buyer:${b}', ${DEPOSIT_CENTS}, 'deposit', 0)`,
    `('deposit:${b}:bench', 'cash', ${-DEPOSIT_CENTS}, 'deposit', 0)`,
  ]);
  return [
    `UPDATE buyers SET billing = '${on ? "prepaid" : "none"}' WHERE id IN (${buyers.map((b) => `'${b}'`).join(", ")})`,
    `INSERT OR IGNORE INTO ledger_entries (entry_key, account, amount_cents, kind, at) VALUES ${deposits.join(", ")}`,
  ].join("; ");
}
