// /console — the operator's live view (admin token) and a publisher's own view (its API key or its
// reporting key), as server-rendered pages that refresh themselves. Logging in starts a signed session
// (../auth.ts, which also guards these pages: see app.ts); logging out ends it on the server's side.
// Login attempts are rate limited per IP.
import type { Context } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { loadFigures, type Span } from "../../console/figures";
import { loginPage } from "../../console/layout";
import { overviewPage, type CapRow } from "../../console/overview";
import { CONSOLE_JS } from "../../console/script";
import { loadSourceFigures, sourcePage } from "../../console/source-view";
import { tracePage } from "../../console/trace-page";
import { UPLOT_CSS, UPLOT_JS } from "../../console/uplot.generated";
import { hasCaps } from "../../services/caps";
import { adminTokenOf, endSessions, loginSubject, principalOf, startSession } from "../auth";
import { router, type AppEnv } from "../context";
import { ApiError } from "../errors";
import { clientIp } from "../submission";

/** Pages reload themselves this often (seconds): live figures without a script of our own. */
const REFRESH_S = 15;

export const consoleRoutes = router();

/** Console pages: strict security headers (hono's secureHeaders, with the console's CSP), never cached. */
export const consoleHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
  },
  xFrameOptions: "DENY",
  // Not hono's default no-referrer: under it a browser sends `Origin: null` with the console's own form
  // posts, which the CSRF check must refuse. same-origin keeps the Origin for us and tells others nothing.
  referrerPolicy: "same-origin",
});

export function page(c: Context<AppEnv>, body: string | Promise<string>, status: 200 | 401 | 404 | 429 = 200, refresh = false) {
  c.header("cache-control", "no-store");
  if (refresh) c.header("refresh", String(REFRESH_S));
  return c.html(body, status);
}

const spanOf = (c: Context<AppEnv>): Span => (c.req.query("span") === "day" ? "day" : "hour");

/** Ten login attempts per minute per IP: a token can't be guessed through the form. */
async function loginAllowed(c: Context<AppEnv>): Promise<boolean> {
  const ip = clientIp(c) ?? "unknown";
  const v = await c.var.services.limits.check(`console-login`, [{ key: `login:${ip.slice(0, 64)}`, limit: 10, periodMs: 60_000 }]);
  return v.ok;
}

async function formToken(c: Context<AppEnv>): Promise<string> {
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const token = (form as Record<string, unknown>).token;
  return typeof token === "string" ? token.slice(0, 512) : "";
}

/** The logins, one mechanism (../auth.ts): the admin's (the admin token), a publisher's (its API key or reporting key), a buyer's (a contract key). */
const LOGINS = {
  admin: { path: "/console/login", home: "/console", wrong: "That is not the admin token." },
  source: { path: "/console/source/login", home: "/console/source", wrong: "Unknown key." },
  buyer: { path: "/console/buyer/login", home: "/console/buyer", wrong: "Unknown key." },
} as const;

for (const kind of ["admin", "source", "buyer"] as const) {
  const login = LOGINS[kind];
  consoleRoutes.get(login.path, (c) => {
    if (!adminTokenOf(c)) throw new ApiError(404, "not_found", "not found");
    return page(c, loginPage(kind));
  });
  consoleRoutes.post(login.path, async (c) => {
    const token = adminTokenOf(c);
    if (!token) throw new ApiError(404, "not_found", "not found");
    if (!(await loginAllowed(c))) return page(c, loginPage(kind, "Too many attempts; wait a minute."), 429);
    const proved = await loginSubject(c, kind, await formToken(c));
    if (!proved) return page(c, loginPage(kind, login.wrong), 401);
    await startSession(c, token, kind, proved);
    return c.redirect(login.home, 303);
  });
}

// Ends the sessions it is sent with everywhere, not only in this browser (./auth.ts). A GET, as the
// link in every page is: the cookies are SameSite=Strict, so another site can't log anyone out.
consoleRoutes.get("/console/logout", async (c) => {
  await endSessions(c, adminTokenOf(c));
  return c.redirect("/console/login", 303);
});

