// Returns in the console: the queue of returns waiting for a decision (oldest first) with approve and
// deny buttons (forms), and the latest decided ones.
import { html } from "hono/html";
import type { ListedReturn } from "../db/returns";
import { csrfField, dollars, layout, table, type Html } from "./layout";

const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

function decide(r: ListedReturn, csrf: string): Html {
  const button = (action: "approve" | "deny", label: string) =>
    html`<form method="post" action="/console/returns/${r.id}/${action}" class="inline">${csrfField(csrf)}<button type="submit" style="margin:0">${label}<span class="sr"> return ${r.id}</span></button></form>`;
  return html`<span class="actions">${button("approve", "Approve")}${button("deny", "Deny")}</span>`;
}

export function returnsPage(
  pending: ListedReturn[],
  decided: ListedReturn[],
  csrf: string,
  notice?: { kind: "note" | "alert"; text: string },
): Html {
  const queue = table(
    "pending-returns",
    ["return", "requested (UTC)", "lead", "contract", "reason", "note", "credit", "clawback", "decide"],
    pending,
    (r) => [
      r.id,
      when(r.created_at),
      html`<a href="/console/leads/${r.lead_id}">${r.lead_id}</a>`,
      html`<a href="/console/contracts/${r.contract_id}">${r.contract_id}</a>`,
      r.reason,
      { v: r.note ?? "", text: true },
      dollars(r.price_cents),
      dollars(r.clawback_cents),
      decide(r, csrf),
    ],
    "No return is waiting for a decision. Returns with a reason the contract approves on its own (return_auto_approve) never wait here.",
  );
  const recent = table(
    "decided-returns",
    ["return", "decided (UTC)", "lead", "contract", "reason", "status", "credit"],
    decided,
    (r) => [
      r.id,
      r.decided_at ? when(r.decided_at) : "–",
      html`<a href="/console/leads/${r.lead_id}">${r.lead_id}</a>`,
      r.contract_id,
      r.reason,
      { v: r.status, cls: r.status === "approved" ? "ok" : "bad" },
      dollars(r.price_cents),
    ],
    "No return has been decided yet.",
  );
  return layout(
    "Returns",
    html`<h2>Returns waiting for a decision</h2>${notice ? html`<p class="${notice.kind}" role="${notice.kind === "alert" ? "alert" : "status"}">${notice.text}</p>` : ""}
${queue}<p>Approving credits the buyer its price and, when the source's clawback is on, takes the source's payout back.</p>
<h2>Decided lately</h2>${recent}`,
    { admin: true, section: "/console/returns" },
  );
}
