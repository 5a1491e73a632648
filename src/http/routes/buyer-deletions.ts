// POST /v1/buyers/deletions — a buyer tells the exchange it deleted (or was asked to delete) a
// consumer's lead it bought. Signed like every request leadgate sends it, the other way round: v2
// signature under the contract's key, with X-Leadgate-Contract naming the contract. Recorded in the
// lead's trace (`buyer_deletion`), so an erasure or access request can show where the data went.
import { createRoute, z } from "@hono/zod-openapi";
import { SIGNATURE_V2_HEADER, TIMESTAMP_HEADER, verifySignedRequest } from "../../buyers/signature";
import { readBodyText } from "../body";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";

export const CONTRACT_HEADER = "X-Leadgate-Contract";

const DeletionSchema = z.object({ lead_id: z.string().max(64), reason: z.string().max(200).optional() });

export const buyerDeletionRoute = createRoute({
  method: "post",
  path: "/v1/buyers/deletions",
  operationId: "recordBuyerDeletion",
  tags: ["leads"],
  summary: "A buyer's deletion of a lead it bought (signed with the contract's key)",
  // Not validated by the router: the signature covers the raw body, which is read here as sent.
  description:
    "Body: BuyerDeletion JSON `{lead_id, reason?}`. Headers: X-Leadgate-Contract (the contract), X-Leadgate-Timestamp and X-Leadgate-Signature-V2 (v2 over timestamp, method, path and body, with the contract's key).",
  responses: {
    200: { description: "Recorded", content: { "application/json": { schema: z.object({ lead_id: z.string(), recorded: z.boolean() }) } } },
    ...errorResponses(401, 404, 413, 422),
  },
});

const jsonOrNull = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

export const buyerDeletions = router();

buyerDeletions.openapi(buyerDeletionRoute, async (c) => {
  const contract = c.var.rules.contractsById.get(c.req.header(CONTRACT_HEADER) ?? "");
  const body = await readBodyText(c.req.raw, 4096);
  const signed =
    contract !== undefined &&
    (await verifySignedRequest(
      contract.postSecrets,
      { method: "POST", url: c.req.url, body, timestamp: c.req.header(TIMESTAMP_HEADER) ?? null, signature: c.req.header(SIGNATURE_V2_HEADER) ?? null },
      Date.now(),
    ));
  if (!signed) throw new ApiError(401, "unauthorized", "sign the request with the contract's key (X-Leadgate-Contract, X-Leadgate-Timestamp, X-Leadgate-Signature-V2)");
  const parsed = DeletionSchema.safeParse(jsonOrNull(body));
  if (!parsed.success) throw new ApiError(422, "validation_failed", "send {lead_id, reason?}", [{ path: "lead_id", message: "is required" }]);
  const db = c.var.services.records.db;
  const sold = await db.$client.prepare(`SELECT 1 AS x FROM posts WHERE lead_id = ? AND contract_id = ? AND outcome = 'accepted'`).bind(parsed.data.lead_id, contract.id).first();
  // A lead this contract did not buy is reported as missing: ids are not an oracle.
  if (!sold) throw new ApiError(404, "not_found", "no lead bought under this contract with that id");
  await c.var.services.records.recordEvents(parsed.data.lead_id, [{ kind: "buyer_deletion", detail: { contract: contract.id, reason: parsed.data.reason ?? null } }]);
  return c.json({ lead_id: parsed.data.lead_id, recorded: true }, 200);
});
