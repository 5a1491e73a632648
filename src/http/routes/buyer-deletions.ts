// POST /v1/buyers/deletions — a buyer tells the exchange it deleted (or was asked to delete) a
// consumer's lead it bought; signed with the contract's key (../auth.ts). Recorded in the lead's
// trace (`buyer_deletion`), so an erasure or access request can show where the data went.
import { createRoute, z } from "@hono/zod-openapi";
import { principalOf, SIGNED_BY_BUYER } from "../auth";
import { boughtBy } from "../buyer-auth";
import { router } from "../context";
import { errorResponses, parsedOr422 } from "../errors";

const DeletionSchema = z.object({ lead_id: z.string().max(64), reason: z.string().max(200).optional() });

export const buyerDeletionRoute = createRoute({
  method: "post",
  path: "/v1/buyers/deletions",
  security: [{ BuyerSignature: [] }],
  operationId: "recordBuyerDeletion",
  tags: ["leads"],
  summary: "A buyer's deletion of a lead it bought (signed with the contract's key)",
  description: `Body: \`{lead_id, reason?}\`. ${SIGNED_BY_BUYER}`,
  responses: {
    200: { description: "Recorded", content: { "application/json": { schema: z.object({ lead_id: z.string(), recorded: z.boolean() }) } } },
    ...errorResponses(401, 404, 413, 422),
  },
});

export const buyerDeletions = router();

buyerDeletions.openapi(buyerDeletionRoute, async (c) => {
  const { contract, body } = principalOf(c, "buyer");
  const deletion = parsedOr422(DeletionSchema, body);
  await boughtBy(c, deletion.lead_id, contract.id);
  await c.var.services.records.recordEvents(deletion.lead_id, [
    { kind: "buyer_deletion", detail: { contract: contract.id, reason: deletion.reason ?? null } },
  ]);
  return c.json({ lead_id: deletion.lead_id, recorded: true }, 200);
});
