// The answer a seller gets for a lead: one zod schema, from which both the TypeScript type and the
// OpenAPI document (/openapi.json) are derived, and the functions that shape it.
import { z } from "@hono/zod-openapi";
import type { LeadRow, LeadStatus } from "../db/schema";
import { centsToDollars } from "../lib/money";
import type { Source } from "../rules/model";

/** A stored lead and its sales: what an answer is shaped from (db/records.ts reads it). */
export interface LeadSummary {
  lead: LeadRow;
  sales: { contractId: string; buyerId: string; buyerName: string; priceCents: number; payoutCents: number }[];
}

export const LEAD_STATUSES = ["sold", "unsold", "pending", "duplicate", "rejected", "erased"] as const;

export const LeadResponseSchema = z
  .object({
    lead_id: z.string().describe("leadgate's id for the lead (ld_<ULID>)"),
    status: z
      .enum(LEAD_STATUSES)
      .describe(
        'sold: a buyer accepted it; unsold: no buyer (final); pending: not sold yet, the retry queue keeps trying (follow with GET /v1/leads/{id}); duplicate: same consumer already submitted to this campaign within its window; rejected: suppressed (opt-out / do-not-call; the reason is then just "suppressed") or refused by a pre-sale check; erased: the consumer asked to be erased before the lead was sold (final, never posted again)',
      ),
    price: z.number().describe("What the buyer(s) paid, in dollars"),
    payout: z.number().describe("What the source earns, in dollars"),
    buyer: z.string().nullable().describe("The (first) buyer that bought the lead"),
    buyers: z.array(z.string()).describe("All buyers of a shared lead"),
    redirect_url: z.string().nullable().describe("The source's success or failure page, when configured"),
    reason: z.string().nullable().describe("Why the lead is not sold, when it is not"),
    duplicate_of: z
      .string()
      .nullable()
      .describe("The original lead of a duplicate, when the source sent it itself (null when another source did)"),
  })
  .openapi("LeadResponse");
export type LeadResponse = z.infer<typeof LeadResponseSchema>;

const IN_FLIGHT: ReadonlySet<LeadStatus> = new Set(["received", "auctioning", "pending"]);

/** Taken by the exchange (sold, or still for sale, or found no buyer): the source's success page. */
export const isAccepted = (status: LeadResponse["status"]): boolean => status === "sold" || status === "pending" || status === "unsold";

/** A seller's answer; the redirect is the source's success or failure page, by status. */
export function leadResponse(
  source: Pick<Source, "successUrl" | "failureUrl">,
  leadId: string,
  status: LeadResponse["status"],
  extra: Partial<Omit<LeadResponse, "lead_id" | "status">> = {},
): LeadResponse {
  const good = isAccepted(status);
  return {
    lead_id: leadId,
    status,
    price: 0,
    payout: 0,
    buyer: null,
    buyers: [],
    redirect_url: (good ? source.successUrl : source.failureUrl) ?? null,
    reason: null,
    duplicate_of: null,
    ...extra,
  };
}

/** The stored result of a lead, for idempotent replays, GET /v1/leads/:id and postbacks. */
export function responseFromSummary(source: Pick<Source, "successUrl" | "failureUrl">, s: LeadSummary): LeadResponse {
  const status = IN_FLIGHT.has(s.lead.status) ? "pending" : (s.lead.status as LeadResponse["status"]);
  const buyers = [...new Set(s.sales.map((x) => x.buyerName))];
  return leadResponse(source, s.lead.id, status, {
    price: centsToDollars(s.lead.priceCents),
    payout: centsToDollars(s.lead.payoutCents),
    buyer: buyers[0] ?? null,
    buyers,
    reason: s.lead.reason,
    duplicate_of: s.lead.duplicateOf,
  });
}

/** How a suppressed lead's reason starts: "suppressed: <the list's own reason>", which only admins see. */
const SUPPRESSED = "suppressed";
export const suppressedReason = (because: string): string => `${SUPPRESSED}: ${because}`;

/** A stored reason as a source may see it: the suppression list's own reason stays with the admins. */
export const reasonForSource = (reason: string | null): string | null =>
  reason !== null && reason.startsWith(`${SUPPRESSED}:`) ? SUPPRESSED : reason;

/** How the earlier lead of a duplicate is looked up (the records client's `lead`). */
export interface LeadLookup {
  lead(leadId: string): Promise<{ sourceId: string } | undefined>;
}

/**
 * What a server source (API key) is told: everything about its lead, but nothing about other
 * sources' leads or the suppression list. `duplicate_of` is kept only when the earlier lead is its
 * own (one look-up, made only for a duplicate).
 */
export async function forServer(r: LeadResponse, sourceId: string, leads: LeadLookup): Promise<LeadResponse> {
  const own = r.duplicate_of !== null && (await leads.lead(r.duplicate_of))?.sourceId === sourceId;
  return { ...r, duplicate_of: own ? r.duplicate_of : null, reason: reasonForSource(r.reason) };
}

/** The one outcome a browser sees for every lead that was not accepted. */
export const BROWSER_STATUSES = ["accepted", "declined"] as const;

/**
 * What a browser (publishable key, public by design) is told: that the lead arrived, and whether it
 * was accepted. No price, payout, buyers, duplicate_of or reason, and one status for duplicates,
 * suppressed consumers and failed checks alike: anyone can read the key off the page, and could
 * otherwise learn who was submitted before and who is on the do-not-call list.
 */
export const BrowserLeadResponseSchema = z
  .object({
    lead_id: z.string(),
    status: z
      .enum(BROWSER_STATUSES)
      .describe("accepted: sold, pending or unsold; declined: not taken (a duplicate, a suppressed consumer, a failed check)"),
    redirect_url: z.string().nullable(),
  })
  .openapi("BrowserLeadResponse");
export type BrowserLeadResponse = z.infer<typeof BrowserLeadResponseSchema>;

export function forBrowser(r: LeadResponse): BrowserLeadResponse {
  return { lead_id: r.lead_id, status: isAccepted(r.status) ? "accepted" : "declined", redirect_url: r.redirect_url };
}
