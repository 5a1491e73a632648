// Mock buyers: real HTTP endpoints on loopback, one server hosting any number of buyers by path.
//   POST /b/<name>/ping, POST /b/<name>/post  — the buyer's endpoints (native JSON, form, a raw answer,
//                                               or a platform's own: ./platform-answers.ts)
//   POST /b/<name>/ping, POST /b/<name>/post  — the buyer's endpoints. A name with no behaviour
//                                               set answers with the server's fallback (npm start:
//                                               bids $10, accepts), and `?bid=<dollars>` or
//                                               `?post=reject` on the URL set the answer of any name,
//                                               so a contract an admin adds works without code.
//   POST /b/<name>/deletion                   — its deletion-notice endpoint (a contract's deletion_url)
//   PUT  /control/<name>                      — set a buyer's behaviour (JSON Behaviour)
//   GET  /control/<name>/requests             — what the buyer received (for assertions)
//   DELETE /control                           — forget all behaviours and requests
//   POST /trustedform/<cert id>[/check_in]    — TrustedForm's Certificate API v4 and its check-in,
//                                               stubbed (./trustedform-stub.ts: the answer by cert
//                                               id); recorded as "_trustedform"
//   GET  /leadid/Authenticate?lac=…&id=…      — Jornaya's Authenticate API, stubbed
//                                               (./jornaya-stub.ts: the answer by token);
//                                               recorded as "_jornaya"
//   POST /tcpa/scrub/phone/, GET /dncscrub/v1.5/Scrub/litigator, GET /blacklist/lookup,
//   POST /validator/validate                 — the scrub vendors, stubbed (./scrub-stubs.ts);
//                                               recorded as "_tcpa", "_dncscrub", "_blacklist", "_validator"
//   GET  /cdn-cgi/access/certs                — Cloudflare Access's signing keys (a JWKS), stubbed:
//                                               whatever was last PUT to /control/_access
//   POST /turnstile/v0/siteverify             — Turnstile's siteverify, stubbed (./turnstile-stub.ts);
//                                               its calls are recorded as buyer "_turnstile", whose
//                                               `ping` behaviour (hang, error_500) makes it fail
// Used by `npm start` (demo buyers), the vitest globalSetup and the benchmark.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Behaviour, ReceivedRequest } from "./constants";
import { authenticate } from "./jornaya-stub";
import { certificateCheckIn, certificateOperations } from "./trustedform-stub";
import { platformAnswer } from "./platform-answers";
import { blacklistLookup, dncScrub, tcpaScrub, validate, type StubAnswer } from "./scrub-stubs";
import { siteverify } from "./turnstile-stub";

/** The name the stubbed siteverify's calls are recorded (and its behaviour set) under. */
export const TURNSTILE = "_turnstile";
/** Likewise for the TrustedForm and Jornaya stubs' calls. */
export const TRUSTEDFORM = "_trustedform";
export const JORNAYA = "_jornaya";
/** The scrub stubs' calls (./scrub-stubs.ts). */
export const SCRUB_STUBS = { tcpa: "_tcpa", dncscrub: "_dncscrub", blacklist: "_blacklist", validator: "_validator" } as const;

export type { Behaviour, ReceivedRequest };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first field of a post (form or flat JSON) that does not look as the buyer insists, as a reason. */
function unmetRequirement(requires: Record<string, string> | undefined, body: string): string | undefined {
  if (!requires) return undefined;
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(body) as Record<string, unknown>;
  } catch {
    fields = Object.fromEntries(new URLSearchParams(body));
  }
  for (const [name, pattern] of Object.entries(requires))
    if (!new RegExp(`^(?:${pattern})$`).test(String(fields[name] ?? ""))) return `${name} must match ${pattern}`;
  return undefined;
}

/** `?bid=25.5` and `?post=reject|accept` in a contract's URL: the answer chosen by the URL itself. */
function fromQuery(q: URLSearchParams): Behaviour {
  const out: Behaviour = {};
  const bid = Number(q.get("bid") ?? NaN);
  if (Number.isFinite(bid) && bid >= 0) out.bid = bid;
  const post = q.get("post");
  if (post === "reject" || post === "accept") out.post = post;
  return out;
}

export class MockBuyers {
  readonly behaviours = new Map<string, Behaviour>();
  readonly received = new Map<string, ReceivedRequest[]>();
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();

