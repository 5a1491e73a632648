// Starting and stopping what a benchmark needs: mock buyers, the gateway and the bare worker
// under `wrangler dev`, each on loopback, each stopped on exit.
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT, QUIET_ENV, wrangler, wranglerOrDie } from "../../scripts/wrangler";

const children = new Set<ChildProcess>();
const killAll = () => {
  for (const c of children) c.kill("SIGTERM");
};
process.on("exit", killAll);
process.on("SIGINT", () => {
  killAll();
  process.exit(130);
});

export const PERSIST = path.join(ROOT, ".wrangler", "bench-state");

function track(child: ChildProcess, label: string): ChildProcess {
  children.add(child);
  child.on("exit", () => children.delete(child));
  let tail = "";
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("exit", (code, sig) => {
    // 130/143: it stopped on our SIGINT/SIGTERM.
    if (code && code !== 130 && code !== 143 && sig === null) process.stderr.write(`${label} exited ${code}:\n${tail}\n`);
  });
  return child;
}

export async function waitFor(url: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startBuyers(port: number): Promise<ChildProcess> {
  const child = track(
    spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(ROOT, "bench", "mock-buyers-cli.ts"), String(port)], {
      cwd: ROOT,
      env: QUIET_ENV,
      stdio: ["ignore", "pipe", "pipe"],
    }),
    "mock buyers",
  );
  await waitFor(`http://127.0.0.1:${port}/control/x/requests`);
  return child;
}

/** A fresh local database in `persist` (the bench's by default): migrations, then `seedSql`. */
export function resetBenchDatabase(seedSql: string[], persist = PERSIST): void {
  rmSync(persist, { recursive: true, force: true });
  wranglerOrDie(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist]);
  const file = path.join(persist, "..", `${path.basename(persist)}-seed.sql`);
  writeFileSync(file, seedSql.join("\n"));
  wranglerOrDie(["d1", "execute", "DB", "--local", "--persist-to", persist, "--file", file]);
}

/** Reads the bench database; retries while the running gateway holds SQLite's write lock. */
export async function queryBenchDatabase<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  for (let attempt = 1; ; attempt++) {
    const r = wrangler(["d1", "execute", "DB", "--local", "--persist-to", PERSIST, "--json", "--command", sql]);
    if (r.status === 0) return (JSON.parse(r.stdout) as { results: T[] }[])[0]?.results ?? [];
    if (attempt >= 5) throw new Error(`query failed: ${sql}\n${(r.stdout + r.stderr).slice(-500)}`);
    await new Promise((res) => setTimeout(res, 1000 * attempt));
  }
}

/** The gateway under `wrangler dev`; its devtools inspector listens on `port + 1000`. */
export async function startGateway(
  port: number,
  vars: Record<string, string>,
  extraArgs: string[] = [],
  persist = PERSIST,
): Promise<ChildProcess> {
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--persist-to",
    persist,
    "--show-interactive-dev-session=false",
    "--inspector-port",
    String(port + 1000),
    ...extraArgs,
  ];
  for (const [k, v] of Object.entries({ LEADGATE_ENV: "development", ...vars })) args.push("--var", `${k}:${v}`);
  const child = track(
    spawn(path.join(ROOT, "node_modules", ".bin", "wrangler"), args, { cwd: ROOT, env: QUIET_ENV, stdio: ["ignore", "pipe", "pipe"] }),
    "gateway",
  );
  await waitFor(`http://127.0.0.1:${port}/health`);
  return child;
}

export async function startBare(port: number, vars: Record<string, string>): Promise<ChildProcess> {
  const args = [
    "dev",
    "--config",
    path.join(ROOT, "bench", "bare-worker", "wrangler.toml"),
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--show-interactive-dev-session=false",
    "--inspector-port",
    String(port + 1000),
  ];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const child = track(
    spawn(path.join(ROOT, "node_modules", ".bin", "wrangler"), args, { cwd: ROOT, env: QUIET_ENV, stdio: ["ignore", "pipe", "pipe"] }),
    "bare worker",
  );
  await waitFor(`http://127.0.0.1:${port}/`);
  return child;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
}
