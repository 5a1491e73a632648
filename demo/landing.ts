// The demo's landing page, served by `npm start` on the demo source's allowed origin: a plain HTML
// form (no JavaScript needed) that posts straight to the gateway, and the thanks and sorry pages the
// gateway redirects to, which show the outcome and, for a refusal, which fields were wrong.
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
</style></head><body>${body}</body></html>`;

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

function field(f: (typeof DEMO_FIELDS)[number]): string {
  const label = `<label for="${f.name}">${esc(f.name.replace(/_/g, " "))}${"required" in f && f.required ? " *" : ""}</label>`;
  if (f.type === "enum" && "values" in f)
    return `${label}<select id="${f.name}" name="${f.name}">${(f.values ?? []).map((v) => `<option${v === "good" ? " selected" : ""}>${esc(v)}</option>`).join("")}</select>`;
  if (f.type === "boolean")
    return `${label}<select id="${f.name}" name="${f.name}"><option value="true">yes</option><option value="false">no</option></select>`;
  return `${label}<input id="${f.name}" name="${f.name}" value="${esc(example(f.name))}">`;
}

export function formPage(gatewayUrl: string): string {
  return page(
    "Get a car insurance quote (leadgate demo)",
    `<h1>Get a car insurance quote</h1>
<p class="note">The leadgate demo's landing page: a plain HTML form posting to <code>${esc(gatewayUrl)}/v1/leads</code>
with the demo source's publishable key. Change a value to see a refusal (an email without <code>@</code>, say).</p>
<form method="post" action="${esc(gatewayUrl)}/v1/leads">
<input type="hidden" name="campaign" value="auto-insurance">
<input type="hidden" name="publishable_key" value="${DEMO_PUBLISHABLE_KEY}">
${DEMO_FIELDS.map(field).join("\n")}
<!-- Turnstile: online, the widget below (Cloudflare's always-pass test sitekey) fills in this token;
     the demo runs offline, so the token the test widget produces is given here. -->
<div class="cf-turnstile" data-sitekey="${TURNSTILE_TEST_SITEKEY}"></div>
<input type="hidden" name="cf-turnstile-response" value="${TURNSTILE_DUMMY_TOKEN}">
<button type="submit">Get my quote</button>
</form>`,
  );
}

const STATUS_TEXT: Record<string, string> = {
  accepted: "Thank you! Your request was received and is being matched with an insurer.",
  // One outcome for every lead not taken: the form's public key must not tell a duplicate from a suppressed consumer.
  declined: "We can't take this request.",
};

export function thanksPage(q: URLSearchParams): string {
  const status = q.get("status") ?? "accepted";
  return page(
    "Thank you",
    `<h1>Thank you</h1><p>${esc(STATUS_TEXT[status] ?? status)}</p>
<p class="note">lead <code>${esc(q.get("lead_id") ?? "?")}</code>, status <code>${esc(status)}</code></p><p><a href="/">Send another</a></p>`,
  );
}

export function sorryPage(q: URLSearchParams): string {
  const error = q.get("error");
  const fields = (q.get("fields") ?? "").split(",").filter(Boolean);
  const why = error
    ? `<p class="bad">The request was refused: <code>${esc(error)}</code>.</p>${
        fields.length ? `<p>Please check: <ul>${fields.map((f) => `<li><code>${esc(f)}</code></li>`).join("")}</ul></p>` : ""
      }`
    : `<p>${esc(STATUS_TEXT[q.get("status") ?? ""] ?? "Something went wrong.")}</p>`;
  return page(
    "Sorry",
    `<h1>Sorry</h1>${why}<p class="note">lead <code>${esc(q.get("lead_id") ?? "none")}</code></p><p><a href="/">Back to the form</a></p>`,
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
            ? sorryPage(url.searchParams)
            : null;
    res.writeHead(html ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
    res.end(html ?? page("Not found", "<h1>Not found</h1>"));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}
