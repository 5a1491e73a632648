// GET /admin/caps — every active contract's caps and current usage, from its CapLedger.
import { createRoute, z } from "@hono/zod-openapi";
import { hasCaps } from "../../services/caps";
import { router } from "../context";
import { errorResponses } from "../errors";

const count = z.number().int();
const capOrNull = z.number().int().nullable();
const WindowSchema = z.object({ window: z.string(), used: count, cap: capOrNull, left: capOrNull });
const SpendWindowSchema = WindowSchema.extend({ spend_cents: count, budget_cents: capOrNull });

const AdminCapsSchema = z
  .object({
    contracts: z.array(
      z.object({
        contract: z.string(),
        buyer: z.string(),
        timezone: z.string(),
        hour: WindowSchema,
        day: SpendWindowSchema,
        month: SpendWindowSchema,
        held: count.describe("reservations held by posts in flight"),
      }),
    ),
  })
  .openapi("AdminCaps");

export const adminCapsRoute = createRoute({
  method: "get",
  path: "/admin/caps",
  operationId: "getCaps",
  tags: ["admin"],
  summary: "Caps and current usage of every capped contract",
  security: [{ AdminToken: [] }],
  responses: {
    200: { description: "Usage per window in the buyer's time zone", content: { "application/json": { schema: AdminCapsSchema } } },
    ...errorResponses(401, 404, 503),
  },
});

export const adminCaps = router();

adminCaps.openapi(adminCapsRoute, async (c) => {
  const { caps } = c.var.services;
  const contracts = [...c.var.rules.contractsById.values()].filter(hasCaps);
  const rows = await Promise.all(
    contracts.map(async (ct) => {
      const h = await caps.headroom(ct);
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
  return c.json({ contracts: rows }, 200);
});
