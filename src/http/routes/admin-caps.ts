// GET /admin/caps — every active contract's caps and current usage, from its CapLedger, and every
// contract whose circuit breaker has tripped (paused, or half-open and being probed).
import { createRoute, z } from "@hono/zod-openapi";
import type { WindowHeadroom } from "../../objects/cap-ledger";
import { hasCaps } from "../../services/caps";
import { router } from "../context";
import { errorResponses } from "../errors";

const count = z.number().int();
const capOrNull = z.number().int().nullable();
const WindowSchema = z.object({
  window: z.string(),
  used: count.describe("leads sold in this window"),
  cap: capOrNull,
  left: capOrNull.describe("headroom not yet taken: the cap minus sales, posts in flight and leased units"),
});
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
        leased: count.describe("headroom leased to gateway isolates and not spent yet (counted in `used` until returned)"),
      }),
    ),
    breakers: z
      .array(
        z.object({
          contract: z.string(),
          buyer: z.string(),
          state: z.enum(["closed", "open", "half_open"]).describe("open: paused; half_open: probed with one lead at a time"),
          reason: z.string().nullable().describe("the rate that tripped it"),
          since: z.string().describe("ISO 8601 UTC"),
          until: z.string().nullable().describe("open: when probing starts"),
          trips: count,
        }),
      )
      .describe("contracts whose breaker has ever tripped, as of the rules the gateway serves"),
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
      const left = (cap: number | null, taken: number) => (cap === null ? null : Math.max(0, cap - taken));
      const window = (u: WindowHeadroom, cap: number | null) => ({ window: u.window, used: u.sold, cap, left: left(cap, u.count) });
      return {
        contract: ct.id,
        buyer: ct.buyerName,
        timezone: ct.timezone,
        hour: window(h.hour, ct.caps.hour),
        day: { ...window(h.day, ct.caps.day), spend_cents: h.day.soldCents, budget_cents: ct.caps.budgetDayCents },
        month: { ...window(h.month, ct.caps.month), spend_cents: h.month.soldCents, budget_cents: ct.caps.budgetMonthCents },
        held: h.held,
        leased: h.leased,
      };
    }),
  );
  const iso = (ms: number) => new Date(ms).toISOString();
  const breakers = [...c.var.rules.contractsById.values()]
    .filter((ct) => ct.health !== null)
    .map((ct) => ({
      contract: ct.id,
      buyer: ct.buyerName,
      state: ct.health!.state,
      reason: ct.health!.reason,
      since: iso(ct.health!.since),
      until: ct.health!.until === null ? null : iso(ct.health!.until),
      trips: ct.health!.trips,
    }));
  return c.json({ contracts: rows, breakers }, 200);
});
