// The earliest pending alarm of a Durable Object, remembered in memory: scheduling costs a storage
// call only when the alarm must move earlier, not on every claim or reservation. An object runs one
// request at a time, and a fresh instance (after eviction) reads the alarm again once.
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
