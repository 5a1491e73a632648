// A D1 binding with every call that reaches the database (a statement's all/run/first/raw, a batch,
// an exec) passed through `around`: how the storage-distance seam delays calls and the tally counts
// them, without either knowing D1's object shapes.
export type Around = <T>(run: () => Promise<T>, call: "all" | "run" | "first" | "raw" | "batch" | "exec") => Promise<T>;

const UNWRAP = Symbol("unwrap");

export function wrapD1(db: D1Database, around: Around): D1Database {
  const statement = (s: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(s, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => statement(target.bind(...values));
        if (prop === "all" || prop === "run" || prop === "first" || prop === "raw")
          return (...args: unknown[]) => around(() => (target[prop] as (...a: unknown[]) => Promise<unknown>).apply(target, args), prop);
        // The real statement stays reachable for batch(), which unwraps it below.
        if (prop === UNWRAP) return target;
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => statement(target.prepare(query));
      if (prop === "batch")
        return (statements: D1PreparedStatement[]) =>
          around(() => target.batch(statements.map((s) => (s as unknown as Record<symbol, D1PreparedStatement>)[UNWRAP] ?? s)), "batch");
      if (prop === "exec") return (query: string) => around(() => target.exec(query), "exec");
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
