// Client of the LeadJournal pool (see the object): which journal a new lead's sales go to, writing
// and reading them, and the posting permits that fence a round from an erasure.
import { hash32 } from "../lib/strings";
import type { ErasedLead, JournalSale, LeadJournal } from "../objects/lead-journal";

/** A permit outlives its round's deadlines by this much: the round's records are written within it. */
export const PERMIT_SLACK_MS = 10_000;

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

  /** A round may post the lead until `until` (false: the lead was erased; post nothing). */
  openPosting(journal: string, leadId: string, until: number): Promise<boolean> {
    return this.of(journal).openPosting(leadId, until);
  }

  closePosting(journal: string, leadId: string): Promise<void> {
    return this.of(journal).closePosting(leadId);
  }

  /** Marks the lead erased, waits out a round that may still post it, and returns its sales. */
  erase(journal: string, leadId: string): Promise<ErasedLead> {
    return this.of(journal).erase(leadId);
  }
}
