// EMULATE_STORAGE_RTT_MS: production's D1 primary and Durable Objects may be far from the edge that
// took the lead. This seam wraps the storage bindings so every D1 call and every Durable Object call
// waits that long before it runs, and counts the calls, so local runs and the benchmark see what
// storage distance costs. Off (no wrapping at all) when the var is 0. Business code is unaware.
import type { Env } from "../env";
import { wrapD1 } from "./d1-proxy";

/** Storage calls made through the wrapped bindings (per request or queue batch). */
export interface StorageMeter {
  calls: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function delayedD1(db: D1Database, rttMs: number, meter: StorageMeter): D1Database {
  return wrapD1(db, async (run) => {
    meter.calls++;
    await sleep(rttMs);
    return run();
  });
}

function delayedNamespace<T extends Rpc.DurableObjectBranded | undefined>(
  ns: DurableObjectNamespace<T>,
  rttMs: number,
  meter: StorageMeter,
): DurableObjectNamespace<T> {
  return new Proxy(ns, {
    get(target, prop) {
      if (prop === "get")
        return (id: DurableObjectId, opts?: DurableObjectNamespaceGetDurableObjectOptions) => {
          const stub = target.get(id, opts);
          return new Proxy(stub, {
            get(s, method) {
              if (method === "then") return undefined; // a stub is not a promise
              if (typeof method !== "string" || method === "id" || method === "name") return Reflect.get(s, method) as unknown;
              return async (...args: unknown[]) => {
                meter.calls++;
                await sleep(rttMs);
                return (s as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args);
              };
            },
          });
        };
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * The bindings as a distant storage would behave, or `env` itself when the RTT is 0. PING_RELAY and
 * LEAD_JOURNAL are not delayed: a Durable Object is created near the first request that names it,
 * and relays and journals (both pooled per colo) are only ever named there first, so they are local.
 */
export function withStorageDistance(env: Env, rttMs: number, meter: StorageMeter): Env {
  if (rttMs <= 0) return env;
  return {
    ...env,
    DB: delayedD1(env.DB, rttMs, meter),
    CAP_LEDGER: delayedNamespace(env.CAP_LEDGER, rttMs, meter),
    BUYER_WALLET: delayedNamespace(env.BUYER_WALLET, rttMs, meter),
    DEDUPE: delayedNamespace(env.DEDUPE, rttMs, meter),
  };
}
