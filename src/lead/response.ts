// The answer a seller gets for a lead: one zod schema, from which both the TypeScript type and the
// OpenAPI document (/openapi.json) are derived.
import { z } from "zod";

export const LEAD_STATUSES = ["sold", "unsold", "pending", "duplicate", "rejected"] as const;

export const LeadResponseSchema = z.object({
  lead_id: z.string().describe("leadgate's id for the lead (ld_<ULID>)"),
  status: z.enum(LEAD_STATUSES).describe(
    "sold: a buyer accepted it; unsold: no buyer (final); pending: not sold yet, the retry queue keeps trying (follow with GET /v1/leads/{id}); duplicate: same consumer already submitted to this campaign within its window; rejected: suppressed (opt-out / do-not-call)",
  ),
  price: z.number().describe("What the buyer(s) paid, in dollars"),
  payout: z.number().describe("What the source earns, in dollars"),
  buyer: z.string().nullable().describe("The (first) buyer that bought the lead"),
  buyers: z.array(z.string()).describe("All buyers of a shared lead"),
  redirect_url: z.string().nullable().describe("The source's success or failure page, when configured"),
  reason: z.string().nullable().describe("Why the lead is not sold, when it is not"),
  duplicate_of: z.string().nullable().describe("The original lead of a duplicate"),
});
export type LeadResponse = z.infer<typeof LeadResponseSchema>;

export const ErrorBodySchema = z.object({
  error: z.string().describe("machine-readable code, e.g. validation_failed, unknown_campaign"),
  message: z.string(),
  fields: z.array(z.object({ path: z.string(), message: z.string() })).describe("every field that is wrong (422)"),
});
