// GET /health — liveness plus whether D1 answers and how many rules are active or disabled.
import { Hono } from "hono";
import { configOf, type Env } from "../../env";
import { getRules } from "../../rules/cache";

export const health = new Hono<{ Bindings: Env }>();

health.get("/health", async (c) => {
  try {
    const rules = await getRules(c.env.DB, configOf(c.env).RULES_TTL_MS);
    return c.json({
      ok: true,
      campaigns: rules.campaignsById.size,
      contracts: rules.contractsById.size,
      sources: rules.sourcesById.size,
      disabled_rules: rules.problems.length,
    });
  } catch (err) {
    return c.json({ ok: false, error: (err as Error).message.slice(0, 200) }, 503);
  }
});
