// Calls buyers make to leadgate (deletions, returns, feedback) are signed like the requests they
// receive, the other way round: v2 signature under the contract's key, X-Leadgate-Contract naming the
// contract. The signature covers the raw body, so it is read here, as sent, and parsed after.
import type { Context } from "hono";
import type * as z from "zod";
import { SIGNATURE_V2_HEADER, TIMESTAMP_HEADER, verifySignedRequest } from "../buyers/signature";
import type { Contract } from "../rules/model";
import { readBodyText } from "./body";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

export const CONTRACT_HEADER = "X-Leadgate-Contract";
const MAX_BODY = 4096;

export const SIGNED_BY_BUYER =
  "Headers: X-Leadgate-Contract (the contract), X-Leadgate-Timestamp and X-Leadgate-Signature-V2 (v2 over timestamp, method, path and body, with the contract's key).";

/** The contract whose key signed this request, and its JSON body (null when not JSON); 401 otherwise. */
export async function signedByBuyer(c: Context<AppEnv>): Promise<{ contract: Contract; body: unknown }> {
  const contract = c.var.rules.contractsById.get(c.req.header(CONTRACT_HEADER) ?? "");
  const text = await readBodyText(c.req.raw, MAX_BODY);
  const signed =
    contract !== undefined &&
    (await verifySignedRequest(
      contract.postSecrets,
      {
        method: c.req.method,
        url: c.req.url,
        body: text,
        timestamp: c.req.header(TIMESTAMP_HEADER) ?? null,
        signature: c.req.header(SIGNATURE_V2_HEADER) ?? null,
      },
      Date.now(),
    ));
  if (!signed)
    throw new ApiError(
      401,
      "unauthorized",
      `sign the request with the contract's key (${CONTRACT_HEADER}, ${TIMESTAMP_HEADER}, ${SIGNATURE_V2_HEADER})`,
    );
  let body: unknown = null;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // judged by the route's schema
  }
  return { contract, body };
}

/** A buyer's JSON body under its schema, or a 422 listing every wrong field. */
export function parsedOr422<T>(schema: z.ZodType<T>, body: unknown): T {
  const p = schema.safeParse(body);
  if (!p.success)
    throw new ApiError(
      422,
      "validation_failed",
      "the body is not valid",
      p.error.issues.map((i) => ({ path: i.path.join(".") || "body", message: i.message })),
    );
  return p.data;
}

/** Did this contract buy this lead? A lead it did not is reported as missing: ids are not an oracle. */
export async function boughtBy(
  c: Context<AppEnv>,
  leadId: string,
  contractId: string,
): Promise<{ priceCents: number; payoutCents: number; soldAt: number }> {
  const sale = await c.var.services.records.sale(leadId, contractId);
  if (!sale) throw new ApiError(404, "not_found", "no lead bought under this contract with that id");
  return sale;
}
