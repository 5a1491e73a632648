// A PingRelay sends a batch of buyer requests from its own invocation context. Production lets one
// invocation wait on only six connections at once; spreading a lead's pings over relays, six per
// batch, keeps a 100-buyer fan-out truly parallel (docs/ARCHITECTURE.md). The relay is a dumb
// transport: requests are built and answers parsed by the caller.
import { DurableObject } from "cloudflare:workers";
import { exchange, type Exchange } from "../buyers/http";
import { Limiter } from "../lib/limiter";

export interface RelayRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

interface RelayEnv {
  EMULATE_CONNECTION_LIMIT?: string;
}

export class PingRelay extends DurableObject<RelayEnv> {
  // One object shares its connection budget across all its concurrent requests: emulate that too.
  private readonly limiter = new Limiter(Number(this.env.EMULATE_CONNECTION_LIMIT || 0));

  async send(requests: RelayRequest[], deadline: number): Promise<Exchange[]> {
    const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    return Promise.all(requests.map((r) => exchange(r.url, { ...r, signal, limiter: this.limiter })));
  }
}
