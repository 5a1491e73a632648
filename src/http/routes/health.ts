// GET /health — liveness, whether D1 answers, how many rules are active, and which rule rows are
// broken (degraded: an active campaign is misconfigured).
import { createRoute, z } from "@hono/zod-openapi";
import { router } from "../context";

const HealthSchema = z
  .object({
    ok: z.boolean(),
    campaigns: z.number().int().optional(),
    contracts: z.number().int().optional(),
    sources: z.number().int().optional(),
    disabled_rules: z.number().int().optional().describe("rule rows left out because they do not validate (see rules:check)"),
    degraded: z
      .boolean()
      .optional()
      .describe("true when an active campaign's rules do not validate: its leads get 503 campaign_misconfigured"),
    problems: z
      .array(z.object({ table: z.string(), id: z.string(), column: z.string() }))
      .optional()
      .describe("every rule row that does not validate (why: rules:check or the console; /health is public)"),
    error: z.string().optional(),
  })
  .openapi("Health");

export const healthRoute = createRoute({
  method: "get",
  path: "/health",
  security: [],
  operationId: "getHealth",
  tags: ["operations"],
  summary: "Liveness and rule counts",
  responses: {
    200: { description: "Rules load; counts of active and disabled rules", content: { "application/json": { schema: HealthSchema } } },
    503: { description: "Rules could not be loaded from D1", content: { "application/json": { schema: HealthSchema } } },
  },
});

export const health = router();

health.openapi(healthRoute, async (c) => {
  try {
    const rules = await c.var.loadRules();
    return c.json(
      {
        ok: true,
        campaigns: rules.campaignsById.size,
        contracts: rules.contractsById.size,
        sources: rules.sourcesById.size,
        disabled_rules: rules.problems.length,
        degraded: rules.brokenCampaigns.size > 0,
        problems: rules.problems.map(({ table, id, column }) => ({ table, id, column })),
      },
      200,
    );
  } catch (err) {
    return c.json({ ok: false, error: (err as Error).message.slice(0, 200) }, 503);
  }
});
