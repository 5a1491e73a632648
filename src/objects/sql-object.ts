// What CapLedger and DedupeShard share: SQLite storage with its schema created on start, and an
// alarm that prunes what has expired, scheduled without a storage call per request.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/**
 * The earliest pending alarm of a Durable Object, remembered in memory: scheduling costs a storage
 * call only when the alarm must move earlier, not on every claim or reservation. An object runs one
 * request at a time, and a fresh instance (after eviction) reads the alarm again once.
 */
export class EarliestAlarm {
  private known: number | null | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Makes sure an alarm fires at `at` or earlier. */
  async atMost(at: number): Promise<void> {
    if (this.known === undefined) this.known = await this.storage.getAlarm();
    if (this.known === null || at < this.known) {
      await this.storage.setAlarm(at);
      this.known = at;
    }
  }

  /** First thing in alarm(): the alarm that fired is gone (even if the handler then fails). */
  fired(): void {
    this.known = null;
  }
}

export type Row = Record<string, SqlStorageValue>;

/** A Durable Object on SQLite storage whose `schema` statements run on every start (idempotent DDL). */
export abstract class SqlObject extends DurableObject<Env> {
  protected readonly sql: SqlStorage;
  protected readonly alarmAt: EarliestAlarm;

  constructor(ctx: DurableObjectState, env: Env, schema: string[]) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.alarmAt = new EarliestAlarm(ctx.storage);
    for (const statement of schema) this.sql.exec(statement);
  }

  /** Adds a column to a table created by an earlier version (SQLite has no ADD COLUMN IF NOT EXISTS). */
  protected addColumn(table: string, column: string, definition: string): void {
    const has = this.sql.exec<Row>(`SELECT 1 FROM pragma_table_info(?) WHERE name = ?`, table, column).toArray().length > 0;
    if (!has) this.sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
}
