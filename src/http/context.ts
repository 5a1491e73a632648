// What every route sees on its context, typed once: parsed configuration, the request's service
// clients and (on routes that need them) the rules. Set by the middleware in ./middleware.ts.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Config, Env } from "../env";
import { fieldErrors } from "../lib/errors";
import type { Rules } from "../rules/model";
import type { Services } from "../services";
import type { Principal } from "./auth";
import { ApiError } from "./errors";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    services: Services;
    /** The isolate's cached rules; loads them on first use in a request. */
    loadRules: () => Promise<Rules>;
    rules: Rules;
    /** Who is calling, on routes behind `requireAuth` (./auth.ts). */
    principal?: Principal;
  };
}

/** A router whose request validation failures are the API's own 422 (not the library's). */
export const router = () =>
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new ApiError(422, "validation_failed", `${result.target} is not valid`, fieldErrors(result.error));
    },
  });
