// The console's audit trail (/console/audit: every change, a change's diff, undo) and returns queue
// (/console/returns: pending returns with approve and deny). Undo and the decisions go through the
// same code as the API (POST /admin/audit/{id}/revert, POST /admin/returns/{id}/approve|deny).
import { auditEntryPage, auditListPage } from "../../console/audit-page";
import { returnsPage } from "../../console/returns-page";
import { Refusal } from "../../lib/errors";
import { revertChange } from "../../pipeline/rule-edits";
import { decidePendingReturn } from "../../pipeline/returns";
import { auditEntry } from "../../rules/edit/diff";
import { RULE_TABLES } from "../../rules/fields";
import { router } from "../context";
import { consoleEditor, csrfOf, page } from "./console-forms";

export const consoleAuditRoutes = router();

const PAGE = 100;

consoleAuditRoutes.get("/console/audit", async (c) => {
  const table = (RULE_TABLES as readonly string[]).includes(c.req.query("table") ?? "") ? c.req.query("table") : undefined;
  const rowId = c.req.query("row_id")?.trim().slice(0, 64) || undefined;
  const before = Number(c.req.query("before") ?? NaN);
  const rows = await c.var.services.records.audit.changes({
    table,
    rowId,
    beforeId: Number.isInteger(before) ? before : undefined,
    limit: PAGE,
  });
  const nextBefore = rows.length === PAGE ? rows[rows.length - 1]!.id : null;
  return page(c, auditListPage(rows.map(auditEntry), { table, rowId, nextBefore }));
});

consoleAuditRoutes.get("/console/audit/:id", async (c) => {
  const id = Number(c.req.param("id"));
  const row = Number.isSafeInteger(id) ? await c.var.services.records.audit.change(id) : undefined;
  if (!row)
    return page(
      c,
      '<!doctype html><meta charset="utf-8"><title>not found</title><p>No such change. <a href="/console/audit">Back</a></p>',
      404,
    );
  const undone = c.req.query("undone");
  const notice = undone ? { kind: "note" as const, text: `This change undid #${undone}.` } : undefined;
  return page(c, auditEntryPage(auditEntry(row), await csrfOf(c), notice));
});

consoleAuditRoutes.post("/console/audit/:id/revert", async (c) => {
  const id = Number(c.req.param("id"));
  if (!Number.isSafeInteger(id)) return page(c, '<!doctype html><meta charset="utf-8"><title>not found</title><p>No such change.</p>', 404);
  try {
    const e = await revertChange(c.var.services, id, consoleEditor(c));
    return c.redirect(e.change ? `/console/audit/${e.change.id}?undone=${id}` : `/console/audit/${id}`, 303);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    const row = await c.var.services.records.audit.change(id);
    if (!row) return page(c, '<!doctype html><meta charset="utf-8"><title>not found</title><p>No such change.</p>', 404);
    const fields = err.fields.map((f) => `${f.path}: ${f.message}`).join("; ");
    return page(
      c,
      auditEntryPage(auditEntry(row), await csrfOf(c), {
        kind: "alert",
        text: `Not undone: ${err.message}${fields ? ` (${fields})` : ""}`,
      }),
      err.status === 422 ? 422 : 409,
    );
  }
});

consoleAuditRoutes.get("/console/returns", async (c) => {
  const returns = c.var.services.records.returns;
  const [pending, approved, denied] = await Promise.all([
    returns.list({ status: "pending", limit: 200 }),
    returns.list({ status: "approved", limit: 20 }),
    returns.list({ status: "denied", limit: 20 }),
  ]);
  const decided = [...approved, ...denied].sort((a, b) => (b.decided_at ?? 0) - (a.decided_at ?? 0)).slice(0, 20);
  const done = c.req.query("done");
  const notice = done
    ? {
        kind: "note" as const,
        text: `Return ${c.req.query("id") ?? ""} ${done === "approved" ? "approved" : done === "denied" ? "denied" : "was decided already"}.`,
      }
    : undefined;
  return page(c, returnsPage(pending, decided, await csrfOf(c), notice));
});

for (const action of ["approve", "deny"] as const)
  consoleAuditRoutes.post(`/console/returns/:id/${action}`, async (c) => {
    const id = c.req.param("id").slice(0, 64);
    const r = await decidePendingReturn(c.var.services, c.var.rules, id, action === "approve" ? "approved" : "denied");
    const done = r === "not_found" || r === "already_decided" ? "already" : r.status;
    return c.redirect(`/console/returns?done=${done}&id=${encodeURIComponent(id)}`, 303);
  });
