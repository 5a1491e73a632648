// The rules API's OpenAPI shapes, generated from the editable tables (rules/fields): a row as
// answered (secrets left out, `secrets` says which are set), the body of a create or an update, and
// what the editor and the API share about one row (its problems and warnings).
import { z } from "@hono/zod-openapi";
import { columnInfo } from "../db/rule-columns";
import { JSON_WIDGETS, SECRET_WIDGETS, TABLE_SPECS, fieldOf, type FieldSpec, type RuleTable } from "../rules/fields";
import { ErrorBodySchema } from "./errors";

const capitalized = (s: string) => s[0]!.toUpperCase() + s.slice(1);
export const schemaName = (table: RuleTable) => capitalized(TABLE_SPECS[table].singular);

function columnSchema(table: RuleTable, column: string, field: FieldSpec | undefined, forInput: boolean): z.ZodType {
  const i = columnInfo(table).get(column)!;
  let s: z.ZodType;
  if (field?.widget === "headers") s = z.record(z.string(), z.string());
  else if (field && JSON_WIDGETS.has(field.widget)) s = z.unknown();
  else if (i.type === "boolean") s = z.boolean();
  else if (i.type === "integer") s = z.number().int();
  else if (i.enumValues) s = z.enum(i.enumValues as [string, ...string[]]);
  else s = z.string();
  if (!i.notNull) s = s.nullable();
  const help = field ? `${field.label}: ${field.help}` : column;
  return (forInput ? s.optional() : s).describe(field && SECRET_WIDGETS.has(field.widget) ? `${help} Write-only.` : help);
}

export const ProblemSchema = z.object({ table: z.string(), id: z.string(), column: z.string(), message: z.string() });

/** A row as the API answers it. */
export function rowSchema(table: RuleTable) {
  const shape: Record<string, z.ZodType> = {};
  for (const [column] of columnInfo(table)) {
    const field = fieldOf(table, column);
    if (field && SECRET_WIDGETS.has(field.widget) && field.widget !== "headers") continue;
    shape[column] = columnSchema(table, column, field, false);
  }
  return z
    .object({
      ...shape,
      secrets: z.record(z.string(), z.boolean()).describe("which write-only columns are set (their values are never read back)"),
      problems: z.array(ProblemSchema).describe("why the gateway leaves this row out, if it does"),
      warnings: z.array(ProblemSchema).describe("worth a second look; disables nothing"),
    })
    .openapi(schemaName(table));
}

/** The body of a create (columns with no default required) or an update (any columns, and `version`). */
export function inputSchema(table: RuleTable, mode: "create" | "update") {
  const shape: Record<string, z.ZodType> = {};
  if (mode === "create") shape.id = z.string().optional().describe(`The new row's id; default: ${TABLE_SPECS[table].idPrefix}_<random>`);
  for (const f of TABLE_SPECS[table].fields) shape[f.column] = columnSchema(table, f.column, f, true);
  if (mode === "update") shape.version = z.number().int().optional().describe("The version you read (or send If-Match)");
  const name = `${schemaName(table)}${mode === "create" ? "Create" : "Update"}`;
  return z.object(shape).openapi(name);
}

export { ErrorBodySchema };
