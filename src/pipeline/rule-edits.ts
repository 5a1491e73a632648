// Changing the rules without SQL: create, update and undo, for the rules API and the console's editor
// alike. Every write is checked first by the same compilers the gateway and rules:check use, against
// every other row (rules/compile/check.ts): a bad value is a 422 naming its field and nothing is
// stored. Updates are compare-and-set on the row's version (409 when it moved on). The write carries
// its author, so the audit trail names the person; each change then goes to onRuleChanged.
import type { RuleChangeRow } from "../db/schema";
import type { RuleRow } from "../db/rule-edits";
import { Refusal, type FieldError } from "../lib/errors";
import { newRuleId } from "../lib/ids";
import { invalidateRules } from "../rules/cache";
import { checkChange, type AllRuleRows } from "../rules/edit/check";
import { TABLE_SPECS, type RuleTable } from "../rules/fields";
import { bodyErrors, defaultsOf, keepStoredHeaders, rowOf, type Body } from "../rules/edit/body";
import { parseSnapshot, snapshotOf, undoPlan } from "../rules/edit/diff";
import type { RuleProblem } from "../rules/model";
import type { Services } from "../services";
import { onRuleChanged } from "./rule-changes";

/** Who is editing: a person (an Access email, a named token's name) and the way (api, console). */
export interface Editor {
  actor: string;
  via: "api" | "console";
}

export interface Edited {
  table: RuleTable;
  id: string;
  /** The row as stored now (drizzle-shaped). */
  row: RuleRow;
  version: number;
  /** The trail's entry (null: the write changed nothing). */
  change: RuleChangeRow | null;
  warnings: RuleProblem[];
}

const invalid = (fields: FieldError[]) =>
  new Refusal(422, "validation_failed", `${fields.length} field(s) are not valid: ${fields.map((f) => f.path).join(", ")}`, fields);

/** The candidate judged; any problem of its own, or a new one elsewhere, refuses it. */
function judged(rows: AllRuleRows, table: RuleTable, id: string, candidate: RuleRow | null): RuleProblem[] {
  const check = checkChange(rows, table, id, candidate as never);
  const fields = [
    ...check.problems.map((p) => ({ path: p.column, message: p.message })),
    ...check.elsewhere.map((p) => ({ path: `${p.table}.${p.id}.${p.column}`, message: `${p.table.slice(0, -1)} ${p.id}: ${p.message}` })),
  ];
  if (fields.length) throw invalid(fields);
  return check.warnings;
}

/** D1's unique-constraint failure, as the field it names (a slug or a key another row has). */
function uniqueRefusal(table: RuleTable, err: unknown): Refusal | null {
  const m = /UNIQUE constraint failed: (\w+)\.(\w+)/.exec(String((err as Error)?.message ?? err));
  if (!m) return null;
  return invalid([{ path: m[2]!, message: `another ${TABLE_SPECS[table].singular} has this ${m[2]}` }]);
}

async function written(
  svc: Services,
  table: RuleTable,
  w: Parameters<Services["records"]["ruleEdits"]["write"]>[1],
  by: Editor,
  at: number,
  reverts: number | null,
) {
  try {
    return await svc.records.ruleEdits.write(table, w, { actor: by.actor, via: by.via, at, reverts });
  } catch (err) {
    throw uniqueRefusal(table, err) ?? err;
  }
}

async function finish(svc: Services, table: RuleTable, id: string, change: RuleChangeRow | null, warnings: RuleProblem[]): Promise<Edited> {
  invalidateRules(); // this isolate at once; the others within RULES_TTL_MS
  if (change) await onRuleChanged(svc, change);
  const row = await svc.records.ruleEdits.byId(table, id);
  return { table, id, row: row ?? {}, version: Number(row?.version ?? 0), change, warnings };
}

export async function createRule(
  svc: Services,
  table: RuleTable,
  body: Body,
  by: Editor,
  now = Date.now(),
  reverts: number | null = null,
): Promise<Edited> {
  const errors = bodyErrors(table, body, "create");
  if (errors.length) throw invalid(errors);
  const id = typeof body.id === "string" ? body.id : newRuleId(TABLE_SPECS[table].idPrefix);
  const rows = await svc.records.ruleEdits.allRows();
  if ((rows[table] as RuleRow[]).some((r) => r.id === id))
    throw new Refusal(409, "already_exists", `${TABLE_SPECS[table].singular} ${id} exists already`);
  const { version: _v, ...columns } = body;
  const candidate: RuleRow = { ...defaultsOf(table), ...rowOf(table, columns), id };
  const warnings = judged(rows, table, id, { ...candidate, createdAt: now, version: 1 });
  const w = await written(svc, table, { kind: "insert", row: candidate }, by, now, reverts);
  if (!w.written) throw new Refusal(409, "already_exists", `${TABLE_SPECS[table].singular} ${id} exists already`);
  return finish(svc, table, id, w.change, warnings);
}

