// The Worker bundle's "zod" (wrangler.toml [alias]): zod's classic API as its own entry exports it
// (node_modules/zod/v4/classic/external.js), minus the message translations (~370 KB) and the
// JSON-schema importer and schema compiler, which nothing here uses. @hono/zod-openapi passes the
// whole `z` namespace to its extension function, so the bundler cannot drop them on its own.
// Types still come from the real "zod"; only the bundle is slimmed. English messages stay (the
// classic schemas register them on first use).
export * from "../../node_modules/zod/v4/classic/schemas.js";
export * from "../../node_modules/zod/v4/classic/checks.js";
export * from "../../node_modules/zod/v4/classic/errors.js";
export * from "../../node_modules/zod/v4/classic/parse.js";
export * from "../../node_modules/zod/v4/classic/compat.js";
export {
  globalRegistry,
  registry,
  config,
  $output,
  $input,
  $brand,
  clone,
  regexes,
  treeifyError,
  prettifyError,
  formatError,
  flattenError,
  TimePrecision,
  util,
  NEVER,
} from "../../node_modules/zod/v4/core/index.js";
export { toJSONSchema } from "../../node_modules/zod/v4/core/json-schema-processors.js";
export { ZodISODateTime, ZodISODate, ZodISOTime, ZodISODuration } from "../../node_modules/zod/v4/classic/iso.js";
export * as iso from "../../node_modules/zod/v4/classic/iso.js";
export * as coerce from "../../node_modules/zod/v4/classic/coerce.js";
import * as z from "./zod-slim";
export { z, z as default };
