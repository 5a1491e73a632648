// Health: GET /health for monitors (public, so it says only whether the gateway can take leads:
// 200 when it can, 503 when it can't or an active campaign is misconfigured), and GET /admin/health
// for operators (the admin token): what is active, which rule rows are broken and why, browser
// sources without a bot check, and whether the gateway's secrets are set.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Rules } from "../../rules/model";
import type { AppEnv } from "../context";
import { router } from "../context";
import { errorResponses } from "../errors";
import { configProblems } from "../guard";
import { errorText } from "../../lib/log";

const Status = z.enum(["ok", "degraded", "down"]);

const HealthSchema = z
  .object({
    ok: z.boolean().describe("true when status is ok"),
    status: Status.describe("ok; degraded: an active campaign's rules do not validate (its leads get 503); down: no leads are taken"),
  })
  .openapi("Health");

const AdminHealthSchema = z
  .object({
    ok: z.boolean(),
    status: Status,
    campaigns: z.number().int().optional(),
    contracts: z.number().int().optional(),
    sources: z.number().int().optional(),
    disabled_rules: z.number().int().optional().describe("rule rows left out because they do not validate"),
    problems: z
      .array(z.object({ table: z.string(), id: z.string(), column: z.string(), message: z.string() }))
      .optional()
      .describe("every rule row that does not validate, and why"),
    broken_campaigns: z.array(z.string()).optional().describe("active campaigns answering 503 campaign_misconfigured"),
    sources_without_turnstile: z.array(z.string()).optional().describe("browser sources anyone can post from a script"),
    config_problems: z.array(z.string()).describe("secrets or settings the gateway refuses to run without (it answers 503 until fixed)"),
    error: z.string().optional().describe("why the rules could not be loaded"),
  })
  .openapi("AdminHealth");

export const healthRoute = createRoute({
  method: "get",
  path: "/health",
  security: [],
  operationId: "getHealth",
  tags: ["operations"],
  summary: "Whether the gateway can take leads (for monitors)",
  responses: {
    200: { description: "Taking leads", content: { "application/json": { schema: HealthSchema } } },
    503: { description: "Degraded (a misconfigured campaign) or down", content: { "application/json": { schema: HealthSchema } } },
  },
});

export const adminHealthRoute = createRoute({
  method: "get",
  path: "/admin/health",
  security: [{ AdminToken: [] }],
  operationId: "getAdminHealth",
  tags: ["admin"],
  summary: "What is active, what is broken and why",
  responses: {
    200: { description: "Taking leads", content: { "application/json": { schema: AdminHealthSchema } } },
    503: { description: "Degraded or down, with the reasons", content: { "application/json": { schema: AdminHealthSchema } } },
    ...errorResponses(401, 404),
  },
});

type Detail = z.infer<typeof AdminHealthSchema>;

function detailOf(rules: Rules, configProblemsFound: string[]): Detail {
  const status = configProblemsFound.length > 0 ? "down" : rules.brokenCampaigns.size > 0 ? "degraded" : "ok";
  return {
    ok: status === "ok",
    status,
    campaigns: rules.campaignsById.size,
    contracts: rules.contractsById.size,
    sources: rules.sourcesById.size,
    disabled_rules: rules.problems.length,
    problems: rules.problems.map(({ table, id, column, message }) => ({ table, id, column, message })),
    broken_campaigns: [...rules.brokenCampaigns.keys()],
    sources_without_turnstile: [...rules.sourcesById.values()].filter((s) => s.publishableKey && !s.turnstile).map((s) => s.id),
    config_problems: configProblemsFound,
  };
}

async function check(c: Context<AppEnv>): Promise<Detail> {
  const problems = configProblems(c.var.config);
  try {
    return detailOf(await c.var.loadRules(), problems);
  } catch (err) {
    return { ok: false, status: "down", config_problems: problems, error: errorText(err) };
  }
}

export const health = router();

health.openapi(healthRoute, async (c) => {
  const d = await check(c);
  return c.json({ ok: d.ok, status: d.status }, d.ok ? 200 : 503);
});

health.openapi(adminHealthRoute, async (c) => {
  const d = await check(c);
  return c.json(d, d.ok ? 200 : 503);
});
