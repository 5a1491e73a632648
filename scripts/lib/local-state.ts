// The local state `npm start` keeps between runs (wrangler's .wrangler/state: D1, the Durable Objects'
// storage — caps, dedupe, journals, rate counters —, queues). `npm start -- --reset` removes all of
// it, so everything the console shows starts over: rules, leads, rollups, returns, experiments, the
// audit trail and the objects' state; then migrations and the demo rules are loaded afresh.
import { existsSync, rmSync } from "node:fs";
import path from "node:path";

export const localStateDir = (root: string) => path.join(root, ".wrangler", "state");

/** Removes the local state; true when there was some. */
export function resetLocalState(root: string): boolean {
  const dir = localStateDir(root);
  const had = existsSync(dir);
  rmSync(dir, { recursive: true, force: true });
  return had;
}
