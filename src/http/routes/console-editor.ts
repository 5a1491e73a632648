// The console's editor: /console/{campaigns,sources,buyers,contracts,experiments} lists, a row's form
// (/console/contracts/{id}, /console/contracts/new), pause and resume, and "Test this buyer" on a
// contract. Server-rendered forms posting back here; every change goes through the same code as the
// rules API (src/pipeline/rule-edits.ts), so its errors come back beside the fields they name.
import type { Context } from "hono";
import { recentChanges } from "../../console/audit-page";
import { buyerTestForm, buyerTestPage } from "../../console/buyer-test-page";
import { type FormState } from "../../console/editor-fields";
import { one, readForm, type Form } from "../../console/editor-input";
import { listPage, rowPage, statusButton } from "../../console/editor-pages";
import { columnInfo } from "../../db/rule-columns";
import type { RuleRow } from "../../db/rule-edits";
import { Refusal, type FieldError } from "../../lib/errors";
import { testBuyer } from "../../pipeline/buyer-test";
import { createRule, updateRule } from "../../pipeline/rule-edits";
import { answerOf, defaultsOf, type Body } from "../../rules/edit/body";
import { auditEntry } from "../../rules/edit/diff";
import { RULE_TABLES, TABLE_SPECS, type RuleTable } from "../../rules/fields";
import { FieldDefsSchema } from "../../rules/schemas";
import { router, type AppEnv } from "../context";
import { answered } from "./admin-rules";
import { consoleEditor, csrfOf, formOf, page } from "./console-forms";

export const consoleEditorRoutes = router();

type AllRows = Awaited<ReturnType<AppEnv["Variables"]["services"]["records"]["ruleEdits"]["allRows"]>>;

/** The lead fields a contract's filters can name: its campaign's, and age. */
function leadFieldsOf(rows: AllRows, campaignId: unknown): { name: string; type: string }[] {
  const row = rows.campaigns.find((c) => c.id === campaignId);
  const parsed = row ? FieldDefsSchema.safeParse(JSON.parse(row.fields || "[]") as unknown) : null;
  const fields = parsed?.success ? parsed.data.map((f) => ({ name: f.name, type: f.type })) : [];
  return [...fields, { name: "age", type: "age" }];
}

async function state(
  c: Context<AppEnv>,
  values: Body,
  secrets: Record<string, boolean>,
  errors: FieldError[] = [],
  raw: Record<string, string> = {},
): Promise<FormState> {
  const rows = await c.var.services.records.ruleEdits.allRows();
  return {
    values,
    raw,
    errors,
    secrets,
    campaigns: rows.campaigns.map((r) => ({ id: r.id, name: r.name })),
    buyers: rows.buyers.map((r) => ({ id: r.id, name: r.name })),
    leadFields: leadFieldsOf(rows, values.campaign_id),
  };
}

/** A row's page: its form, its recent changes, and for a contract the buyer test. */
async function showRow(
  c: Context<AppEnv>,
  table: RuleTable,
  row: RuleRow | null,
  s: FormState,
  opts: { notice?: { kind: "note" | "alert"; text: string }; status?: 200 | 404 | 409 | 422 } = {},
) {
  const csrf = await csrfOf(c);
  const id = row ? String(row.id) : null;
  const [checked] = row ? await answered(c, table, [row]) : [];
  let after;
  if (id) {
    const history = (await c.var.services.records.audit.changes({ table, rowId: id, limit: 5 })).map(auditEntry);
    const test =
      table === "contracts" ? buyerTestForm({ contractId: id, hasTestUrl: Boolean(row?.testPingUrl ?? row?.testPostUrl), csrf }) : "";
    after = [statusButton(table, id, Number(row?.version), row?.status, csrf), test, recentChanges(history, id)];
  }
  const body = rowPage({
    spec: TABLE_SPECS[table],
    info: columnInfo(table),
    id,
    version: Number(row?.version ?? 0),
    state: s,
    csrf,
    problems: checked?.problems ?? [],
    warnings: checked?.warnings ?? [],
    notice: opts.notice,
    after: after as never,
  });
  return page(c, body, opts.status ?? 200);
}

const notFound = (c: Context<AppEnv>, what: string) =>
  page(c, `<!doctype html><meta charset="utf-8"><title>not found</title><p>No ${what}. <a href="/console">Back</a></p>`, 404);

/** A refused write shown again: its field errors beside the fields, what was typed kept. */
async function refused(
  c: Context<AppEnv>,
  table: RuleTable,
  row: RuleRow | null,
  body: Body,
  err: unknown,
  raw: Record<string, string> = {},
) {
  if (!(err instanceof Refusal)) throw err;
  if (err.status === 404) return notFound(c, TABLE_SPECS[table].singular);
  const values = { ...answerOf(table, row ?? defaultsOf(table)), ...body };
  const secrets = row ? (answerOf(table, row).secrets as Record<string, boolean>) : {};
  const conflict =
    err.status === 409
      ? {
          kind: "alert" as const,
          text: `${err.message}. Your values are below: reload the page to see the current ones, then make your change again.`,
        }
      : undefined;
  return showRow(c, table, row, await state(c, values, secrets, err.fields, raw), {
    notice: conflict,
    status: err.status === 409 ? 409 : 422,
  });
}

