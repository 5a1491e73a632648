// The rules API: GET/POST /admin/{campaigns,sources,buyers,contracts,experiments} and GET/PATCH
// /admin/{table}/{id}, bodies in the columns' snake_case names with JSON columns as JSON. Writes go
// through src/pipeline/rule-edits.ts: checked by the gateway's own compilers (422 naming the field,
// nothing stored), compare-and-set on the row's version (If-Match or `version`; 409), recorded in the
// audit trail under the caller's name. Secrets are write-only. The console's editor uses the same.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { RuleRow } from "../../db/rule-edits";
import { createRule, updateRule, versionOf, type Edited, type Editor } from "../../pipeline/rule-edits";
import { compileRules } from "../../rules/compile";
import { RULE_TABLES, TABLE_SPECS, type RuleTable } from "../../rules/fields";
import { answerOf, type Body } from "../../rules/edit/body";
import type { RuleProblem } from "../../rules/model";
import { principalOf } from "../auth";
import { router, type AppEnv } from "../context";
import { ApiError, errorResponses } from "../errors";
import { inputSchema, rowSchema, schemaName } from "../rule-schemas";

export const adminRules = router();

const idParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});
const ifMatch = z.object({ "if-match": z.string().optional().describe('The version you read, as ETag gives it ("3")') });

const FILTERS: Record<RuleTable, string[]> = {
  campaigns: ["status"],
  sources: ["status"],
  buyers: ["status"],
  contracts: ["status", "buyer_id", "campaign_id"],
  experiments: ["status", "campaign_id"],
};

/** Who is writing, for the audit trail. */
export const apiEditor = (c: Context<AppEnv>): Editor => ({ actor: principalOf(c, "admin").actor, via: "api" });

const onRow = (problems: RuleProblem[], table: RuleTable, id: string) => problems.filter((p) => p.table === table && p.id === id);

/** A row as answered: its columns, which secrets are set, and what the compiler says of it now. */
export type Answered = Body & { secrets: Record<string, boolean>; problems: RuleProblem[]; warnings: RuleProblem[] };

/** Rows answered with their problems and warnings, as the gateway's compiler sees them now. */
export async function answered(c: Context<AppEnv>, table: RuleTable, rows: RuleRow[]): Promise<Answered[]> {
  const compiled = compileRules(await c.var.services.records.ruleEdits.allRows());
  return rows.map((row) => ({
    ...(answerOf(table, row) as Body & { secrets: Record<string, boolean> }),
    problems: onRow(compiled.problems, table, String(row.id)),
    warnings: onRow(compiled.warnings, table, String(row.id)),
  }));
}

async function jsonBody(c: Context<AppEnv>): Promise<Body> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json")
    throw new ApiError(
      415,
      "unsupported_media_type",
      `received ${type ? `Content-Type ${type.slice(0, 80)}` : "no Content-Type"}; send application/json`,
    );
  try {
    return (await c.req.json()) as Body;
  } catch {
    throw new ApiError(400, "malformed_json", "the body is not valid JSON");
  }
}

/** A written row with its trail entry, and its version as the ETag. */
async function written(c: Context<AppEnv>, e: Edited): Promise<Answered & { change_id: number | null }> {
  const [row] = await answered(c, e.table, [e.row]);
  c.header("etag", `"${e.version}"`);
  return { ...row!, change_id: e.change?.id ?? null };
}

for (const table of RULE_TABLES) {
  const spec = TABLE_SPECS[table];
  const Row = rowSchema(table);
  const Written = Row.extend({ change_id: z.number().int().nullable().describe("the audit trail's entry (null: nothing changed)") });
  const Name = schemaName(table);
  const tags = ["admin", "rules"];
  const security = [{ AdminToken: [] }];
  const query = z.object(Object.fromEntries(FILTERS[table].map((k) => [k, z.string().max(64).optional()])));
  const list = createRoute({
    method: "get",
    path: `/admin/${table}`,
    operationId: `list${spec.title}`,
    tags,
    security,
    summary: `Every ${spec.singular}, with its problems`,
    request: { query },
    responses: {
      200: { description: "Rows", content: { "application/json": { schema: z.object({ items: z.array(Row) }) } } },
      ...errorResponses(401, 404),
    },
  });
  const create = createRoute({
    method: "post",
    path: `/admin/${table}`,
    operationId: `create${Name}`,
    tags,
    security,
    summary: `Add a ${spec.singular} (checked like rules:check; recorded in the audit trail)`,
    request: { body: { content: { "application/json": { schema: inputSchema(table, "create") } } } },
    responses: {
      201: { description: "Created (ETag: its version)", content: { "application/json": { schema: Written } } },
      ...errorResponses(400, 401, 404, 409, 415, 422),
    },
  });
  const get = createRoute({
    method: "get",
    path: `/admin/${table}/{id}`,
    operationId: `get${Name}`,
    tags,
    security,
    summary: `One ${spec.singular} (ETag: its version)`,
    request: { params: idParam },
    responses: { 200: { description: "The row", content: { "application/json": { schema: Row } } }, ...errorResponses(401, 404) },
  });
  const update = createRoute({
    method: "patch",
    path: `/admin/${table}/{id}`,
    operationId: `update${Name}`,
    tags,
    security,
    summary: `Change a ${spec.singular}: the columns sent, if it is still at the version named`,
    request: { params: idParam, headers: ifMatch, body: { content: { "application/json": { schema: inputSchema(table, "update") } } } },
    responses: {
      200: { description: "Changed (ETag: its new version)", content: { "application/json": { schema: Written } } },
      ...errorResponses(400, 401, 404, 409, 415, 422, 428),
    },
  });

  adminRules.openapi(list, async (c) => {
    const where = Object.fromEntries(Object.entries(c.req.valid("query")).filter((e): e is [string, string] => typeof e[1] === "string"));
    const rows = await c.var.services.records.ruleEdits.list(table, where, 1000);
    return c.json({ items: await answered(c, table, rows) }, 200);
  });
  adminRules.openapi(create, async (c) =>
    c.json(await written(c, await createRule(c.var.services, table, await jsonBody(c), apiEditor(c))), 201),
  );
  adminRules.openapi(get, async (c) => {
    const row = await c.var.services.records.ruleEdits.byId(table, c.req.valid("param").id);
    if (!row) throw new ApiError(404, "not_found", `no ${spec.singular} ${c.req.valid("param").id}`);
    c.header("etag", `"${String(row.version)}"`);
    return c.json((await answered(c, table, [row]))[0]!, 200);
  });
  adminRules.openapi(update, async (c) => {
    const body = await jsonBody(c);
    const id = c.req.valid("param").id;
    const edited = await updateRule(c.var.services, table, id, body, versionOf(c.req.header("if-match"), body), apiEditor(c));
    return c.json(await written(c, edited), 200);
  });
}
