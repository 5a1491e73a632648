// The ping fan-out: every eligible contract is pinged at once, each bounded by its own timeout and
// by the auction's deadline. "direct" fetches from this invocation; "relay" spreads batches of six
// over PingRelay objects chosen at random from the pool of the location that took the lead, so
// capacity grows with the pool, not with one object's six connections, and the hop stays local.
import type { Env } from "../env";
import { Limiter } from "../lib/limiter";
import type { Contract } from "../rules/model";
import { send, signedRequest, type Exchange, type OutboundRequest } from "./http";
import { buildPing, readPing, type PingContext } from "./protocol";

export type PingOutcome = "bid" | "no_bid" | "timeout" | "late" | "error" | "invalid";

export interface PingResult {
  contract: Contract;
  pingId: string;
  outcome: PingOutcome;
  bidCents: number | null;
  /** A bid's price for a shared lead, if the answer named one (null: no shared bid). */
  sharedBidCents?: number | null;
  token: string | null;
  latencyMs: number;
  httpStatus: number | null;
  reason: string | null;
}

export interface PingTarget {
  contract: Contract;
  ctx: PingContext;
}

export interface FanoutOptions {
  transport: "direct" | "relay";
  relayPoolSize: number;
  /** 0 = unlimited. */
  connectionLimit: number;
  /** The colo that took the lead: each location has its own relay pool, created near it. */
  location: string;
}

/** Connections per relay batch: production's per-invocation limit. */
export const RELAY_BATCH = 6;

function toResult(contract: Contract, pingId: string, ex: Exchange, deadline: number, startedAt: number): PingResult {
  const base = { contract, pingId, latencyMs: ex.latencyMs, httpStatus: ex.status, bidCents: null, token: null };
  if (!ex.ok) return { ...base, outcome: ex.kind, reason: ex.reason };
  // Judged per answer: a fast bid is not late because a slower buyer held the batch open.
  if (startedAt + ex.latencyMs > deadline) return { ...base, outcome: "late", reason: "answered after the auction deadline" };
  const a = readPing(contract, { status: ex.status, body: ex.body });
  switch (a.kind) {
    case "bid":
      return { ...base, outcome: "bid", bidCents: a.bidCents, sharedBidCents: a.sharedBidCents, token: a.token, reason: null };
    case "no_bid":
      return { ...base, outcome: "no_bid", reason: a.reason };
    case "invalid":
      return { ...base, outcome: "invalid", reason: a.reason };
    case "error":
      return { ...base, outcome: "error", reason: a.reason };
  }
}

/** The relays' namespace, typed by the bindings (objects/ping-relay.ts). */
type Relays = Env["PING_RELAY"];

export async function pingAll(relays: Relays, targets: PingTarget[], deadline: number, opts: FanoutOptions): Promise<PingResult[]> {
  if (targets.length === 0) return [];
  const now = Date.now();
  const requests = await Promise.all(
    targets.map((t) =>
      signedRequest(
        t.contract.pingUrl!,
        buildPing(t.contract, t.ctx),
        { secrets: t.contract.pingSecrets, v1: t.contract.signatureV1 },
        Math.max(1, Math.min(t.ctx.tmaxMs, deadline - now)),
        now,
      ),
    ),
  );
  let exchanges: Exchange[];
  if (opts.transport === "relay") {
    exchanges = await viaRelays(relays, requests, deadline, opts);
  } else {
    const limiter = opts.connectionLimit > 0 ? new Limiter(opts.connectionLimit) : undefined;
    const shared = { at: deadline, signal: AbortSignal.timeout(Math.max(1, deadline - now)) };
    exchanges = await Promise.all(requests.map((r) => send(r, { deadline: shared, limiter })));
  }
  return targets.map((t, i) => toResult(t.contract, t.ctx.pingId, exchanges[i]!, deadline, now));
}

async function viaRelays(relays: Relays, requests: OutboundRequest[], deadline: number, opts: FanoutOptions): Promise<Exchange[]> {
  const poolSize = opts.relayPoolSize;
  const batches: OutboundRequest[][] = [];
  for (let i = 0; i < requests.length; i += RELAY_BATCH) batches.push(requests.slice(i, i + RELAY_BATCH));
  const first = Math.floor(Math.random() * poolSize);
  const results = await Promise.all(
    batches.map(async (batch, i) => {
      const relay = relays.get(relays.idFromName(`relay:${opts.location}:${(first + i) % poolSize}`));
      // The relay enforces the deadline itself; this guard only covers a relay that never answers.
      const guard = new Promise<undefined>((r) => setTimeout(() => r(undefined), Math.max(1, deadline - Date.now()) + 50));
      // A relay that fails after the guard won must not surface as an unhandled rejection.
      const sent = relay.send(batch, deadline).then(
        (answer) => answer,
        (err: Error) =>
          batch.map((): Exchange => ({
            ok: false,
            kind: "error",
            reason: `relay failed: ${err.message}`.slice(0, 200),
            status: null,
            latencyMs: 0,
          })),
      );
      const answer = await Promise.race([sent, guard]);
      return (
        answer ??
        batch.map((): Exchange => ({
          ok: false,
          kind: "timeout",
          reason: "relay did not answer by the deadline",
          status: null,
          latencyMs: 0,
        }))
      );
    }),
  );
  return results.flat();
}
