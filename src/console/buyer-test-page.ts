// "Test this buyer" in the console: the form on a contract's page (where to send, whether to post,
// an optional test lead) and the result: exactly what was sent, what came back, and how leadgate read
// it — or why it could not.
import { html } from "hono/html";
import type { FieldError } from "../lib/errors";
import type { BuyerTestResult, Step } from "../pipeline/buyer-test";
import { csrfField, dollars, layout, table, type Html } from "./layout";

export interface TestForm {
  contractId: string;
  hasTestUrl: boolean;
  csrf: string;
  /** What was typed, on a refused test. */
  lead?: string;
  target?: string;
  post?: boolean;
  errors?: FieldError[];
}

export function buyerTestForm(f: TestForm): Html {
  const target = f.target ?? (f.hasTestUrl ? "test" : "live");
  return html`<h3 id="test">Test this buyer</h3>
<form method="post" action="/console/contracts/${f.contractId}/test">${csrfField(f.csrf)}
<fieldset class="group"><legend>Send a sample ping${f.hasTestUrl ? "" : " (no test URL set: only the live one)"}</legend>
<label style="font-weight:normal"><input type="radio" style="width:auto" name="target" value="test" ${target === "test" ? "checked" : ""} ${f.hasTestUrl ? "" : "disabled"}> to the buyer's test URL</label>
<label style="font-weight:normal"><input type="radio" style="width:auto" name="target" value="live" ${target === "live" ? "checked" : ""}> to its live URL</label>
<label style="font-weight:normal"><input type="checkbox" style="width:auto" name="post" ${f.post ? "checked" : ""}> then post the lead if it bids (the buyer may count it as a lead)</label>
<label for="lead">Test lead (JSON, optional)</label>
<textarea id="lead" name="lead" rows="4" aria-describedby="h-lead" placeholder='{"first_name": "Pat", "zip": "94107", …}'>${f.lead ?? ""}</textarea>
<small id="h-lead">Empty: a made-up lead (555 numbers, example.com), whose personal values are masked in the result. Nothing is recorded, capped or deduplicated; requests carry x-leadgate-test: 1.</small>
${(f.errors ?? []).map((e) => html`<p class="bad" role="alert"><code>${e.path}</code> ${e.message}</p>`)}
<button type="submit">Send the test</button></fieldset></form>`;
}

function stepBlock(title: string, s: Step): Html {
  const read = s.read;
  const verdict =
    read.outcome === "bid"
      ? html`<b class="ok">bid ${dollars(read.bid_cents ?? 0)}</b>${read.token ? html`, token <code>${read.token}</code>` : ""}`
      : read.outcome === "accepted"
        ? html`<b class="ok">accepted</b>${read.buyer_lead_id ? html`, the buyer's lead id <code>${read.buyer_lead_id}</code>` : ""}`
        : html`<b class="bad">${read.outcome}</b>: ${read.reason ?? ""}`;
  const headers = table(`${title}-headers`, ["header", "value"], Object.entries(s.sent.headers), ([k, v]) => [k, { v, text: true }]);
  return html`<h3>${title}</h3><p>Read as: ${verdict}</p>
<p><b>Sent</b>: <code>${s.sent.method} ${s.sent.url}</code></p>${headers}<pre>${s.sent.body || "(no body)"}</pre>
<p><b>Answer</b>: ${s.answer.error ? html`<span class="bad">${s.answer.error}</span>` : html`HTTP ${s.answer.status}, ${s.answer.content_type || "no content type"}`}, ${s.answer.latency_ms} ms</p>
${s.answer.body !== null ? html`<pre>${s.answer.body || "(empty)"}</pre>` : ""}`;
}

export function buyerTestPage(r: BuyerTestResult, form: TestForm): Html {
  return layout(
    `Test of ${r.contract}`,
    html`<h2>Test of contract <a href="/console/contracts/${r.contract}">${r.contract}</a> (${r.target} URL)</h2>
<p>${r.lead_supplied ? "Sent with your test lead." : "Sent with a made-up lead; its personal values are shown as •••."}</p>
${r.notes.map((n) => html`<p class="note">${n}</p>`)}
${r.ping ? stepBlock("Ping", r.ping) : ""}${r.post ? stepBlock("Post", r.post) : ""}
${buyerTestForm(form)}`,
    { admin: true, section: "/console/contracts" },
  );
}
