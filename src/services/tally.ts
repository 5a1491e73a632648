// METER_STORAGE (benchmarks only): every call a request, queue batch or cron run makes to D1 or to a
// Durable Object is tallied isolate-wide, by binding and method and by object, so the bench can state
// calls per lead and find the object each kind of lead leans on hardest (docs/PERFORMANCE.md, the
// capacity model). Off, nothing is wrapped. `GET /admin/meter` reads the tally, `DELETE` resets it.
import type { Env } from "../env";
import { wrapD1 } from "./d1-proxy";

const byMethod = new Map<string, number>();
const byObject = new Map<string, number>();

const bump = (m: Map<string, number>, key: string) => {
  if (m.size > 50_000 && !m.has(key)) return; // bounded: a benchmark names a few thousand objects
  m.set(key, (m.get(key) ?? 0) + 1);
};

export interface Tally {
  /** `<binding>.<method>` → calls. */
  methods: Record<string, number>;
  /** The busiest objects of each Durable Object binding: `<binding>` → [object name, calls] (top 10). */
  busiest: Record<string, [string, number][]>;
  /** Distinct objects each binding was called on. */
  objects: Record<string, number>;
}

export function readTally(): Tally {
  const busiest: Record<string, [string, number][]> = {};
  const objects: Record<string, number> = {};
  for (const [key, n] of byObject) {
    const at = key.indexOf(":");
    const binding = key.slice(0, at);
    (busiest[binding] ??= []).push([key.slice(at + 1), n]);
    objects[binding] = (objects[binding] ?? 0) + 1;
  }
  for (const b of Object.keys(busiest)) busiest[b] = busiest[b]!.sort((x, y) => y[1] - x[1]).slice(0, 10);
  return { methods: Object.fromEntries(byMethod), busiest, objects };
}

export function resetTally(): void {
  byMethod.clear();
  byObject.clear();
}

const tallyD1 = (db: D1Database): D1Database =>
  wrapD1(db, (run, call) => {
    bump(byMethod, `DB.${call}`);
    return run();
  });

function tallyNamespace<T extends Rpc.DurableObjectBranded | undefined>(
  binding: string,
  ns: DurableObjectNamespace<T>,
): DurableObjectNamespace<T> {
  const names = new Map<string, string>();
  return new Proxy(ns, {
    get(target, prop) {
      if (prop === "idFromName")
        return (name: string) => {
          const id = target.idFromName(name);
          if (names.size < 50_000) names.set(id.toString(), name);
          return id;
        };
      if (prop === "get")
        return (id: DurableObjectId, opts?: DurableObjectNamespaceGetDurableObjectOptions) => {
          const stub = target.get(id, opts);
          const object = `${binding}:${names.get(id.toString()) ?? id.toString()}`;
          return new Proxy(stub, {
            get(s, method) {
              if (method === "then") return undefined; // a stub is not a promise
              if (typeof method !== "string" || method === "id" || method === "name") return Reflect.get(s, method) as unknown;
              return (...args: unknown[]) => {
                bump(byMethod, `${binding}.${method}`);
                bump(byObject, object);
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

/** The bindings with every storage call tallied (when `on`), or `env` itself. */
export function withTally(env: Env, on: boolean): Env {
  if (!on) return env;
  const out: Record<string, unknown> = { ...env, DB: tallyD1(env.DB) };
  for (const [binding, value] of Object.entries(env))
    if (value && typeof value === "object" && "idFromName" in value)
      out[binding] = tallyNamespace(binding, value as DurableObjectNamespace<undefined>);
  return out as unknown as Env;
}
