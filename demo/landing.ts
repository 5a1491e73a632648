// The demo's landing page, served by `npm start` on the demo source's allowed origin: a plain HTML
// form (no JavaScript needed) that posts straight to the gateway, and the thanks and sorry pages the
// gateway redirects to. The sorry page says in plain words what went wrong and which answers to
// check (the redirect names the fields, never their values), with the form again: a small script
// keeps what the person typed in the tab's sessionStorage, so it comes back filled in.
import { createServer, type Server } from "node:http";
import { DEMO_PUBLISHABLE_KEY } from "./constants.ts";
import { DEMO_FIELDS } from "./seed.ts";
import { TURNSTILE_DUMMY_TOKEN, TURNSTILE_TEST_SITEKEY } from "./turnstile-stub.ts";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><link rel="icon" href="data:,">
<style>
 body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1f2933}
 label{display:block;margin:.6rem 0 .2rem;font-weight:600} input,select{width:100%;padding:.45rem;font:inherit;box-sizing:border-box}
 button{margin-top:1.2rem;padding:.6rem 1.2rem;font:inherit;background:#0b6bcb;color:#fff;border:0;border-radius:4px}
 .note{color:#52606d;font-size:.9rem} .bad{color:#b42318} code{background:#f0f4f8;padding:0 .2rem}
 [aria-invalid=true]{border:2px solid #b42318} .hint{color:#b42318;font-size:.9rem;margin:.2rem 0 0}
</style></head><body>${body}</body></html>`;

type DemoField = (typeof DEMO_FIELDS)[number];

/** Example values, so a newcomer can submit at once (each load gets a fresh phone and email). */
function example(name: string): string {
  const n = Math.floor(Math.random() * 9000) + 1000;
  const values: Record<string, string> = {
    first_name: "Sam",
    last_name: "Roe",
    email: `sam.${n}@example.com`,
    phone: `(415) 555-${n}`,
    street: "1 Main St",
    zip: "94107",
    state: "CA",
    dob: "1985-01-02",
    vehicle_year: "2019",
  };
  return values[name] ?? "";
}

const label = (name: string) => name.replace(/_/g, " ");

/** What to fix in a field, in plain words. */
export function fieldHint(name: string): string {
  const f = DEMO_FIELDS.find((x) => x.name === name) as (DemoField & { min?: number; max?: number }) | undefined;
  switch (f?.type) {
    case "email":
      return "Enter an email address, like name@example.com.";
    case "phone":
      return "Enter a US phone number, like (415) 555-0100.";
    case "zip":
      return "Enter a 5-digit ZIP code.";
    case "state":
      return "Enter your state, like CA or California.";
    case "dob":
      return "Enter your date of birth, like 1985-01-02 (you must be 18 or older).";
    case "integer":
      return f.min !== undefined && f.max !== undefined ? `Enter a number from ${f.min} to ${f.max}.` : "Enter a whole number.";
    case undefined:
      return "Please check this answer.";
    default:
      return f && "required" in f && f.required ? "Please fill this in." : "Please check this answer.";
  }
}

function field(f: DemoField, wrong: ReadonlySet<string>): string {
  const invalid = wrong.has(f.name);
  const attrs = `id="${f.name}" name="${f.name}"${invalid ? ` aria-invalid="true" aria-describedby="hint-${f.name}"` : ""}`;
  const hint = invalid ? `<p class="hint" id="hint-${f.name}">${esc(fieldHint(f.name))}</p>` : "";
  const head = `<label for="${f.name}">${esc(label(f.name))}${"required" in f && f.required ? " *" : ""}</label>`;
  if (f.type === "enum" && "values" in f)
    return `${head}<select ${attrs}>${(f.values ?? []).map((v) => `<option${v === "good" ? " selected" : ""}>${esc(v)}</option>`).join("")}</select>${hint}`;
  if (f.type === "boolean")
    return `${head}<select ${attrs}><option value="true">yes</option><option value="false">no</option></select>${hint}`;
  return `${head}<input ${attrs} value="${esc(example(f.name))}">${hint}`;
}

/** Keeps the typed answers in this tab on submit, and puts them back on a page that asks (the sorry page). */
const KEEP_SCRIPT = `<script>(function () {
  var key = "leadgate-demo-form", form = document.querySelector("form[data-keep]");
  if (!form) return;
  try {
    var saved = JSON.parse(sessionStorage.getItem(key) || "null");
    if (saved && form.hasAttribute("data-restore")) for (var n in saved) { var el = form.elements[n]; if (el && el.type !== "hidden") el.value = saved[n]; }
  } catch (e) {}
  form.addEventListener("submit", function () {
    var o = {};
    for (var i = 0; i < form.elements.length; i++) { var el = form.elements[i]; if (el.name && el.type !== "hidden") o[el.name] = el.value; }
    try { sessionStorage.setItem(key, JSON.stringify(o)); } catch (e) {}
  });
})();</script>`;

function form(gatewayUrl: string, wrong: ReadonlySet<string> = new Set(), restore = false): string {
  return `<form method="post" action="${esc(gatewayUrl)}/v1/leads" data-keep${restore ? " data-restore" : ""}>
<input type="hidden" name="campaign" value="auto-insurance">
<input type="hidden" name="publishable_key" value="${DEMO_PUBLISHABLE_KEY}">
${DEMO_FIELDS.map((f) => field(f, wrong)).join("\n")}
<!-- Turnstile: online, the widget below (Cloudflare's always-pass test sitekey) fills in this token;
     the demo runs offline, so the token the test widget produces is given here. -->
<div class="cf-turnstile" data-sitekey="${TURNSTILE_TEST_SITEKEY}"></div>
<input type="hidden" name="cf-turnstile-response" value="${TURNSTILE_DUMMY_TOKEN}">
<button type="submit">Get my quote</button>
</form>${KEEP_SCRIPT}`;
}

export function formPage(gatewayUrl: string): string {
  return page(
    "Get a car insurance quote (leadgate demo)",
    `<h1>Get a car insurance quote</h1>
<p class="note">The leadgate demo's landing page: a plain HTML form posting to <code>${esc(gatewayUrl)}/v1/leads</code>
with the demo source's publishable key. Change a value to see a refusal (an email without <code>@</code>, say).</p>
${form(gatewayUrl)}`,
  );
}

const STATUS_TEXT: Record<string, string> = {
  accepted: "Thank you! Your request was received and is being matched with an insurer.",
  // One outcome for every lead not taken: the form's public key must not tell a duplicate from a suppressed consumer.
  declined: "We can't take this request.",
};

/** Each refusal in plain words: what a person can do about it. */
const ERROR_TEXT: Record<string, string> = {
  validation_failed: "Some answers need another look.",
  bot_check_failed: "We couldn't confirm the form was sent by a person. Please send it again.",
  rate_limited: "Too many requests from your network just now. Please wait a minute and send it again.",
  daily_quota_reached: "We can't take more requests today. Please try again tomorrow.",
  payload_too_large: "Some answers are too long. Please shorten them and send it again.",
  idempotency_conflict: "This request was already sent.",
};
const BUSY = "Our system is busy right now. Please send it again in a minute.";
const BROKEN = "This form isn't set up correctly, so it can't take requests. Please let the site know.";
const BUSY_CODES = new Set([
  "bot_check_unavailable",
  "limits_unavailable",
  "storage_unavailable",
  "campaign_misconfigured",
  "rules_unavailable",
  "gateway_misconfigured",
]);

export function errorText(code: string): string {
  if (ERROR_TEXT[code]) return ERROR_TEXT[code];
  if (BUSY_CODES.has(code)) return BUSY;
  return ["unauthorized", "origin_not_allowed", "campaign_not_allowed", "unknown_campaign"].includes(code)
    ? BROKEN
    : "Something went wrong. Please send it again.";
}

export function thanksPage(q: URLSearchParams): string {
  const status = q.get("status") ?? "accepted";
  return page(
    "Thank you",
    `<h1>Thank you</h1><p>${esc(STATUS_TEXT[status] ?? status)}</p>
<p class="note">lead <code>${esc(q.get("lead_id") ?? "?")}</code>, status <code>${esc(status)}</code></p><p><a href="/">Send another</a></p>
<script>try { sessionStorage.removeItem("leadgate-demo-form"); } catch (e) {}</script>`,
  );
}

export function sorryPage(q: URLSearchParams, gatewayUrl: string): string {
  const error = q.get("error");
  const fields = (q.get("fields") ?? "").split(",").filter(Boolean);
  if (!error)
    return page(
      "Sorry",
      `<h1>Sorry</h1><p>${esc(STATUS_TEXT[q.get("status") ?? ""] ?? "Something went wrong.")}</p><p><a href="/">Back to the form</a></p>`,
    );
  const check = fields.length
    ? `<p>Please check ${fields.length === 1 ? "this answer" : "these answers"}:</p><ul>${fields.map((f) => `<li><a href="#${esc(f)}">${esc(label(f))}</a>: ${esc(fieldHint(f))}</li>`).join("")}</ul>`
    : "";
  return page(
    "Sorry",
    `<h1>Sorry</h1><p class="bad" role="alert">${esc(errorText(error))}</p>${check}
<p class="note">Your answers are below as you typed them: correct them and send the form again.</p>
${form(gatewayUrl, new Set(fields), true)}`,
  );
}

/** Serves the landing page on 127.0.0.1:`port`; resolves with the server once listening. */
export async function serveLanding(port: number, gatewayUrl: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const html =
      url.pathname === "/"
        ? formPage(gatewayUrl)
        : url.pathname === "/thanks"
          ? thanksPage(url.searchParams)
          : url.pathname === "/sorry"
            ? sorryPage(url.searchParams, gatewayUrl)
            : null;
    res.writeHead(html ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
    res.end(html ?? page("Not found", "<h1>Not found</h1>"));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}
