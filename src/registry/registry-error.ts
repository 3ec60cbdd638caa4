// What a registry says when it refuses: the status, the OCI error entries of
// its body ({"errors":[{"code","message","detail"}]}, or a token server's
// {"details": "..."}) and the RFC 6750 error of a Bearer challenge. The client
// throws the typed kinds of errors.ts with Docker's wording and keeps this
// record as the `cause`, so image/pull.ts can choose dockerd's message from
// the codes (DENIED → "pull access denied for …", MANIFEST_UNKNOWN …).
import type { IncomingMessage } from "node:http";
import {
  BerthError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  SystemError,
  UnauthorizedError,
  UnavailableError,
} from "../errors.js";
import { parseChallenges } from "./challenge.js";
import { readBody } from "./http.js";

export interface RegistryErrorEntry {
  /** The registry's code as sent ("MANIFEST_UNKNOWN", "DENIED", "UNAUTHORIZED"…). */
  code: string;
  message: string;
  detail?: unknown;
}

export class RegistryResponseError extends Error {
  constructor(
    readonly status: number,
    readonly errors: RegistryErrorEntry[],
  ) {
    super(formatRegistryErrors(errors) || `received unexpected HTTP status: ${status}`);
    this.name = "RegistryResponseError";
  }
}

/** The registry's answer behind a thrown error, found along the `cause` chain. */
export function registryErrorOf(err: unknown): RegistryResponseError | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof RegistryResponseError) return e;
  }
  return undefined;
}

/** "MANIFEST_UNKNOWN" + "manifest unknown" → "manifest unknown: manifest unknown", as errcode prints. */
export function formatRegistryError(entry: RegistryErrorEntry): string {
  const code = entry.code.toLowerCase().replace(/_/g, " ");
  return entry.message ? `${code}: ${entry.message}` : code;
}

/** errcode.Errors' text: one error alone, several as an "errors:" list. */
export function formatRegistryErrors(errors: RegistryErrorEntry[]): string {
  if (errors.length === 0) return "";
  if (errors.length === 1) return formatRegistryError(errors[0]!);
  return `errors:\n${errors.map((e) => `${formatRegistryError(e)}\n`).join("")}`;
}

const ERROR_BODY_LIMIT = 1 << 20;

/** Reads a failed response (body and challenges) into a RegistryResponseError. */
export async function readRegistryError(res: IncomingMessage): Promise<RegistryResponseError> {
  const errors: RegistryErrorEntry[] = [];
  // A Bearer challenge may name the failure (RFC 6750 §3.1); distribution's
  // client puts it before the body's own errors, and so do we.
  for (const c of parseChallenges(res.headersDistinct["www-authenticate"])) {
    if (c.scheme !== "bearer") continue;
    const code = c.params.error === "invalid_token" ? "UNAUTHORIZED" : c.params.error === "insufficient_scope" ? "DENIED" : "";
    if (!code) continue;
    const fallback = code === "DENIED" ? "requested access to the resource is denied" : "authentication required";
    errors.push({ code, message: c.params.error_description || fallback });
    break;
  }
  const body = await readBody(res, ERROR_BODY_LIMIT).catch((err: unknown) => {
    if (err instanceof BerthError) return Buffer.alloc(0); // an oversized error body is no error of its own
    throw err;
  });
  errors.push(...parseErrorBody(body, res.statusCode ?? 0));
  if (errors.length === 0 && res.statusCode === 401) {
    errors.push({ code: "UNAUTHORIZED", message: "authentication required" });
  }
  return new RegistryResponseError(res.statusCode ?? 0, errors);
}

function parseErrorBody(body: Buffer, status: number): RegistryErrorEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (err) {
    if (err instanceof SyntaxError) return []; // HTML from a proxy, an empty body…
    throw err;
  }
  if (typeof json !== "object" || json === null) return [];
  const { errors, details } = json as { errors?: unknown; details?: unknown };
  if (Array.isArray(errors)) {
    return errors.flatMap((e: unknown): RegistryErrorEntry[] => {
      if (typeof e !== "object" || e === null) return [];
      const { code, message, detail } = e as { code?: unknown; message?: unknown; detail?: unknown };
      const entry: RegistryErrorEntry = {
        code: typeof code === "string" && code ? code : "UNKNOWN",
        message: typeof message === "string" ? message : "",
      };
      if (detail !== undefined) entry.detail = detail;
      return [entry];
    });
  }
  // Docker Hub's token server: {"details":"incorrect username or password"}.
  if (typeof details === "string" && details) {
    return [{ code: status === 401 ? "UNAUTHORIZED" : "UNKNOWN", message: details }];
  }
  return [];
}

/** The typed error for a registry's refusal; `prefix` puts the operation before the registry's words. */
export function errorForResponse(cause: RegistryResponseError, prefix = ""): BerthError {
  const message = prefix + cause.message;
  switch (cause.status) {
    case 400:
    case 416:
      return new InvalidArgumentError(message, { cause });
    case 401:
      return new UnauthorizedError(message, { cause });
    case 403:
      return new ForbiddenError(message, { cause });
    case 404:
      return new NotFoundError(message, { cause });
    case 405:
      return new NotImplementedError(message, { cause });
    case 429:
    case 503:
      return new UnavailableError(message, { cause });
    default:
      return new SystemError(message, { cause });
  }
}
