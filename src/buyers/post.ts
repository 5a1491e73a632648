// The post: the full lead to one buyer, and its answer read by the contract's protocol. Mirrors
// pingAll; caps, dedupe and the cascade around it are the auction's business.
import type { Contract } from "../rules/model";
import { send, signedRequest } from "./http";
import { buildPost, readPost, type PostAnswer, type PostContext } from "./protocol";

export type PostResult = (PostAnswer | { kind: "timeout" | "error"; reason: string }) & { httpStatus: number | null; latencyMs: number };

export async function postTo(contract: Contract, ctx: PostContext, timeoutMs: number): Promise<PostResult> {
  const ex = await send(
    await signedRequest(contract.postUrl, buildPost(contract, ctx), { secrets: contract.postSecrets, v1: contract.signatureV1 }, timeoutMs),
  );
  if (!ex.ok) return { kind: ex.kind, reason: ex.reason, httpStatus: ex.status, latencyMs: ex.latencyMs };
  const answer = readPost(contract, { status: ex.status, body: ex.body });
  return { ...answer, httpStatus: ex.status, latencyMs: ex.latencyMs };
}
