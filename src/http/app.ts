// The Hono app: middleware for the per-request plumbing, routes named by resource and action, one
// error handler, and the OpenAPI document generated from the routes themselves.
import { router } from "./context";
import { ApiError, onError } from "./errors";
import { requireAuth } from "./auth";
import { requireSoundConfig } from "./guard";
import { shedLoad } from "./shed";
import { browserCors, init, withRules } from "./middleware";
import { adminBilling } from "./routes/admin-billing";
import { adminCaps } from "./routes/admin-caps";
import { adminMeter } from "./routes/admin-meter";
import { adminInvoices } from "./routes/admin-invoices";
import { adminStatements } from "./routes/admin-statements";
import { billingStripe } from "./routes/billing-stripe";
import { adminAudit } from "./routes/admin-audit";
import { adminContractTest } from "./routes/admin-contract-test";
import { adminConsumers } from "./routes/admin-consumers";
import { adminExperiments } from "./routes/admin-experiments";
import { adminLists } from "./routes/admin-lists";
import { adminScrubs } from "./routes/admin-scrubs";
import { adminRetention } from "./routes/admin-retention";
import { adminWebhookDeliveries } from "./routes/admin-webhook-deliveries";
import { adminWebhooks } from "./routes/admin-webhooks";
import { adminRules } from "./routes/admin-rules";
import { buyerDeletions } from "./routes/buyer-deletions";
import { returnRoutes } from "./routes/returns";
import { adminLeadsGet } from "./routes/admin-leads-get";
import { CONSOLE_PATHS, consoleHeaders, consoleRoutes } from "./routes/console";
import { BILLING_CONSOLE_PATHS, consoleBilling } from "./routes/console-billing";
import { consoleAuditRoutes } from "./routes/console-audit";
import { consoleEditorRoutes } from "./routes/console-editor";
import { consoleForm } from "./routes/console-forms";
import { adminSuppressions } from "./routes/admin-suppressions";
import { exportRoutes } from "./routes/exports";
import { sellerPingPost } from "./routes/seller-pingpost";
import { health } from "./routes/health";
import { leadsCreate } from "./routes/leads-create";
import { leadsGet } from "./routes/leads-get";
import { reports } from "./routes/reports";

export const app = router();

export const OPENAPI_PATH = "/openapi.json";

/** Buyers' calls back to the exchange, signed with the contract's key. */
const BUYER_SIGNED_PATHS = ["/v1/returns", "/v1/feedback", "/v1/buyers/deletions", "/v1/buyers/exports/*"];

// The API contract, generated from the routes below (it needs no bindings, so it comes first).
app.doc31(OPENAPI_PATH, (c) => ({
  openapi: "3.1.0",
  info: { title: "leadgate", version: "1", description: "Edge lead auction gateway. See docs/API.md." },
  servers: [{ url: new URL(c.req.url).origin, description: "this gateway" }],
  tags: [
    { name: "leads", description: "Submitting leads and following them" },
    { name: "reports", description: "Figures for sources and admins" },
    { name: "admin", description: "Needs the admin token" },
    { name: "webhooks", description: "Event webhooks: subscriptions, deliveries, the delivery log" },
    { name: "exports", description: "Records as CSV or NDJSON, streamed" },
    { name: "rules", description: "Campaigns, sources, buyers, contracts and experiments, and the audit trail of their changes" },
    { name: "operations", description: "Health and the contract itself" },
    { name: "console", description: "HTML pages for people (admin or publisher session)" },
  ],
}));
app.openAPIRegistry.registerPath({
  method: "get",
  path: OPENAPI_PATH,
  operationId: "getOpenApiDocument",
  tags: ["operations"],
  security: [],
  summary: "This document (OpenAPI 3.1)",
  responses: { 200: { description: "The API contract, generated from the routes" } },
});

// Who may call what (./auth.ts): sources authenticate inside the lead routes (key before campaign);
// everything else is guarded here.
for (const path of ["/v1/leads", "/v1/pings", "/v1/posts"]) app.use(path, shedLoad);
app.use("*", init, requireSoundConfig);
app.use("/v1/*", withRules);
for (const path of BUYER_SIGNED_PATHS) app.use(path, requireAuth("buyer"));
app.use("/admin/*", requireAuth("admin"), withRules);
app.use("/console", consoleHeaders, withRules, requireAuth("console_admin"));
app.use("/console/*", consoleHeaders, withRules);
app.use("/console/leads/*", requireAuth("console_admin"));
// The editor, the audit trail and the returns queue: an admin's pages, whose forms carry a CSRF token.
for (const section of ["campaigns", "sources", "buyers", "contracts", "experiments", "audit", "returns"])
  for (const path of [`/console/${section}`, `/console/${section}/*`]) app.use(path, requireAuth("console_admin"), consoleForm);
