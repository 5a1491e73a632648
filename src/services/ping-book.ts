// Client of the PingBook pool (see the object): offer ids name their book, so a post finds it.
import { newId } from "../lib/ids";
import { hash32 } from "../lib/strings";
import type { Offer, PingBook, TakeResult } from "../objects/ping-book";

const POOL = 32;
const ID = /^sp_([A-Za-z0-9-]{1,16})\.(\d{1,2})\.([0-9A-HJKMNP-TV-Z]{26})$/;

export class PingBookClient {
  constructor(
    private readonly ns: DurableObjectNamespace<PingBook>,
    private readonly location: string,
  ) {}

  /** A new offer id in one of this location's books. */
  newPingId(): string {
    const ulid = newId("sp").slice(3);
    return `sp_${this.location.replace(/[^A-Za-z0-9-]/g, "").slice(0, 16) || "any"}.${hash32(ulid) % POOL}.${ulid}`;
  }

  private book(pingId: string) {
    const m = ID.exec(pingId);
    return m ? this.ns.get(this.ns.idFromName(`book:${m[1]}:${m[2]}`)) : undefined;
  }

  async hold(offer: Offer): Promise<void> {
    await this.book(offer.pingId)!.hold(offer);
  }

  /** Unknown for an id that is not one of ours (never a lookup). */
  async take(pingId: string, sourceId: string): Promise<TakeResult> {
    const book = this.book(pingId);
    return book ? book.take(pingId, sourceId) : { ok: false, error: "unknown" };
  }
}
