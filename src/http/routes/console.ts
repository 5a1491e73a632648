// /console — the operator's live view (admin token) and a publisher's own view (its API key), as
// server-rendered pages that refresh themselves. Logging in sets an HttpOnly, SameSite=Strict cookie
// with a session that expires (who, until when, and an HMAC of both under the admin token): never the
// secret, nor anything stored in D1. Login attempts are rate limited per IP.
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { loadFigures, type Span } from "../../console/figures";
import { CONSOLE_JS, loginPage, overviewPage, sourcePage, tracePage, type CapRow } from "../../console/pages";
import { UPLOT_CSS, UPLOT_JS } from "../../console/uplot.generated";
import { hmacSha256Hex, sha256Hex, timingSafeEqualHex } from "../../lib/crypto";
import { hasCaps } from "../../services/caps";
import type { Source } from "../../rules/model";
import { router, type AppEnv } from "../context";
import { ApiError } from "../errors";
import { MIN_ADMIN_TOKEN } from "../middleware";
import { clientIp } from "../submission";

const ADMIN_COOKIE = "lg_admin";
const SOURCE_COOKIE = "lg_source";
const SESSION_S = 12 * 3600;
/** Pages reload themselves this often (seconds): live figures without a script of our own. */
const REFRESH_S = 15;
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'";

export const consoleRoutes = router();

function page(c: Context<AppEnv>, body: string | Promise<string>, status: 200 | 401 | 404 | 429 = 200, refresh = false) {
  c.header("content-security-policy", CSP);
  c.header("cache-control", "no-store");
  c.header("x-content-type-options", "nosniff");
  if (refresh) c.header("refresh", String(REFRESH_S));
  return c.html(body, status);
}

/** The admin token, when it is set and long enough: it signs sessions; without it there is no console. */
const adminToken = (c: Context<AppEnv>) => {
  const token = c.env.ADMIN_TOKEN;
  return token && token.length >= MIN_ADMIN_TOKEN ? token : null;
};

/** A session cookie: `<subject>.<expiry ms>.<HMAC(token, kind.subject.expiry)>`. */
async function mintSession(token: string, kind: string, subject: string, now = Date.now()): Promise<string> {
  const until = now + SESSION_S * 1000;
  return `${subject}.${until}.${await hmacSha256Hex(token, `${kind}.${subject}.${until}`)}`;
}

/** The session's subject, if the cookie is one we signed and it has not expired. */
async function sessionSubject(token: string, kind: string, cookie: string | undefined, now = Date.now()): Promise<string | undefined> {
  const m = /^([A-Za-z0-9_-]{1,64})\.(\d{13})\.([0-9a-f]{64})$/.exec(cookie ?? "");
  if (!m || Number(m[2]) < now) return undefined;
  return timingSafeEqualHex(m[3]!, await hmacSha256Hex(token, `${kind}.${m[1]}.${m[2]}`)) ? m[1] : undefined;
}

/** The admin session (cookie, or a Bearer token for scripts); the console does not exist without a token. */
const adminSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = adminToken(c);
  if (!token) throw new ApiError(404, "not_found", "not found");
  const bearer = c.req.header("authorization")?.replace(/^Bearer\s+/i, "");
  const ok = bearer
    ? timingSafeEqualHex(await sha256Hex(bearer), await sha256Hex(token))
    : (await sessionSubject(token, "admin", getCookie(c, ADMIN_COOKIE))) === "admin";
  if (!ok) return c.redirect("/console/login", 303);
  await next();
};

async function sourceSession(c: Context<AppEnv>): Promise<Source | undefined> {
  const token = adminToken(c);
  const id = token ? await sessionSubject(token, "source", getCookie(c, SOURCE_COOKIE)) : undefined;
  return id ? c.var.rules.sourcesById.get(id) : undefined;
}

const spanOf = (c: Context<AppEnv>): Span => (c.req.query("span") === "day" ? "day" : "hour");

/** Ten login attempts per minute per IP: a token can't be guessed through the form. */
async function loginAllowed(c: Context<AppEnv>): Promise<boolean> {
  const ip = clientIp(c) ?? "unknown";
  const v = await c.var.services.limits.check(`console-login`, [{ key: `login:${ip.slice(0, 64)}`, limit: 10, periodMs: 60_000 }]);
  return v.ok;
}

function startSession(c: Context<AppEnv>, name: string, value: string) {
  setCookie(c, name, value, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/console",
    secure: new URL(c.req.url).protocol === "https:",
    maxAge: SESSION_S,
  });
}

async function formToken(c: Context<AppEnv>): Promise<string> {
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const token = (form as Record<string, unknown>).token;
  return typeof token === "string" ? token.slice(0, 512) : "";
}

