// What the views of a lead's trace share in the API (a source's, and an operator's): the ISO 8601
// type of their times, and how stored times and details read back (src/db/format.ts). The
// operator's full trace itself is a read model in src/db/trace.ts.
import { z } from "@hono/zod-openapi";

export { isoOf, parseDetail } from "../db/format";

export const iso = z.string().describe("ISO 8601 UTC");
