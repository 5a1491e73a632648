// Reads a lead submission body of any accepted content type into a flat record, enforcing the size
// limit and the text encoding: the body is decoded strictly in its declared charset (UTF-8 when none
// is declared), so bytes that are not text in that charset, or escapes that make ill-formed text (a
// lone surrogate), are refused with a 400 naming the problem — never stored or sent to a buyer.
import { readCapped } from "../lib/stream";
import { ApiError } from "./errors";

export type BodyKind = "json" | "form" | "multipart";

/** Charsets a body may declare; anything else is refused (415) rather than guessed at. */
const CHARSETS: ReadonlyMap<string, string> = new Map([
  ["utf-8", "utf-8"],
  ["utf8", "utf-8"],
  ["us-ascii", "utf-8"], // ASCII is a subset of UTF-8
  ["iso-8859-1", "latin1"],
  ["latin1", "latin1"],
  ["windows-1252", "windows-1252"],
]);

const ACCEPTED_TYPES = "application/json, application/x-www-form-urlencoded or multipart/form-data";

export function bodyKind(contentType: string | undefined): BodyKind {
  const ct = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (ct === "application/json") return "json";
  if (ct === "application/x-www-form-urlencoded") return "form";
  if (ct === "multipart/form-data") return "multipart";
  // Say what came, not only what is wanted: the sender sees at once which header is off.
  const received = ct ? `Content-Type ${ct.slice(0, 80)}` : "no Content-Type";
  throw new ApiError(415, "unsupported_media_type", `received ${received}; send ${ACCEPTED_TYPES}`);
}

/**
 * JSON sent as a form: curl's `-d` without `-H 'content-type: application/json'` labels any body
 * urlencoded, which would parse as one odd field and end in "campaign is required". Said plainly.
 */
function refuseJsonAsForm(text: string): void {
  if (/^\s*[[{]/.test(text))
    throw new ApiError(
      415,
      "unsupported_media_type",
      "received a JSON body labelled application/x-www-form-urlencoded (curl -d's default); send it with Content-Type: application/json",
    );
}

/** The charset the Content-Type declares, as a decoder label (UTF-8 when none is declared). */
function charsetOf(contentType: string | null): string {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "");
  if (!m) return "utf-8";
  const label = CHARSETS.get(m[1]!.toLowerCase());
  if (!label) throw new ApiError(415, "unsupported_media_type", `charset ${m[1]!.slice(0, 40)} is not supported; send UTF-8`);
  return label;
}

const WINDOWS_1252_HIGH = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ";

/** Bytes as text in `charset`; a byte sequence that is not text in it is a 400. */
function decode(bytes: Uint8Array, charset: string): string {
  if (charset === "latin1") return String.fromCharCode(...bytes);
  if (charset === "windows-1252")
    return Array.from(bytes, (b) => (b >= 0x80 && b <= 0x9f ? WINDOWS_1252_HIGH[b - 0x80]! : String.fromCharCode(b))).join("");
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, "invalid_encoding", "the body is not valid UTF-8 (declare its charset, e.g. charset=iso-8859-1)");
  }
}

const decodesCleanly = (bytes: Uint8Array) => {
  try {
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

async function readLimited(req: Request, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  const tooLarge = () => new ApiError(413, "payload_too_large", `body larger than ${max} bytes`);
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  const bytes = await readCapped(req.body, max);
  if (!bytes) throw tooLarge();
  return bytes;
}

/** The raw body as text, at most `max` bytes (413 above), strictly decoded (400 if it is not text). */
export async function readBodyText(req: Request, max: number): Promise<string> {
  return decode(await readLimited(req, max), charsetOf(req.headers.get("content-type")));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Every string in a parsed JSON value is well-formed Unicode (JSON escapes can encode lone surrogates). */
function assertWellFormed(value: unknown, path: string): void {
  if (typeof value === "string") {
    if (LONE_SURROGATE.test(value)) throw new ApiError(400, "invalid_encoding", `${path} holds ill-formed Unicode (a lone surrogate)`);
  } else if (Array.isArray(value)) value.forEach((v, i) => assertWellFormed(v, `${path}[${i}]`));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      assertWellFormed(k, path);
      assertWellFormed(v, path === "body" ? k : `${path}.${k}`);
    }
}

/** `a=1&b=%C3%A9`, percent-decoded strictly in the body's charset (URLSearchParams would guess at bad bytes). */
function parseUrlEncoded(text: string, charset: string): [string, string][] {
  const part = (s: string) => {
    const bytes: number[] = [];
    const raw = s.replace(/\+/g, " ");
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === "%" && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
        bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(...new TextEncoder().encode(raw[i]));
    }
    return decode(Uint8Array.from(bytes), charset);
  };
  return text
    .split("&")
    .filter(Boolean)
    .map((pair): [string, string] => {
      const eq = pair.indexOf("=");
      return eq < 0 ? [part(pair), ""] : [part(pair.slice(0, eq)), part(pair.slice(eq + 1))];
    });
}

function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "malformed_json", "the body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ApiError(400, "malformed_json", "the body must be a JSON object of lead fields");
  assertWellFormed(value, "body");
  return value as Record<string, unknown>;
}

/** Parses the body; values of repeated keys keep the first. Files in multipart bodies are refused. */
export async function readSubmission(req: Request, kind: BodyKind, max: number): Promise<Record<string, unknown>> {
  const bytes = await readLimited(req, max);
  const charset = charsetOf(req.headers.get("content-type"));
  if (kind === "json") return parseJsonObject(decode(bytes, charset));
  let entries: Iterable<[string, string | File]>;
  if (kind === "form") {
    const text = decode(bytes, charset);
    refuseJsonAsForm(text);
    entries = parseUrlEncoded(text, charset);
  } else {
    try {
      entries = await new Response(bytes, { headers: { "content-type": req.headers.get("content-type") ?? "" } }).formData();
    } catch {
      throw new ApiError(400, "malformed_form", "the multipart body could not be parsed");
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    if (typeof v !== "string") throw new ApiError(400, "malformed_form", `field "${k}" is a file; leads take text fields only`);
    // A multipart part that was not valid UTF-8 was decoded with replacement characters: refuse it.
    if (kind === "multipart" && v.includes("\uFFFD") && !decodesCleanly(bytes))
      throw new ApiError(400, "invalid_encoding", `field "${k.slice(0, 64)}" is not valid UTF-8`);
    if (!(k in out)) out[k] = v;
  }
  return out;
}
