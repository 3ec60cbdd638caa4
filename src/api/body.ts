// Request bodies. JSON is read whole (with a cap: the API is untrusted input)
// and parse errors are worded like dockerd's Go decoder where that is cheap.
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { InvalidArgumentError } from "../errors.js";

/** Far above any real create/exec body; stops a client from filling the daemon's memory. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

async function readAll(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_JSON_BYTES) throw new InvalidArgumentError(`request body is larger than ${MAX_JSON_BYTES} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** dockerd's CheckForJSON: a body, if any, must be declared as JSON. */
function checkContentType(req: IncomingMessage): void {
  const ct = req.headers["content-type"];
  if (ct === undefined || ct === "") return;
  const mediaType = ct.split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new InvalidArgumentError(`unsupported Content-Type header (${ct}): must be 'application/json'`);
  }
}

function jsonErrorText(text: string, err: SyntaxError): string {
  const trimmed = text.trimStart();
  if (trimmed === "") return "EOF";
  if (!/^[[{"\-0-9tfn]/.test(trimmed)) return `invalid character '${trimmed[0]}' looking for beginning of value`;
  // V8 reports a truncated document as an error at the position just past its end.
  const at = /at position (\d+)/.exec(err.message);
  if (/end of JSON input/i.test(err.message) || (at && Number(at[1]) >= text.length)) return "unexpected EOF";
  return err.message;
}

/** The request (for its headers) and its body (the request itself, except on upgrade requests). */
export interface JsonSource {
  req: IncomingMessage;
  body: Readable;
}

/**
 * Parses a JSON body. `optional` accepts an empty body as undefined (start,
 * exec start); otherwise an empty body is "invalid JSON: EOF" as in dockerd.
 */
export async function readJson({ req, body }: JsonSource, opts: { optional?: boolean } = {}): Promise<unknown> {
  const text = await readAll(body);
  if (opts.optional && text.trim() === "") return undefined;
  checkContentType(req);
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new InvalidArgumentError(`invalid JSON: ${jsonErrorText(text, err)}`);
  }
}

/** readJson for bodies that must be a JSON object. */
export async function readJsonObject(source: JsonSource, opts: { optional?: boolean } = {}): Promise<Record<string, unknown> | undefined> {
  const value = await readJson(source, opts);
  if (value === undefined || value === null) {
    if (opts.optional) return undefined;
    throw new InvalidArgumentError("invalid JSON: body must be a JSON object");
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidArgumentError(`json: cannot unmarshal ${goTypeName(value)} into Go value of type object`);
  }
  return value as Record<string, unknown>;
}

/** The JSON type names Go's decoder uses in "cannot unmarshal X into …". */
export function goTypeName(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "boolean") return "bool";
  return typeof value === "object" ? "object" : typeof value;
}
