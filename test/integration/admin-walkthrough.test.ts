// docs/ADMIN.md's walkthrough, run as written (issue #26): the curl calls of its rules API section,
// against the worker, with the demo buyers' address swapped for the test's — a buyer and a contract
// made, a Texas lead sold to it at its URL's bid, its floor raised with If-Match, the change in the
// audit trail and undone.
import { env } from "cloudflare:workers";
import { beforeEach, expect, it } from "vitest";
import adminGuide from "../../docs/ADMIN.md?raw";
import { gateway, leadReaches, seedDemo, setBuyers } from "../support/helpers";

const DOC_BUYERS = "http://127.0.0.1:8790";

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** The section's curl commands, as requests: method, path, headers and body, with $ADMIN expanded. */
function curls(section: string): Call[] {
  // The guide's token is npm start's local one; the test worker has its own.
  const admin = /^ADMIN="([^"]+)"/m.exec(section)![1]!.replace(/Bearer \S+/, `Bearer ${env.ADMIN_TOKEN}`);
  // A command runs on over a trailing backslash, and inside a quoted body.
  const commands: string[] = [];
  let open = "";
  for (const line of section.split("\n")) {
    if (!open && !line.startsWith("curl ")) continue;
    open = open ? `${open} ${line.trim()}` : line;
    if (open.endsWith("\\")) open = open.slice(0, -1);
    else if ((open.match(/'/g) ?? []).length % 2 === 0) {
      commands.push(open);
      open = "";
    }
  }
  return commands.map((cmd) => {
    const method = /-X (\w+)/.exec(cmd)?.[1] ?? (cmd.includes(" -d ") ? "POST" : "GET");
    const path = /'?http:\/\/127\.0\.0\.1:8787([^\s']+)'?/.exec(cmd)![1]!;
    const headers: Record<string, string> = {};
    for (const m of cmd.matchAll(/-H (?:'([^']+)'|"([^"]+)")/g)) {
      const h = (m[1] ?? m[2]!).replace("$ADMIN", admin);
      headers[h.slice(0, h.indexOf(":")).toLowerCase()] = h.slice(h.indexOf(":") + 1).trim();
    }
    const body = /-d '([^']*)'/.exec(cmd)?.[1]?.replaceAll(DOC_BUYERS, env.BUYERS_URL);
    return { method, path, headers, body };
  });
}

beforeEach(async () => {
  await seedDemo();
  await setBuyers({}); // the demo buyers bid nothing here: whatever sells, sells to the walkthrough's contract
});

it("docs/ADMIN.md's rules API walkthrough works end to end", async () => {
  const start = adminGuide.indexOf("## The rules API");
  const section = adminGuide.slice(start, adminGuide.indexOf("\n## ", start + 1));
  const calls = curls(section);
  expect(calls.map((c) => `${c.method} ${c.path.split("?")[0]}`)).toEqual([
    "POST /admin/buyers",
    "POST /admin/contracts",
    "POST /v1/leads",
    "PATCH /admin/contracts/ct_acme_auto",
    "GET /admin/audit",
    "POST /admin/audit/<id>/revert",
  ]);
  const send = (c: Call) => gateway(c.path, { method: c.method, headers: c.headers, body: c.body });
  expect((await send(calls[0]!)).status).toBe(201);
  expect((await send(calls[1]!)).status).toBe(201);
  const lead = await (await send(calls[2]!)).json<{ lead_id: string; status: string; buyer: string; price: number }>();
  expect(lead).toMatchObject({ status: "sold", buyer: "Acme Insurance", price: 25 });
  await leadReaches(lead.lead_id, ["sold"]);
  const raised = await send(calls[3]!);
  expect(raised.status).toBe(200);
  expect(await raised.json()).toMatchObject({ min_bid_cents: 1200, version: 2 });
  const trail = await (await send(calls[4]!)).json<{ items: { id: number; changes: { column: string }[] }[] }>();
  expect(trail.items[0]!.changes.map((c) => c.column)).toEqual(["min_bid_cents"]);
  const undo = await send({ ...calls[5]!, path: calls[5]!.path.replace("<id>", String(trail.items[0]!.id)) });
  expect(undo.status).toBe(200);
  expect((await env.DB.prepare("SELECT min_bid_cents FROM contracts WHERE id = 'ct_acme_auto'").first())!.min_bid_cents).toBe(500);
});
