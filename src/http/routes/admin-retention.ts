// GET /admin/retention — the retention job's progress per campaign: its retention, how many leads are
// due for redaction now, how many it has redacted, and when it last ran.
import { createRoute, z } from "@hono/zod-openapi";
import { router } from "../context";
import { errorResponses } from "../errors";
import { isoOf } from "../trace";

const RetentionSchema = z
  .object({
    campaigns: z.array(
      z.object({
        campaign: z.string(),
        retention_days: z.number().int().nullable().describe("null: kept without limit"),
        due: z.number().int().describe("leads past their retention, not redacted yet (the cron takes them in batches of 500)"),
        redacted: z.number().int().describe("leads redacted by retention so far"),
        last_run_at: z.string().nullable(),
      }),
    ),
  })
  .openapi("RetentionProgress");

export const retentionRoute = createRoute({
  method: "get",
  path: "/admin/retention",
  operationId: "getRetention",
  tags: ["admin"],
  summary: "Retention per campaign and the redaction job's progress",
  security: [{ AdminToken: [] }],
  responses: {
    200: { description: "Per campaign", content: { "application/json": { schema: RetentionSchema } } },
    ...errorResponses(401, 404, 503),
  },
});

export const adminRetention = router();

adminRetention.openapi(retentionRoute, async (c) => {
  const lifecycle = c.var.services.records.lifecycle;
  const now = Date.now();
  const [campaigns, runs] = await Promise.all([lifecycle.campaignRetention(), lifecycle.retentionRuns()]);
  const rows = await Promise.all(
    campaigns.map(async (cmp) => ({
      campaign: cmp.slug,
      retention_days: cmp.retention_days,
      due: cmp.retention_days === null ? 0 : await lifecycle.countDue(cmp.id, now - cmp.retention_days * 86_400_000),
      redacted: runs.get(cmp.id)?.redacted ?? 0,
      last_run_at: runs.has(cmp.id) ? isoOf(runs.get(cmp.id)!.lastRunAt) : null,
    })),
  );
  return c.json({ campaigns: rows }, 200);
});
