// Reads a lead submission body of any accepted content type into a flat record, enforcing the size limit.
import { readCapped } from "../lib/stream";
import { ApiError } from "./errors";

export type BodyKind = "json" | "form" | "multipart";

export function bodyKind(contentType: string | undefined): BodyKind {
  const ct = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (ct === "application/json") return "json";
  if (ct === "application/x-www-form-urlencoded") return "form";
  if (ct === "multipart/form-data") return "multipart";
  throw new ApiError(415, "unsupported_media_type", "send application/json, application/x-www-form-urlencoded or multipart/form-data");
}

async function readLimited(req: Request, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  const tooLarge = () => new ApiError(413, "payload_too_large", `body larger than ${max} bytes`);
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  const bytes = await readCapped(req.body, max);
  if (!bytes) throw tooLarge();
  return bytes;
}

/** The raw body as text, at most `max` bytes (413 above). */
export async function readBodyText(req: Request, max: number): Promise<string> {
  return new TextDecoder().decode(await readLimited(req, max));
}

/** Parses the body; values of repeated keys keep the first. Files in multipart bodies are refused. */
export async function readSubmission(req: Request, kind: BodyKind, max: number): Promise<Record<string, unknown>> {
  const bytes = await readLimited(req, max);
  const text = new TextDecoder().decode(bytes);
  if (kind === "json") {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ApiError(400, "malformed_json", "the body is not valid JSON");
    }
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new ApiError(400, "malformed_json", "the body must be a JSON object of lead fields");
    return value as Record<string, unknown>;
  }
  let entries: Iterable<[string, string | File]>;
  if (kind === "form") entries = new URLSearchParams(text);
  else {
    try {
      entries = await new Response(bytes, { headers: { "content-type": req.headers.get("content-type") ?? "" } }).formData();
    } catch {
      throw new ApiError(400, "malformed_form", "the multipart body could not be parsed");
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    if (typeof v !== "string") throw new ApiError(400, "malformed_form", `field "${k}" is a file; leads take text fields only`);
    if (!(k in out)) out[k] = v;
  }
  return out;
}
