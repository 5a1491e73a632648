// What the auction needs from the network: ping a set of contracts, post to one. Built once per
// request with the fan-out settings, so the auction never sees bindings or configuration.
import type { Config, Env } from "../env";
import { pingAll, type PingResult, type PingTarget } from "./ping";
import { postTo, type PostResult } from "./post";
import type { Contract } from "../rules/model";
import type { PostContext } from "./protocol";

export interface Buyers {
  ping(targets: PingTarget[], deadline: number): Promise<PingResult[]>;
  post(contract: Contract, ctx: PostContext, timeoutMs: number): Promise<PostResult>;
}

export function buyersClient(env: Pick<Env, "PING_RELAY">, config: Config, location: string): Buyers {
  const opts = {
    transport: config.PING_TRANSPORT,
    relayPoolSize: config.RELAY_POOL_SIZE,
    connectionLimit: config.EMULATE_CONNECTION_LIMIT,
    location,
  };
  return {
    ping: (targets, deadline) => pingAll(env.PING_RELAY, targets, deadline, opts),
    post: postTo,
  };
}