app.use("/console/source", requireAuth("console_source"));
app.use("/console/billing", requireAuth("console_admin"));
app.use("/console/billing/*", requireAuth("console_admin"));
app.use("/console/buyer", requireAuth("console_buyer"));
for (const path of ["/console/buyer/leads/*", "/console/buyer/invoices/*", "/console/buyer/statement", "/console/buyer/contracts/*"])
  app.use(path, requireAuth("console_buyer"));
app.use("/console/source/exports/*", requireAuth("console_source"));
app.use("/v1/leads", browserCors);

app.route("/", health);
app.route("/", leadsCreate);
app.route("/", sellerPingPost);
app.route("/", leadsGet);
app.route("/", buyerDeletions);
app.route("/", returnRoutes);
app.route("/", reports);
app.route("/", adminCaps);
app.route("/", adminMeter);
app.route("/", adminLeadsGet);
app.route("/", consoleRoutes);
app.route("/", consoleBilling);
app.route("/", consoleEditorRoutes);
app.route("/", consoleAuditRoutes);
for (const { errors, ...p } of [...CONSOLE_PATHS, ...BILLING_CONSOLE_PATHS])
  app.openAPIRegistry.registerPath({
    ...p,
    operationId: `console${p.method === "post" ? "Post" : ""}${p.path.replace(/[^a-zA-Z]+(\w)?/g, (_, ch: string | undefined) => (ch ?? "").toUpperCase())}`,
    tags: ["console"],
    parameters: p.path.includes("{id}") ? [{ name: "id", in: "path", required: true, schema: { type: "string" } }] : [],
    responses: {
      200: { description: "HTML", content: { "text/html": { schema: { type: "string" } } } },
      303: { description: "To the login page, or after logging in" },
      ...Object.fromEntries(Object.entries(errors).map(([status, description]) => [status, { description }])),
    },
  });
app.route("/", adminSuppressions);
app.route("/", adminConsumers);
app.route("/", adminRetention);
app.route("/", adminExperiments);
app.route("/", adminBilling);
app.route("/", adminStatements);
app.route("/", adminInvoices);
app.route("/", billingStripe);
app.route("/", adminLists);
app.route("/", adminScrubs);
app.route("/", adminWebhooks);
app.route("/", adminWebhookDeliveries);
app.route("/", exportRoutes);
app.route("/", adminRules);
app.route("/", adminAudit);
app.route("/", adminContractTest);

/** How each caller proves who it is, as the OpenAPI document names them (routes refer to these names). */
const apiKey = (where: "header" | "cookie", name: string, description: string) => ({
  type: "apiKey" as const,
  in: where,
  name,
  description,
});
const SECURITY_SCHEMES = {
  ApiKey: apiKey("header", "X-Api-Key", "A server source's API key"),
  ReportKey: apiKey("header", "X-Report-Key", "A source's reporting key: reads its report and logs in to its console, never posts a lead"),
  PublishableKey: apiKey(
    "header",
    "X-Publishable-Key",
    "A browser source's publishable key (or the publishable_key form field); valid only from the source's allowed Origins",
  ),
  AdminToken: {
    type: "http" as const,
    scheme: "bearer",
    description: "ADMIN_TOKEN (a wrangler secret); without it the /admin routes do not exist",
  },
  AdminSession: apiKey("cookie", "lg_admin", "The console's admin session, set by POST /console/login"),
  SourceSession: apiKey("cookie", "lg_source", "A publisher's console session, set by POST /console/source/login"),
  BuyerSession: apiKey("cookie", "lg_buyer", "A buyer's console session, set by POST /console/buyer/login"),
  BuyerSignature: apiKey(
    "header",
    "X-Leadgate-Signature-V3",
    "A buyer's call back, signed with its contract's key: X-Leadgate-Contract names the contract, X-Leadgate-Timestamp the time; the v3 signature covers the direction (to-leadgate), timestamp, method, path and body (docs/BUYER_PROTOCOL.md)",
  ),
};
for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);

app.notFound((c) => onError(new ApiError(404, "not_found", "no such route"), c));
app.onError(onError);