for (const table of RULE_TABLES) {
  const spec = TABLE_SPECS[table];
  consoleEditorRoutes.get(`/console/${table}`, async (c) => {
    const rows = await answered(c, table, await c.var.services.records.ruleEdits.list(table, {}, 1000));
    const done = c.req.query("done");
    const notice =
      done === "paused" || done === "active" ? `${c.req.query("id") ?? ""} ${done === "paused" ? "paused" : "resumed"}.` : undefined;
    const listed = rows.map((r) => ({ id: String(r.id), version: Number(r.version), values: r, problems: r.problems }));
    return page(c, listPage(spec, listed, await csrfOf(c), notice));
  });
  consoleEditorRoutes.get(`/console/${table}/new`, async (c) => {
    // A new row's form starts from the schema's defaults (a contract's floor 0, its breaker's thresholds…).
    const defaults = answerOf(table, defaultsOf(table));
    const values = { ...defaults, id: null, campaign_id: c.req.query("campaign_id") ?? defaults.campaign_id ?? null };
    return showRow(c, table, null, { ...(await state(c, values, {})), protocolAsJson: c.req.query("protocol") === "json" });
  });
  consoleEditorRoutes.get(`/console/${table}/:id`, async (c) => {
    const row = await c.var.services.records.ruleEdits.byId(table, c.req.param("id").slice(0, 64));
    if (!row) return notFound(c, spec.singular);
    const answer = answerOf(table, row);
    const saved = c.req.query("saved");
    const notice = saved
      ? {
          kind: "note" as const,
          text: saved === "0" ? "Nothing changed." : `Saved as change #${saved} (see it, or undo it, in the audit trail).`,
        }
      : undefined;
    const s = await state(c, answer, answer.secrets as Record<string, boolean>);
    return showRow(c, table, row, { ...s, protocolAsJson: c.req.query("protocol") === "json" }, { notice });
  });
  consoleEditorRoutes.post(`/console/${table}/new`, async (c) => {
    const form = await formOf(c);
    const read = await readForm(table, form, typesFor(await c.var.services.records.ruleEdits.allRows(), one(form, "campaign_id")));
    try {
      if (read.errors.length) throw new Refusal(422, "validation_failed", "not valid", read.errors);
      const e = await createRule(c.var.services, table, read.body, consoleEditor(c));
      return c.redirect(`/console/${table}/${e.id}?saved=${e.change?.id ?? 0}`, 303);
    } catch (err) {
      return refused(c, table, null, read.body, err, read.raw);
    }
  });
  consoleEditorRoutes.post(`/console/${table}/:id`, async (c) => editRow(c, table, await formOf(c)));
  consoleEditorRoutes.post(`/console/${table}/:id/status`, async (c) => {
    const form = await formOf(c);
    const id = c.req.param("id").slice(0, 64);
    const status = one(form, "status");
    try {
      await updateRule(c.var.services, table, id, { status }, Number(one(form, "version")), consoleEditor(c));
      return c.redirect(`/console/${table}?done=${status === "paused" ? "paused" : "active"}&id=${encodeURIComponent(id)}`, 303);
    } catch (err) {
      return refused(c, table, (await c.var.services.records.ruleEdits.byId(table, id)) ?? null, {}, err);
    }
  });
}

const typesFor = (rows: AllRows, campaignId: string) => new Map(leadFieldsOf(rows, campaignId).map((f) => [f.name, f.type]));

async function editRow(c: Context<AppEnv>, table: RuleTable, form: Form) {
  const id = c.req.param("id")!.slice(0, 64);
  const row = await c.var.services.records.ruleEdits.byId(table, id);
  if (!row) return notFound(c, TABLE_SPECS[table].singular);
  const rows = await c.var.services.records.ruleEdits.allRows();
  const read = await readForm(table, form, typesFor(rows, one(form, "campaign_id") || String(row.campaignId ?? "")));
  delete read.body.id; // a row's id is not edited
  try {
    if (read.errors.length) throw new Refusal(422, "validation_failed", "not valid", read.errors);
    const e = await updateRule(c.var.services, table, id, read.body, Number(one(form, "version")), consoleEditor(c));
    return c.redirect(`/console/${table}/${id}?saved=${e.change?.id ?? 0}`, 303);
  } catch (err) {
    return refused(c, table, row, read.body, err, read.raw);
  }
}

consoleEditorRoutes.post("/console/contracts/:id/test", async (c) => {
  const id = c.req.param("id").slice(0, 64);
  const form = await formOf(c);
  const text = one(form, "lead").trim();
  const target = one(form, "target") === "test" ? "test" : "live";
  const csrf = await csrfOf(c);
  const row = await c.var.services.records.ruleEdits.byId("contracts", id);
  if (!row) return notFound(c, "contract");
  const formState = {
    contractId: id,
    hasTestUrl: Boolean(row.testPingUrl ?? row.testPostUrl),
    csrf,
    lead: text,
    target,
    post: one(form, "post") === "on",
  };
  try {
    let lead: Record<string, unknown> | null = null;
    if (text) {
      const parsed = (() => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return undefined;
        }
      })();
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Refusal(422, "validation_failed", "not JSON", [
          { path: "lead", message: "a JSON object of lead fields, or empty for a made-up lead" },
        ]);
      lead = parsed as Record<string, unknown>;
    }
    const result = await testBuyer(c.var.services, id, { target, post: formState.post, lead });
    return page(c, buyerTestPage(result, formState));
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    const answer = answerOf("contracts", row);
    const s = await state(c, answer, answer.secrets as Record<string, boolean>);
    const body = rowPage({
      spec: TABLE_SPECS.contracts,
      info: columnInfo("contracts"),
      id,
      version: Number(row.version),
      state: s,
      csrf,
      problems: [],
      warnings: [],
      notice: { kind: "alert", text: `The test was not sent: ${err.message}.` },
      after: buyerTestForm({ ...formState, errors: err.fields }),
    });
    return page(c, body, 422);
  }
});
