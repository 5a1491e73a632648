// The Hono app: routes named by resource and action, one error handler.
import { Hono } from "hono";
import type { Env } from "../env";
import { ApiError, onError } from "./errors";
import { adminCaps } from "./routes/admin-caps";
import { health } from "./routes/health";
import { leadsCreate } from "./routes/leads-create";
import { leadsGet } from "./routes/leads-get";
import { openapi } from "./routes/openapi";
import { reports } from "./routes/reports";

export const app = new Hono<{ Bindings: Env }>();

app.route("/", health);
app.route("/", openapi);
app.route("/", leadsCreate);
app.route("/", leadsGet);
app.route("/", adminCaps);
app.route("/", reports);
app.notFound((c) => onError(new ApiError(404, "not_found", "no such route"), c));
app.onError(onError);