consoleRoutes.get("/console/source", async (c) => {
  const { source } = principalOf(c, "source");
  const figures = await loadSourceFigures(c.var.services.records, c.var.rules, spanOf(c), source.id);
  return page(c, sourcePage(source.name, figures), 200, true);
});

consoleRoutes.get("/console", async (c) => {
  const { rules, services } = c.var;
  const capped = [...rules.contractsById.values()].filter(hasCaps);
  const [figures, hooks, caps] = await Promise.all([
    loadFigures(services.records, rules, spanOf(c)),
    services.records.webhooks.failing(Date.now()),
    Promise.all(
      capped.map(async (ct): Promise<CapRow> => {
        const h = await services.caps.headroom(ct).catch(() => null);
        const cap = ct.caps.day;
        return {
          contract: ct.id,
          buyer: ct.buyerName,
          day: h ? `${h.day.sold} / ${cap ?? "–"}` : "unavailable",
          left: h && cap !== null ? Math.max(0, cap - h.day.count) : null,
        };
      }),
    ),
  ]);
  return page(c, overviewPage(figures, caps, hooks), 200, true);
});

consoleRoutes.get("/console/leads/:id", async (c) => {
  const id = c.req.param("id").slice(0, 64);
  const trace = await c.var.services.records.fullTrace(c.var.rules, id);
  if (!trace) return page(c, '<!doctype html><title>not found</title><p>No such lead. <a href="/console">Back</a></p>', 404);
  return page(c, tracePage(trace));
});

const asset = (body: string, type: string) => (c: Context<AppEnv>) => {
  if (!adminTokenOf(c)) throw new ApiError(404, "not_found", "not found"); // no console, no console assets
  c.header("content-type", type);
  c.header("cache-control", "public, max-age=3600");
  c.header("x-content-type-options", "nosniff");
  return c.body(body);
};
consoleRoutes.get("/console/assets/uplot.js", asset(UPLOT_JS, "text/javascript; charset=utf-8"));
consoleRoutes.get("/console/assets/uplot.css", asset(UPLOT_CSS, "text/css; charset=utf-8"));
consoleRoutes.get("/console/assets/console.js", asset(CONSOLE_JS, "text/javascript; charset=utf-8"));

export const ADMIN_PAGE: Record<string, string[]>[] = [{ AdminSession: [] }, { AdminToken: [] }];
const PUBLIC: [] = [];
export type ConsolePath = {
  method: "get" | "post";
  path: string;
  summary: string;
  security: Record<string, string[]>[];
  /** The 4xx answers it can give (404: the console is off without an admin token). */
  errors: Record<number, string>;
};
export const OFF = { 404: "The console is off (no admin token configured), or no such lead" };