/**
 * The two logins, one mechanism: the admin's (the admin token) and a publisher's (its API key). The
 * secret is checked, then a signed session names who logged in (`subject` of the secret, or null).
 */
const LOGINS = {
  admin: {
    path: "/console/login",
    home: "/console",
    cookie: ADMIN_COOKIE,
    wrong: "That is not the admin token.",
    subject: async (c: Context<AppEnv>, token: string, secret: string) =>
      timingSafeEqualHex(await sha256Hex(secret), await sha256Hex(token)) ? "admin" : null,
  },
  source: {
    path: "/console/source/login",
    home: "/console/source",
    cookie: SOURCE_COOKIE,
    wrong: "Unknown API key.",
    subject: async (c: Context<AppEnv>, _token: string, secret: string) =>
      c.var.rules.sourcesByKeyHash.get(await sha256Hex(secret))?.id ?? null,
  },
} as const;

for (const kind of ["admin", "source"] as const) {
  const login = LOGINS[kind];
  consoleRoutes.get(login.path, (c) => {
    if (!adminToken(c)) throw new ApiError(404, "not_found", "not found");
    return page(c, loginPage(kind));
  });
  consoleRoutes.post(login.path, async (c) => {
    const token = adminToken(c);
    if (!token) throw new ApiError(404, "not_found", "not found");
    if (!(await loginAllowed(c))) return page(c, loginPage(kind, "Too many attempts; wait a minute."), 429);
    const subject = await login.subject(c, token, await formToken(c));
    if (!subject) return page(c, loginPage(kind, login.wrong), 401);
    startSession(c, login.cookie, await mintSession(token, kind, subject));
    return c.redirect(login.home, 303);
  });
}

consoleRoutes.get("/console/logout", (c) => {
  deleteCookie(c, ADMIN_COOKIE, { path: "/console" });
  deleteCookie(c, SOURCE_COOKIE, { path: "/console" });
  return c.redirect("/console/login", 303);
});

consoleRoutes.get("/console/source", async (c) => {
  const source = await sourceSession(c);
  if (!source) return c.redirect("/console/source/login", 303);
  const figures = await loadFigures(c.var.services.records, c.var.rules, spanOf(c), { sourceId: source.id });
  return page(c, sourcePage(source.name, figures), 200, true);
});

consoleRoutes.get("/console", adminSession, async (c) => {
  const { rules, services } = c.var;
  const capped = [...rules.contractsById.values()].filter(hasCaps);
  const [figures, caps] = await Promise.all([
    loadFigures(services.records, rules, spanOf(c)),
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
  return page(c, overviewPage(figures, caps), 200, true);
});

consoleRoutes.get("/console/leads/:id", adminSession, async (c) => {
  const id = c.req.param("id").slice(0, 64);
  const trace = await c.var.services.records.fullTrace(c.var.rules, id);
  if (!trace) return page(c, '<!doctype html><title>not found</title><p>No such lead. <a href="/console">Back</a></p>', 404);
  return page(c, tracePage(trace));
});

const asset = (body: string, type: string) => (c: Context<AppEnv>) => {
  c.header("content-type", type);
  c.header("cache-control", "public, max-age=3600");
  c.header("x-content-type-options", "nosniff");
  return c.body(body);
};
consoleRoutes.get("/console/assets/uplot.js", asset(UPLOT_JS, "text/javascript; charset=utf-8"));
consoleRoutes.get("/console/assets/uplot.css", asset(UPLOT_CSS, "text/css; charset=utf-8"));
consoleRoutes.get("/console/assets/console.js", asset(CONSOLE_JS, "text/javascript; charset=utf-8"));

/** The console's pages in the OpenAPI document (HTML, not part of the JSON API). */
export const CONSOLE_PATHS: { method: "get" | "post"; path: string; summary: string }[] = [
  { method: "get", path: "/console", summary: "The operator's live console (admin session)" },
  { method: "get", path: "/console/login", summary: "Console login page" },
  { method: "post", path: "/console/login", summary: "Console login (form field token = the admin token)" },
  { method: "get", path: "/console/logout", summary: "Ends the console session" },
  { method: "get", path: "/console/source", summary: "A publisher's own console (source session)" },
  { method: "get", path: "/console/source/login", summary: "Publisher console login page" },
  { method: "post", path: "/console/source/login", summary: "Publisher console login (form field token = the source's API key)" },
  { method: "get", path: "/console/leads/{id}", summary: "A lead's full trace (admin session)" },
  { method: "get", path: "/console/assets/uplot.js", summary: "The charting library (uPlot)" },
  { method: "get", path: "/console/assets/uplot.css", summary: "The charting library's styles" },
  { method: "get", path: "/console/assets/console.js", summary: "The console's chart script" },
];
