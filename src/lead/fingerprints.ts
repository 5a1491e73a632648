// Who the consumer is, without keeping who they are: hashes of the normalized phone and email. The
// dedupe shards, the suppression list and the buyer-level dedupe all key on these.
import { sha256Hex } from "../lib/crypto";
import type { Campaign, Contract } from "../rules/compile";
import type { LeadData } from "./fields";

export interface Fingerprint {
  kind: "phone" | "email";
  hash: string;
}

/** Hashes of the consumer's normalized phone and email: the same hashes the suppression list uses. */
export async function fingerprintsOf(lead: LeadData, phoneField?: string, emailField?: string): Promise<Fingerprint[]> {
  const out: Fingerprint[] = [];
  const phone = phoneField ? lead[phoneField] : undefined;
  const email = emailField ? lead[emailField] : undefined;
  if (typeof phone === "string") out.push({ kind: "phone", hash: await sha256Hex(`phone:${phone}`) });
  if (typeof email === "string") out.push({ kind: "email", hash: await sha256Hex(`email:${email}`) });
  // A fixed global order, like lock ordering: two leads sharing a fingerprint meet at the first shared one.
  return out.sort((a, b) => (a.hash < b.hash ? -1 : 1));
}

/** The consumer's fingerprints under a campaign's fields (its first phone and first email field). */
export function fingerprintsForCampaign(campaign: Campaign, lead: LeadData): Promise<Fingerprint[]> {
  const first = (type: string) => campaign.fields.find((f) => f.type === type)?.name;
  return fingerprintsOf(lead, first("phone"), first("email"));
}

/** The buyer-level dedupe keys of the contracts that keep a dedupe window. */
export const buyerDedupeKeys = (contracts: Contract[]): string[] => [...new Set(contracts.filter((c) => c.dedupeWindowS > 0).map((c) => c.dedupeKey))];
