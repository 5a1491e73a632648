// GET /admin/caps — every active contract's caps and current usage, from its CapLedger.
// Needs ADMIN_TOKEN (wrangler secret); without it the route does not exist.
import { Hono } from "hono";
import { configOf, type Env } from "../../env";
import { headroomOf, hasCaps } from "../../auction/caps";
import { getRules } from "../../rules/cache";
import { requireAdmin } from "../auth";

export const adminCaps = new Hono<{ Bindings: Env }>();

adminCaps.get("/admin/caps", async (c) => {
  await requireAdmin(c);
  const rules = await getRules(c.env.DB, configOf(c.env).RULES_TTL_MS);
  const contracts = [...rules.contractsById.values()].filter(hasCaps);
  const rows = await Promise.all(
    contracts.map(async (ct) => {
      const h = await headroomOf(c.env, ct);
      const left = (cap: number | null, used: number) => (cap === null ? null : Math.max(0, cap - used));
      return {
        contract: ct.id,
        buyer: ct.buyerName,
        timezone: ct.timezone,
        hour: { window: h.hour.window, used: h.hour.count, cap: ct.caps.hour, left: left(ct.caps.hour, h.hour.count) },
        day: { window: h.day.window, used: h.day.count, cap: ct.caps.day, left: left(ct.caps.day, h.day.count), spend_cents: h.day.spendCents, budget_cents: ct.caps.budgetDayCents },
        month: { window: h.month.window, used: h.month.count, cap: ct.caps.month, left: left(ct.caps.month, h.month.count), spend_cents: h.month.spendCents, budget_cents: ct.caps.budgetMonthCents },
        held: h.held,
      };
    }),
  );
  return c.json({ contracts: rows });
});
