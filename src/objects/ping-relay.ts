// A PingRelay sends a batch of buyer requests from its own invocation context. Production lets one
// invocation wait on only six connections at once; spreading a lead's pings over relays, six per
// batch, keeps a 100-buyer fan-out truly parallel (docs/ARCHITECTURE.md). The relay is a dumb
// transport: requests are built and signed, and answers parsed, by the caller.
import { DurableObject } from "cloudflare:workers";
import { send, type Exchange, type OutboundRequest } from "../buyers/http";
import { configOf, type Env } from "../env";
import { Limiter } from "../lib/limiter";

export class PingRelay extends DurableObject<Env> {
  // One object shares its connection budget across all its concurrent requests: emulate that too.
  private readonly limiter = new Limiter(configOf(this.env).EMULATE_CONNECTION_LIMIT);

  async send(requests: OutboundRequest[], deadline: number): Promise<Exchange[]> {
    const shared = { at: deadline, signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) };
    return Promise.all(requests.map((r) => send(r, { deadline: shared, limiter: this.limiter })));
  }
}
