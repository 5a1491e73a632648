// Client of the LeadJournal pool (see the object): which journal a new lead's sales go to, and
// writing and reading them.
import { hash32 } from "../lib/strings";
import type { JournalSale, LeadJournal } from "../objects/lead-journal";

/** Journals per location: enough that one object is never hot. */
export const JOURNAL_POOL = 32;

export class JournalClient {
  constructor(
    private readonly ns: DurableObjectNamespace<LeadJournal>,
    private readonly location: string,
  ) {}

  /** The journal for a lead taken here: one of this location's pool, stored with the lead. */
  nameFor(leadId: string): string {
    return `journal:${this.location}:${hash32(leadId) % JOURNAL_POOL}`;
  }

  private of(journal: string) {
    return this.ns.get(this.ns.idFromName(journal));
  }

  recordSale(journal: string, leadId: string, sale: JournalSale): Promise<void> {
    return this.of(journal).recordSale(leadId, sale);
  }

  sales(journal: string, leadId: string): Promise<JournalSale[]> {
    return this.of(journal).sales(leadId);
  }
}