/** The console's pages in the OpenAPI document (HTML, not part of the JSON API). */
export const CONSOLE_PATHS: ConsolePath[] = [
  { method: "get", path: "/console", summary: "The operator's live console (admin session)", security: ADMIN_PAGE, errors: OFF },
  { method: "get", path: "/console/login", summary: "Console login page", security: PUBLIC, errors: OFF },
  {
    method: "post",
    path: "/console/login",
    summary: "Console login (form field token = the admin token)",
    security: PUBLIC,
    errors: { 401: "Not the admin token", 429: "Too many attempts from this IP", ...OFF },
  },
  {
    method: "get",
    path: "/console/logout",
    summary: "Ends the console sessions it is sent with, in every browser",
    security: PUBLIC,
    errors: OFF,
  },
  {
    method: "get",
    path: "/console/source",
    summary: "A publisher's own console (source session)",
    security: [{ SourceSession: [] }],
    errors: OFF,
  },
  { method: "get", path: "/console/source/login", summary: "Publisher console login page", security: PUBLIC, errors: OFF },
  {
    method: "post",
    path: "/console/source/login",
    summary: "Publisher console login (form field token = the source's API key or its reporting key)",
    security: PUBLIC,
    errors: { 401: "Unknown key", 429: "Too many attempts from this IP", ...OFF },
  },
  { method: "get", path: "/console/leads/{id}", summary: "A lead's full trace (admin session)", security: ADMIN_PAGE, errors: OFF },
  { method: "get", path: "/console/buyer/login", summary: "Buyer console login page", security: PUBLIC, errors: OFF },
  {
    method: "post",
    path: "/console/buyer/login",
    summary: "Buyer console login (form field token = one of its contracts' keys)",
    security: PUBLIC,
    errors: { 401: "Unknown key", 429: "Too many attempts from this IP", ...OFF },
  },
  { method: "get", path: "/console/assets/uplot.js", summary: "The charting library (uPlot)", security: PUBLIC, errors: OFF },
  { method: "get", path: "/console/assets/uplot.css", summary: "The charting library's styles", security: PUBLIC, errors: OFF },
  { method: "get", path: "/console/assets/console.js", summary: "The console's chart script", security: PUBLIC, errors: OFF },
  ...editorPaths(),
];

/** The editor's, the audit trail's and the returns queue's pages (./console-editor.ts, ./console-audit.ts). */
function editorPaths(): ConsolePath[] {
  const FORM = {
    403: "The form's CSRF token is missing or stale, or it came from another site",
    409: "The row changed since",
    422: "Not valid: the form again, errors beside the fields",
    ...OFF,
  };
  const out: ConsolePath[] = [];
  for (const t of ["campaigns", "sources", "buyers", "contracts", "experiments"]) {
    out.push(
      { method: "get", path: `/console/${t}`, summary: `The ${t}, with their problems (admin session)`, security: ADMIN_PAGE, errors: OFF },
      { method: "get", path: `/console/${t}/new`, summary: `A form for a new row of ${t}`, security: ADMIN_PAGE, errors: OFF },
      { method: "get", path: `/console/${t}/{id}`, summary: `A row of ${t}: its form, recent changes`, security: ADMIN_PAGE, errors: OFF },
      { method: "post", path: `/console/${t}/new`, summary: `Adds a row of ${t} (form)`, security: ADMIN_PAGE, errors: FORM },
      {
        method: "post",
        path: `/console/${t}/{id}`,
        summary: `Saves a row of ${t} (form, compare-and-set on its version)`,
        security: ADMIN_PAGE,
        errors: FORM,
      },
      { method: "post", path: `/console/${t}/{id}/status`, summary: `Pauses or resumes a row of ${t}`, security: ADMIN_PAGE, errors: FORM },
    );
  }
  out.push(
    {
      method: "post",
      path: "/console/contracts/{id}/test",
      summary: "Test this buyer: a sample ping (and post), shown as sent and as read",
      security: ADMIN_PAGE,
      errors: FORM,
    },
    { method: "get", path: "/console/audit", summary: "Every change to the rules (admin session)", security: ADMIN_PAGE, errors: OFF },
    {
      method: "get",
      path: "/console/audit/{id}",
      summary: "One change, with its diff and an undo button",
      security: ADMIN_PAGE,
      errors: OFF,
    },
    { method: "post", path: "/console/audit/{id}/revert", summary: "Undoes a change (form)", security: ADMIN_PAGE, errors: FORM },
    {
      method: "get",
      path: "/console/returns",
      summary: "Returns waiting for a decision, with approve and deny",
      security: ADMIN_PAGE,
      errors: OFF,
    },
    {
      method: "post",
      path: "/console/returns/{id}/approve",
      summary: "Approves a pending return (form)",
      security: ADMIN_PAGE,
      errors: FORM,
    },
    { method: "post", path: "/console/returns/{id}/deny", summary: "Denies a pending return (form)", security: ADMIN_PAGE, errors: FORM },
  );
  return out;
}
