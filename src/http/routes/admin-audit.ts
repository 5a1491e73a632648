// The rules' audit trail: GET /admin/audit (newest first, filtered by table, row, who and how),
// GET /admin/audit/{id}, and POST /admin/audit/{id}/revert, which undoes one change as a change of
// its own — validated like any write, recorded with who undid it (src/pipeline/rule-edits.ts).
import { createRoute, z } from "@hono/zod-openapi";
import type { RuleChangeRow } from "../../db/schema";
import { revertChange } from "../../pipeline/rule-edits";
import { auditEntry } from "../../rules/edit/diff";
import { router } from "../context";
import { ApiError, errorResponses } from "../errors";
import { answered, apiEditor } from "./admin-rules";

const ColumnChangeSchema = z.object({ column: z.string(), before: z.unknown(), after: z.unknown() });

const EntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string().describe("ISO 8601 UTC"),
    actor: z.string().describe("who: an Access email, an admin token's name, or outside (SQL run with wrangler, a migration)"),
    via: z.string().describe("api, console or outside"),
    table: z.string(),
    row_id: z.string(),
    action: z.enum(["insert", "update", "delete"]),
    version: z.number().int().nullable().describe("the row's version after the change"),
    reverts: z.number().int().nullable().describe("the change this one undid"),
    changes: z.array(ColumnChangeSchema).describe("the columns that changed (secrets only as set or changed)"),
    before: z.record(z.string(), z.unknown()).nullable().describe("the row before (SQL values, secrets masked); null for an insert"),
    after: z.record(z.string(), z.unknown()).nullable().describe("the row after; null for a delete"),
  })
  .openapi("AuditEntry");

/** A trail row as the API shows it (rules/edit/diff.ts). */
export const entryOf = (r: RuleChangeRow): z.infer<typeof EntrySchema> => auditEntry(r);

const idParam = z.object({
  id: z
    .string()
    .regex(/^\d{1,15}$/)
    .openapi({ param: { name: "id", in: "path" } }),
});
const security = [{ AdminToken: [] }];
const tags = ["admin", "rules"];

export const listAuditRoute = createRoute({
  method: "get",
  path: "/admin/audit",
  operationId: "listAudit",
  tags,
  security,
  summary: "Every change to the rules, newest first",
  request: {
    query: z.object({
      table: z.string().max(32).optional(),
      row_id: z.string().max(64).optional(),
      actor: z.string().max(200).optional(),
      via: z.enum(["api", "console", "outside"]).optional(),
      before: z.coerce.number().int().positive().optional().describe("entries older than this id (the previous page's next_before)"),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: {
      description: "Entries",
      content: { "application/json": { schema: z.object({ items: z.array(EntrySchema), next_before: z.number().int().nullable() }) } },
    },
    ...errorResponses(401, 404, 422),
  },
});

export const getAuditRoute = createRoute({
  method: "get",
  path: "/admin/audit/{id}",
  operationId: "getAuditEntry",
  tags,
  security,
  summary: "One change, with its diff",
  request: { params: idParam },
  responses: { 200: { description: "The entry", content: { "application/json": { schema: EntrySchema } } }, ...errorResponses(401, 404) },
});

export const revertRoute = createRoute({
  method: "post",
  path: "/admin/audit/{id}/revert",
  operationId: "revertChange",
  tags,
  security,
  summary: "Undo a change: its columns put back (an insert removed, a delete made again), validated like any write",
  request: { params: idParam },
  responses: {
    200: {
      description: "The undoing change",
      content: {
        "application/json": {
          schema: z.object({
            change_id: z.number().int().nullable(),
            table: z.string(),
            row_id: z.string(),
            version: z.number().int().describe("the row's version now (0: removed)"),
            row: z.record(z.string(), z.unknown()).nullable().describe("the row now (null: removed)"),
          }),
        },
      },
    },
    ...errorResponses(401, 404, 409, 422),
  },
});

export const adminAudit = router();

adminAudit.openapi(listAuditRoute, async (c) => {
  const q = c.req.valid("query");
  const rows = await c.var.services.records.audit.changes({
    table: q.table,
    rowId: q.row_id,
    actor: q.actor,
    via: q.via,
    beforeId: q.before,
    limit: q.limit,
  });
  return c.json({ items: rows.map(entryOf), next_before: rows.length === q.limit ? rows[rows.length - 1]!.id : null }, 200);
});

adminAudit.openapi(getAuditRoute, async (c) => {
  const row = await c.var.services.records.audit.change(Number(c.req.valid("param").id));
  if (!row) throw new ApiError(404, "not_found", "no such change in the audit trail");
  return c.json(entryOf(row), 200);
});

adminAudit.openapi(revertRoute, async (c) => {
  const e = await revertChange(c.var.services, Number(c.req.valid("param").id), apiEditor(c));
  const row = e.version ? ((await answered(c, e.table, [e.row]))[0] ?? null) : null;
  return c.json({ change_id: e.change?.id ?? null, table: e.table, row_id: e.id, version: e.version, row }, 200);
});
