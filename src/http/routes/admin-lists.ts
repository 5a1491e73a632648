// Value lists (ZIP codes and the like) that filters and price rules name with `in_list`: PUT a CSV to
// /admin/lists/{name} to create or replace one, GET to see them, DELETE one no contract names. This
// isolate sees a change at once, the others within RULES_TTL_MS; the lists are compiled into sets
// once per rules load (src/rules/compile/pricing.ts), so their size costs a lead nothing.
import { createRoute, z } from "@hono/zod-openapi";
import { isoOf } from "../../db/format";
import { readCapped } from "../../lib/stream";
import { invalidateRules } from "../../rules/cache";
import { LIST_KINDS, ListNameSchema, MAX_LIST_VALUES, readListUpload } from "../../rules/lists";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";

/** An upload's largest body: 100,000 ZIP codes with their line ends, and room for a second column. */
const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;

const nameParam = z.object({ name: ListNameSchema.openapi({ param: { name: "name", in: "path" }, example: "tx_zips" }) });

const ListSummarySchema = z.object({
  name: z.string(),
  kind: z.enum(LIST_KINDS),
  count: z.number().int(),
  updated_at: z.string().describe("ISO 8601"),
  used_by: z.array(z.string()).describe("contracts whose filters or price rules name it"),
});

const putListRoute = createRoute({
  method: "put",
  path: "/admin/lists/{name}",
  operationId: "putValueList",
  tags: ["admin"],
  summary: "A value list created or replaced from a CSV (the first column of each line)",
  description: `At most ${MAX_LIST_VALUES} values. \`kind=zip\` takes 5-digit ZIP codes (ZIP+4 and lost leading zeros normalized); \`header=true\` skips the first line.`,
  security: [{ AdminToken: [] }],
  request: {
    params: nameParam,
    query: z.object({ kind: z.enum(LIST_KINDS).default("text"), header: z.enum(["true", "false"]).default("false") }),
    body: { required: true, content: { "text/csv": { schema: z.string() }, "text/plain": { schema: z.string() } } },
  },
  responses: {
    200: { description: "Stored", content: { "application/json": { schema: ListSummarySchema.extend({ created: z.boolean() }) } } },
    ...errorResponses(400, 401, 404, 413, 415, 422),
  },
});

const listListsRoute = createRoute({
  method: "get",
  path: "/admin/lists",
  operationId: "listValueLists",
  tags: ["admin"],
  summary: "The value lists, without their values",
  security: [{ AdminToken: [] }],
  responses: {
    200: { description: "Every list", content: { "application/json": { schema: z.object({ lists: z.array(ListSummarySchema) }) } } },
    ...errorResponses(401, 404),
  },
});

const getListRoute = createRoute({
  method: "get",
  path: "/admin/lists/{name}",
  operationId: "getValueList",
  tags: ["admin"],
  summary: "One value list with its values",
  security: [{ AdminToken: [] }],
  request: { params: nameParam },
  responses: {
    200: {
      description: "The list",
      content: { "application/json": { schema: ListSummarySchema.extend({ values: z.array(z.string()) }) } },
    },
    ...errorResponses(401, 404),
  },
});

const deleteListRoute = createRoute({
  method: "delete",
  path: "/admin/lists/{name}",
  operationId: "deleteValueList",
  tags: ["admin"],
  summary: "A value list removed, when no contract names it",
  security: [{ AdminToken: [] }],
  request: { params: nameParam },
  responses: {
    200: { description: "Deleted", content: { "application/json": { schema: z.object({ name: z.string(), deleted: z.literal(true) }) } } },
    ...errorResponses(401, 404, 409),
  },
});

export const adminLists = router();

adminLists.openapi(putListRoute, async (c) => {
  const { name } = c.req.valid("param");
  const { kind, header } = c.req.valid("query");
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "text/csv" && type !== "text/plain")
    throw new ApiError(415, "unsupported_media_type", "send the list as text/csv or text/plain");
  const bytes = await readCapped(c.req.raw.body, MAX_UPLOAD_BYTES);
  if (!bytes) throw new ApiError(413, "payload_too_large", `a list upload is at most ${MAX_UPLOAD_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, "invalid_encoding", "the list is not valid UTF-8");
  }
  const upload = readListUpload(text, kind, header === "true");
  if (upload.problems.length > 0)
    throw new ApiError(
      422,
      "validation_failed",
      "the list has lines that can't be read",
      upload.problems.map((p) => ({ path: p.line > 0 ? `body.line.${p.line}` : "body", message: p.message })),
    );
  if (upload.values.length === 0)
    throw new ApiError(422, "validation_failed", "the list is empty", [{ path: "body", message: "no values" }]);
  const now = Date.now();
  const created = await c.var.services.records.lists.put(name, kind, upload.values, now);
  invalidateRules(); // this isolate at once; the others within RULES_TTL_MS
  const used_by = c.var.rules.listUsers.get(name) ?? [];
  return c.json({ name, kind, count: upload.values.length, updated_at: isoOf(now), used_by, created }, 200);
});

adminLists.openapi(listListsRoute, async (c) => {
  const rows = await c.var.services.records.lists.all();
  const lists = rows.map((r) => ({
    name: r.name,
    kind: r.kind,
    count: r.count,
    updated_at: isoOf(r.updatedAt),
    used_by: c.var.rules.listUsers.get(r.name) ?? [],
  }));
  return c.json({ lists }, 200);
});

adminLists.openapi(getListRoute, async (c) => {
  const { name } = c.req.valid("param");
  const row = await c.var.services.records.lists.get(name);
  if (!row) throw new ApiError(404, "not_found", "no such list");
  const used_by = c.var.rules.listUsers.get(name) ?? [];
  return c.json({ name, kind: row.kind, count: row.count, updated_at: isoOf(row.updatedAt), used_by, values: row.values }, 200);
});

adminLists.openapi(deleteListRoute, async (c) => {
  const { name } = c.req.valid("param");
  const users = c.var.rules.listUsers.get(name);
  if (users?.length)
    throw new ApiError(409, "list_in_use", `contracts ${users.join(", ")} name this list: change their filters and price rules first`);
  if (!(await c.var.services.records.lists.remove(name))) throw new ApiError(404, "not_found", "no such list");
  invalidateRules();
  return c.json({ name, deleted: true as const }, 200);
});
