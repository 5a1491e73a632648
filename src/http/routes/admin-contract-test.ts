// POST /admin/contracts/{id}/test — "test this buyer": a sample ping (and, if asked, the post) to the
// buyer's test URL or its live one, outside any auction, answered with exactly what was sent and how
// leadgate read each answer (src/pipeline/buyer-test.ts). The console's contract page has the same.
import { createRoute, z } from "@hono/zod-openapi";
import { testBuyer } from "../../pipeline/buyer-test";
import { router } from "../context";
import { errorResponses } from "../errors";

const SentSchema = z.object({ method: z.string(), url: z.string(), headers: z.record(z.string(), z.string()), body: z.string() });
const StepSchema = z.object({
  sent: SentSchema.describe("the request as sent: the buyer's API keys masked, and a made-up lead's personal values"),
  answer: z.object({
    status: z.number().int().nullable(),
    content_type: z.string().nullable(),
    body: z.string().nullable().describe("the first 4 KiB"),
    latency_ms: z.number().int(),
    error: z.string().nullable().describe("no answer: a timeout or a connection failure"),
  }),
  read: z
    .object({
      outcome: z.string().describe("bid, no_bid, invalid, error (ping); accepted, rejected, error (post)"),
      bid_cents: z.number().int().optional(),
      token: z.string().nullable().optional(),
      buyer_lead_id: z.string().nullable().optional(),
      reason: z.string().optional().describe("why it is not a bid or an acceptance, or why the answer could not be read"),
    })
    .describe("how leadgate read the answer, with the contract's protocol"),
});

export const testContractRoute = createRoute({
  method: "post",
  path: "/admin/contracts/{id}/test",
  operationId: "testContract",
  tags: ["admin", "rules"],
  summary: "Test this buyer: a sample ping and optionally a post, shown as sent and as read (nothing recorded)",
  security: [{ AdminToken: [] }],
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: "id", in: "path" } }),
    }),
    body: {
      content: {
        "application/json": {
          schema: z
            .object({
              target: z
                .enum(["test", "live"])
                .default("test")
                .describe("test: the contract's test_ping_url / test_post_url; live: its real URLs"),
              post: z.boolean().default(false).describe("also post the lead when the ping bids (or at once, for a fixed price)"),
              lead: z.record(z.string(), z.unknown()).nullable().default(null).describe("your own test lead; default: a made-up one"),
            })
            .openapi("BuyerTestRequest"),
        },
      },
    },
  },
  responses: {
    200: {
      description: "What was sent and read",
      content: {
        "application/json": {
          schema: z
            .object({
              contract: z.string(),
              target: z.enum(["test", "live"]),
              lead_supplied: z.boolean(),
              ping: StepSchema.nullable(),
              post: StepSchema.nullable(),
              notes: z.array(z.string()),
            })
            .openapi("BuyerTestResult"),
        },
      },
    },
    ...errorResponses(401, 404, 422),
  },
});

export const adminContractTest = router();

adminContractTest.openapi(testContractRoute, async (c) => {
  const body = c.req.valid("json");
  const result = await testBuyer(c.var.services, c.req.valid("param").id, { target: body.target, post: body.post, lead: body.lead });
  return c.json(result, 200);
});