/** The version a write names: If-Match, else the body's `version`; none is a 428. */
export function versionOf(ifMatch: string | undefined, body: Body): number {
  const fromHeader = ifMatch?.replace(/^W\//, "").replace(/"/g, "").trim();
  const v = fromHeader ? Number(fromHeader) : body.version;
  if (typeof v !== "number" || !Number.isInteger(v))
    throw new Refusal(
      428,
      "version_required",
      'say which version you change: If-Match: "<version>" or a `version` field (GET the row first)',
    );
  return v;
}

export async function updateRule(
  svc: Services,
  table: RuleTable,
  id: string,
  body: Body,
  version: number,
  by: Editor,
  now = Date.now(),
  reverts: number | null = null,
): Promise<Edited> {
  const errors = bodyErrors(table, body, "update");
  if (errors.length) throw invalid(errors);
  const rows = await svc.records.ruleEdits.allRows();
  const current = (rows[table] as RuleRow[]).find((r) => r.id === id);
  if (!current) throw new Refusal(404, "not_found", `no ${TABLE_SPECS[table].singular} ${id}`);
  if (current.version !== version)
    throw new Refusal(
      409,
      "version_conflict",
      `${TABLE_SPECS[table].singular} ${id} is at version ${String(current.version)}, not ${version}: someone changed it; read it again`,
    );
  const { version: _v, ...columns } = body;
  const patch = rowOf(table, columns);
  if ("apiHeaders" in patch && columns.api_headers)
    patch.apiHeaders = JSON.stringify(
      keepStoredHeaders(columns.api_headers as Record<string, string>, current.apiHeaders as string | null),
    );
  const set = Object.fromEntries(Object.entries(patch).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(current[k])));
  if (Object.keys(set).length === 0) return { table, id, row: current, version, change: null, warnings: [] };
  const warnings = judged(rows, table, id, { ...current, ...set });
  const w = await written(svc, table, { kind: "update", id, set, version }, by, now, reverts);
  if (!w.written) {
    const still = await svc.records.ruleEdits.byId(table, id);
    if (!still) throw new Refusal(404, "not_found", `no ${TABLE_SPECS[table].singular} ${id}`);
    throw new Refusal(409, "version_conflict", `${TABLE_SPECS[table].singular} ${id} changed while it was being saved; read it again`);
  }
  return finish(svc, table, id, w.change, warnings);
}

/**
 * Undoes one change of the trail, as a change of its own (validated like any write, recorded with
 * `reverts`): an update's columns put back, an insert removed, a delete made again.
 */
export async function revertChange(svc: Services, changeId: number, by: Editor, now = Date.now()): Promise<Edited> {
  const entry = await svc.records.audit.change(changeId);
  if (!entry) throw new Refusal(404, "not_found", `no change ${changeId} in the audit trail`);
  const table = entry.tableName as RuleTable;
  if (!TABLE_SPECS[table]) throw new Refusal(409, "revert_conflict", `changes to ${entry.tableName} can't be undone here`);
  const current = (await svc.records.ruleEdits.byId(table, entry.rowId)) ?? null;
  const plan = undoPlan(
    table,
    { action: entry.action, before: parseSnapshot(entry.before), after: parseSnapshot(entry.after) },
    current && snapshotOf(table, current),
  );
  if (plan.kind === "refused") throw new Refusal(409, "revert_conflict", `change ${changeId} can't be undone: ${plan.why}`);
  if (plan.kind === "insert") return createRule(svc, table, plan.body, by, now, changeId);
  if (plan.kind === "update") return updateRule(svc, table, entry.rowId, plan.body, Number(current!.version), by, now, changeId);
  const refs = await svc.records.ruleEdits.referencedBy(table, entry.rowId);
  if (refs) throw new Refusal(409, "revert_conflict", `change ${changeId} can't be undone: ${entry.rowId} has ${refs}; pause it instead`);
  const rows = await svc.records.ruleEdits.allRows();
  const warnings = judged(rows, table, entry.rowId, null);
  const w = await written(svc, table, { kind: "delete", id: entry.rowId, version: Number(current!.version) }, by, now, changeId);
  if (!w.written) throw new Refusal(409, "version_conflict", `${entry.rowId} changed while it was being removed; try again`);
  invalidateRules();
  if (w.change) await onRuleChanged(svc, w.change);
  return { table, id: entry.rowId, row: {}, version: 0, change: w.change, warnings };
}
