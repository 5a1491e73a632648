// Runs the project's own wrangler (from node_modules) quietly, for the scripts.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");
const BIN = path.join(ROOT, "node_modules", ".bin", "wrangler");
export const QUIET_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" };

export function wrangler(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, { cwd: ROOT, env: QUIET_ENV, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

export function wranglerOrDie(args: string[]): string {
  const r = wrangler(args);
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`wrangler ${args.join(" ")} failed`);
  }
  return r.stdout;
}

export function spawnWrangler(args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(BIN, args, { cwd: ROOT, env: { ...QUIET_ENV, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
}
