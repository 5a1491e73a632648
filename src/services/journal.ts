// Client of the LeadJournal objects: the durable record of a lead's sales (see the object).
import type { JournalSale, LeadJournal } from "../objects/lead-journal";

export class JournalClient {
  constructor(private readonly ns: DurableObjectNamespace<LeadJournal>) {}

  private of(leadId: string) {
    return this.ns.get(this.ns.idFromName(leadId));
  }

  recordSale(leadId: string, sale: JournalSale): Promise<void> {
    return this.of(leadId).recordSale(sale);
  }

  sales(leadId: string): Promise<JournalSale[]> {
    return this.of(leadId).sales();
  }
}
