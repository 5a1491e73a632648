// GET /openapi.json — the API described as OpenAPI 3.1, with schemas generated from the zod
// schemas the code itself uses. Lead fields vary per campaign, so the request body is open.
import { Hono } from "hono";
import { z } from "zod";
import { CONSENT_KEYS } from "../../lead/consent";
import { ErrorBodySchema, LeadResponseSchema } from "../../lead/response";

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { target: "draft-2020-12" });
const err = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

export const openApiDocument = {
  openapi: "3.1.0",
  info: { title: "leadgate", version: "1", description: "Edge lead auction gateway. See docs/API.md." },
  paths: {
    "/v1/leads": {
      post: {
        summary: "Submit a lead",
        parameters: [
          { name: "X-Api-Key", in: "header", required: false, schema: { type: "string" }, description: "Server-to-server sources" },
          { name: "X-Publishable-Key", in: "header", required: false, schema: { type: "string" }, description: "Browser forms (or the publishable_key field), from an allowed Origin" },
          { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 128 }, description: "A retried submission returns the first result (external_id works too)" },
        ],
        requestBody: {
          required: true,
          content: Object.fromEntries(
            ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"].map((ct) => [
              ct,
              {
                schema: {
                  type: "object",
                  required: ["campaign"],
                  properties: {
                    campaign: { type: "string", description: "campaign slug" },
                    publishable_key: { type: "string" },
                    external_id: { type: "string", description: "the source's own lead id (idempotency)" },
                    sub_id: { type: "string" },
                    ...Object.fromEntries(CONSENT_KEYS.map((k) => [k, { type: k === "tcpa_consent" ? "boolean" : "string" }])),
                  },
                  additionalProperties: { description: "lead fields defined by the campaign" },
                },
              },
            ]),
          ),
        },
        responses: {
          "200": { description: "The lead was accepted; status says what became of it", content: { "application/json": { schema: { $ref: "#/components/schemas/LeadResponse" } } } },
          "303": { description: "HTML form posts: redirect to the source's success or failure URL" },
          "400": err("Malformed JSON or form body"),
          "401": err("Missing or unknown key"),
          "403": err("Origin or campaign not allowed for this source"),
          "404": err("Unknown campaign"),
          "413": err("Body larger than the limit (32 KB by default)"),
          "415": err("Unsupported content type"),
          "422": err("Fields not valid: every wrong field is listed"),
        },
      },
    },
    "/v1/leads/{id}": {
      get: {
        summary: "A lead's status and lifecycle trace",
        parameters: [
          { name: "id", in: "path", required: true, schema: { type: "string" } },
          { name: "X-Api-Key", in: "header", required: true, schema: { type: "string" } },
        ],
        responses: { "200": { description: "LeadResponse plus trace" }, "401": err("Bad key"), "404": err("No such lead for this source") },
      },
    },
    "/health": { get: { summary: "Liveness and rule counts", responses: { "200": { description: "ok" } } } },
  },
  components: { schemas: { LeadResponse: json(LeadResponseSchema), Error: json(ErrorBodySchema) } },
};

export const openapi = new Hono();
openapi.get("/openapi.json", (c) => c.json(openApiDocument));