  /** The key set the Access stub serves (tests put their own public key here). */
  private accessKeys = '{"keys":[]}';
  /** How a buyer name nobody configured answers (none: no bid, as the tests expect of unset buyers). */
  private readonly fallback: Behaviour;

  constructor(defaults: Record<string, Behaviour> = {}, opts: { fallback?: Behaviour } = {}) {
    for (const [k, v] of Object.entries(defaults)) this.behaviours.set(k, v);
    this.fallback = opts.fallback ?? {};
  }

  async listen(port: number, host = "127.0.0.1"): Promise<number> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const addr = this.server.address();
    return typeof addr === "object" && addr ? addr.port : port;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A scrub vendor's stub answer for this request, if it is one. */
  private scrubStub(parts: string[], method: string, query: URLSearchParams, body: string, header: (h: string) => string) {
    const path = parts.join("/");
    let answer: StubAnswer | undefined;
    let name: string = SCRUB_STUBS.tcpa;
    if (method === "POST" && path === "tcpa/scrub/phone") answer = tcpaScrub(header("authorization"), body);
    else if (method === "GET" && path === "dncscrub/v1.5/Scrub/litigator")
      [name, answer] = [SCRUB_STUBS.dncscrub, dncScrub(header("loginid"), query)];
    else if (method === "GET" && path === "blacklist/lookup") [name, answer] = [SCRUB_STUBS.blacklist, blacklistLookup(query)];
    else if (method === "POST" && path === "validator/validate")
      [name, answer] = [SCRUB_STUBS.validator, validate(header("authorization"), body)];
    return answer ? { name, answer } : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const parts = url.pathname.split("/").filter(Boolean);
    const send = (status: number, payload: string, type = "application/json", headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...headers, "content-type": type, "content-length": String(Buffer.byteLength(payload)) });
      res.end(payload);
    };
    const record = (name: string, kind: ReceivedRequest["kind"]) => {
      const log = this.received.get(name) ?? [];
      if (log.length < 1000)
        log.push({
          kind,
          method: req.method ?? "",
          path: req.url ?? "",
          headers: req.headers as Record<string, string>,
          body,
          at: Date.now(),
        });
      this.received.set(name, log);
    };
    const hang = () => {
      this.hanging.add(res);
      res.on("close", () => this.hanging.delete(res));
    };
    if (url.pathname === "/control/_access" && req.method === "PUT") {
      this.accessKeys = body;
      return send(204, "");
    }
    if (url.pathname === "/cdn-cgi/access/certs" && req.method === "GET") return send(200, this.accessKeys);
    if (parts[0] === "control") {
      const name = parts[1];
      if (req.method === "DELETE") {
        this.behaviours.clear();
        this.received.clear();
        return send(204, "");
      }
      if (!name) return send(404, "{}");
      if (req.method === "PUT") {
        this.behaviours.set(name, JSON.parse(body || "{}") as Behaviour);
        this.received.delete(name);
        return send(204, "");
      }
      if (parts[2] === "requests") return send(200, JSON.stringify(this.received.get(name) ?? []));
      return send(404, "{}");
    }
    if (parts[0] === "trustedform" && req.method === "POST" && parts[1]) {
      record(TRUSTEDFORM, "post");
      const header = (h: string) => String(req.headers[h] ?? "");
      const a =
        parts[2] === "check_in"
          ? certificateCheckIn(parts[1], header("authorization"))
          : certificateOperations(parts[1], header("authorization"), header("api-version"), body);
      return send(a.status, JSON.stringify(a.body));
    }
    if (parts[0] === "leadid" && parts[1] === "Authenticate" && req.method === "GET") {
      record(JORNAYA, "ping");
      const a = authenticate(url.searchParams);
      return a === "hang" ? hang() : send(a.status, JSON.stringify(a.body));
    }
    const stub = this.scrubStub(parts, req.method ?? "", url.searchParams, body, (h) => String(req.headers[h] ?? ""));
    if (stub) {
      record(stub.name, "ping");
      return stub.answer === "hang" ? hang() : send(stub.answer.status, JSON.stringify(stub.answer.body));
    }
    if (parts[0] === "turnstile" && req.method === "POST") {
      const b = this.behaviours.get(TURNSTILE) ?? {};
      record(TURNSTILE, "ping");
      if (b.ping === "hang") return hang();
      if (b.ping === "error_500") return send(500, "{}");
      return send(200, JSON.stringify(siteverify(body, String(req.headers["content-type"] ?? ""))));
    }
    if (parts[0] === "b" && parts[1] && parts[2] === "deletion" && req.method === "POST") {
      record(parts[1], "deletion");
      const failing = this.behaviours.get(parts[1])?.deletion === "error_500";
      return failing ? send(500, JSON.stringify({ error: "boom" })) : send(200, JSON.stringify({ deleted: true }));
    }
    if (parts[0] !== "b" || !parts[1] || (parts[2] !== "ping" && parts[2] !== "post")) return send(404, "{}");
    const name = parts[1];
    const kind = parts[2];
    const b = { ...(this.behaviours.get(name) ?? this.fallback), ...fromQuery(url.searchParams) };
    record(name, kind);
    await sleep(kind === "ping" ? (b.pingLatencyMs ?? 0) : (b.postLatencyMs ?? 0));
    const mode = kind === "ping" ? (b.ping ?? "bid") : (b.post ?? "accept");
    switch (mode) {
      case "hang":
        return hang();
      case "endless":
        // A 200 whose body never ends: only a reader with a size cap gets out before its timeout.
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"result":"pass","pad":"');
        this.hanging.add(res);
        res.on("close", () => this.hanging.delete(res));
        void (async () => {
          while (!res.destroyed && this.hanging.has(res)) {
            if (!res.write("x".repeat(16_384))) await new Promise((r) => res.once("drain", r).once("close", r));
            await sleep(5);
          }
        })();
        return;
      case "reset":
        // The connection drops mid-answer: headers sent, the body cut short.
        res.writeHead(200, { "content-type": "application/json", "content-length": "64" });
        res.write('{"accepted":');
        setTimeout(() => res.socket?.end(), 5);
        return;
      case "garbage":
        return send(200, "\u0000\u0001not json at all{{{", "application/octet-stream");
      case "html":
        return send(200, "<html><body>Service temporarily unavailable</body></html>", "text/html");
      case "error_500":
        return send(500, JSON.stringify({ error: "boom" }));
      case "huge":
        return send(200, JSON.stringify({ bid: 5, pad: "x".repeat(200_000) }));
      case "no_bid_204":
        return send(204, "");
    }
    const raw = kind === "ping" ? b.pingAnswer : b.postAnswer;
    if (raw) return send(raw.status ?? 200, raw.body, raw.type ?? "text/plain", raw.headers);
    if (b.platform) {
      const reject = mode === "reject" || (b.rejectRate !== undefined && Math.random() < b.rejectRate);
      const a = platformAnswer(b.platform, { kind, body, contentType: String(req.headers["content-type"] ?? ""), name, reject }, b);
      return send(a.status ?? 200, a.body, a.type ?? "text/plain");
    }
    if (kind === "ping") {
      let bid = b.bid ?? 0;
      const jitter = b.bidSpread ? (Math.random() * 2 - 1) * b.bidSpread : 0;
      if (typeof bid === "number" && b.bidSpread) bid = Math.max(0, Math.round((bid + jitter) * 100) / 100);
      const shared = b.sharedBid === undefined ? {} : { shared_bid: Math.max(0, Math.round((b.sharedBid + jitter / 2) * 100) / 100) };
      const bidId = b.bidId ?? `${name}-${Date.now().toString(36)}`;
      if (b.format === "form")
        return send(
          200,
          new URLSearchParams({ result: "ok", price: String(bid), token: bidId }).toString(),
          "application/x-www-form-urlencoded",
        );
      return send(200, JSON.stringify({ bid, ...shared, bid_id: bidId }));
    }
    const unmet = kind === "post" ? unmetRequirement(b.requires, body) : undefined;
    if (unmet) return send(200, JSON.stringify({ accepted: false, reason: unmet }));
    const reject = mode === "reject" || (b.rejectRate !== undefined && Math.random() < b.rejectRate);
    if (b.format === "form")
      return send(
        200,
        new URLSearchParams(
          reject ? { status: "REJECTED", msg: b.rejectReason ?? "not interested" } : { status: "ACCEPTED", lead_ref: `${name}-lead` },
        ).toString(),
        "application/x-www-form-urlencoded",
      );
    return send(
      200,
      JSON.stringify(
        reject
          ? { accepted: false, reason: b.rejectReason ?? "not interested" }
          : { accepted: true, buyer_lead_id: `${name}-${Date.now().toString(36)}` },
      ),
    );
  }
}
