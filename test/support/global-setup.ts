// Starts the mock buyers once for the whole run (Node side), on a free loopback port.
import type { TestProject } from "vitest/node";
import { MockBuyers } from "../../demo/mock-buyers";

declare module "vitest" {
  export interface ProvidedContext {
    buyersUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const buyers = new MockBuyers();
  const port = await buyers.listen(0);
  project.provide("buyersUrl", `http://127.0.0.1:${port}`);
  return async () => buyers.close();
}
