// What the console's forms share: the admin's CSRF token for the page, the check every POST passes
// (the token, and an Origin that is ours: the session cookie is SameSite=Strict besides), the form
// as parsed, and who is editing for the audit trail. Bearer callers (scripts) need no token.
import type { Context, MiddlewareHandler } from "hono";
import type { Form } from "../../console/editor-input";
import { timingSafeEqualHex } from "../../lib/crypto";
import type { Editor } from "../../pipeline/rule-edits";
import { csrfToken, sameOrigin } from "../admin-auth";
import { principalOf } from "../auth";
import type { AppEnv } from "../context";

/** The CSRF token of this admin's forms. */
export function csrfOf(c: Context<AppEnv>): Promise<string> {
  const p = principalOf(c, "admin");
  return csrfToken(c, p.via, p.actor);
}

export async function formOf(c: Context<AppEnv>): Promise<Form> {
  return (await c.req.parseBody({ all: true }).catch(() => ({}))) as Form;
}

/** Every console POST of an admin page: a form from our own origin with the page's CSRF token. */
export const consoleForm: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== "POST") return next();
  const p = principalOf(c, "admin");
  if (p.via === "token") return next();
  const sent = (await formOf(c)).csrf;
  const expected = await csrfOf(c);
  const ok = sameOrigin(c) && typeof sent === "string" && sent.length === expected.length && timingSafeEqualHex(sent, expected);
  if (ok) return next();
  c.header("cache-control", "no-store");
  return c.html(
    '<!doctype html><meta charset="utf-8"><title>Form expired</title><p>This form has expired or came from another site, so nothing was changed. <a href="/console">Reload the console</a> and try again.</p>',
    403,
  );
};

/** Who edits through the console, for the audit trail. */
export const consoleEditor = (c: Context<AppEnv>): Editor => ({ actor: principalOf(c, "admin").actor, via: "console" });

export function page(c: Context<AppEnv>, body: string | Promise<string>, status: 200 | 403 | 404 | 409 | 422 = 200) {
  c.header("cache-control", "no-store");
  return c.html(body, status);
}
