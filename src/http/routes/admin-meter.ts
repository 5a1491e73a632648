// GET and DELETE /admin/meter — the storage tally of this isolate (METER_STORAGE=1, benchmarks): calls
// by binding and method, and the busiest objects. The capacity model in docs/PERFORMANCE.md is
// computed from it.
import { createRoute, z } from "@hono/zod-openapi";
import { readTally, resetTally } from "../../services/tally";
import { router } from "../context";
import { errorResponses } from "../errors";

const TallySchema = z
  .object({
    enabled: z.boolean().describe("METER_STORAGE is on; off, the tally stays empty"),
    methods: z.record(z.string(), z.number().int()).describe("`<binding>.<method>` → calls"),
    busiest: z.record(z.string(), z.array(z.tuple([z.string(), z.number().int()]))).describe("per binding, the ten busiest objects"),
    objects: z.record(z.string(), z.number().int()).describe("per binding, the distinct objects called"),
  })
  .openapi("StorageTally");

const meterRoute = (method: "get" | "delete") =>
  createRoute({
    method,
    path: "/admin/meter",
    operationId: method === "get" ? "getStorageTally" : "resetStorageTally",
    tags: ["admin"],
    summary: method === "get" ? "Storage calls tallied by this isolate (benchmarks)" : "Starts the storage tally over",
    security: [{ AdminToken: [] }],
    responses: {
      200: { description: "The tally", content: { "application/json": { schema: TallySchema } } },
      ...errorResponses(401, 404),
    },
  });

export const adminMeter = router();

adminMeter.openapi(meterRoute("get"), (c) => c.json({ enabled: c.var.config.METER_STORAGE, ...readTally() }, 200));
adminMeter.openapi(meterRoute("delete"), (c) => {
  resetTally();
  return c.json({ enabled: c.var.config.METER_STORAGE, ...readTally() }, 200);
});
