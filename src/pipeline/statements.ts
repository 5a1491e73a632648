// Statements of an account for a period, streamed: the opening balance, every entry in booking order
// with the running balance, and the closing balance, as CSV or JSON. Entries are read from the ledger
// a page at a time as the client reads, so a statement of any size costs the Worker one page of
// memory. Payables (what each source is owed) as CSV rows.
import { csvRow, dollars, type Period } from "../billing/money-text";
import type { StatementRow } from "../db/ledger";
import type { PayableRow } from "../db/invoices";
import type { Records } from "../db/records";

const PAGE = 500;
const iso = (ms: number) => new Date(ms).toISOString();

export const STATEMENT_CSV_HEADER = [
  "at",
  "kind",
  "entry_key",
  "amount",
  "amount_cents",
  "balance_cents",
  "lead_id",
  "contract_id",
  "campaign_id",
  "reference",
  "memo",
  "booked_by",
];

const csvEntry = (e: StatementRow, running: number) =>
  csvRow([
    iso(e.at),
    e.kind,
    e.entry_key,
    dollars(e.amount_cents),
    e.amount_cents,
    running,
    e.lead_id,
    e.contract_id,
    e.campaign_id,
    e.reference,
    e.memo,
    e.booked_by,
  ]);

const jsonEntry = (e: StatementRow, running: number) =>
  JSON.stringify({
    at: iso(e.at),
    kind: e.kind,
    entry_key: e.entry_key,
    amount_cents: e.amount_cents,
    balance_cents: running,
    lead_id: e.lead_id,
    contract_id: e.contract_id,
    campaign_id: e.campaign_id,
    reference: e.reference,
    memo: e.memo,
    booked_by: e.booked_by,
  });

/** An account's statement for the period as a stream of CSV or JSON text. */
export function statementStream(records: Records, account: string, p: Period, format: "csv" | "json"): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let running = 0;
  let count = 0;
  let cursor: { at: number; id: number } | null = null;
  let started = false;
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      if (finished) return ctl.close();
      if (!started) {
        started = true;
        running = await records.ledger.balance(account, p.from);
        ctl.enqueue(
          enc.encode(
            format === "csv"
              ? csvRow(STATEMENT_CSV_HEADER) +
                  csvRow([iso(p.from), "opening", null, dollars(running), running, running, null, null, null, null, null, null])
              : `{"account":${JSON.stringify(account)},"from":"${iso(p.from)}","to":"${iso(p.to)}","opening_cents":${running},"entries":[`,
          ),
        );
        return;
      }
      const page = await records.ledger.statementPage(account, p, cursor, PAGE);
      const out: string[] = [];
      for (const e of page) {
        running += e.amount_cents;
        out.push(format === "csv" ? csvEntry(e, running) : `${count > 0 ? "," : ""}${jsonEntry(e, running)}`);
        count++;
      }
      if (page.length > 0) cursor = { at: page[page.length - 1]!.at, id: page[page.length - 1]!.id };
      if (page.length < PAGE) {
        finished = true;
        out.push(
          format === "csv"
            ? csvRow([iso(p.to), "closing", null, dollars(running), running, running, null, null, null, null, null, null])
            : `],"closing_cents":${running},"entries_count":${count}}`,
        );
      }
      ctl.enqueue(enc.encode(out.join("")));
    },
  });
}

export const PAYABLES_CSV_HEADER = [
  "source_id",
  "name",
  "period_from",
  "period_to",
  "opening",
  "earned",
  "clawed_back",
  "net",
  "paid",
  "owed",
  "owed_cents",
];

/** Payables as a CSV a payments team can pay from: one row per source, what it is owed at the end. */
export function payablesCsv(rows: PayableRow[], p: Period): string {
  return (
    csvRow(PAYABLES_CSV_HEADER) +
    rows
      .map((r) =>
        csvRow([
          r.sourceId,
          r.name,
          iso(p.from),
          iso(p.to),
          dollars(r.openingCents),
          dollars(r.earnedCents),
          dollars(r.clawbackCents),
          dollars(r.earnedCents - r.clawbackCents),
          dollars(r.paidCents),
          dollars(r.closingCents),
          r.closingCents,
        ]),
      )
      .join("")
  );
}
