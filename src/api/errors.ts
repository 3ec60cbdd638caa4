// The one place where error kinds become HTTP statuses. Everything below the
// API throws a typed error (src/errors.ts); handlers never pick a status for a
// failure themselves.
import type { ServerResponse } from "node:http";
import { errorKind, type ErrorKind } from "../errors.js";

export const statusByKind: Record<ErrorKind, number> = {
  "invalid-argument": 400,
  unauthorized: 401,
  forbidden: 403,
  "not-found": 404,
  conflict: 409,
  "not-modified": 304,
  "not-implemented": 501,
  unavailable: 503,
  system: 500,
};

export function statusOf(err: unknown): number {
  return statusByKind[errorKind(err)];
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Writes err as Docker does: its status and {"message": …}. Once headers are
 * out the status can no longer change, so a failure mid-response just ends
 * the connection: a truncated body is the only honest signal left.
 */
export function writeError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = statusOf(err);
  // 304 carries no body by definition (RFC 9110 §15.4.5).
  if (status === 304) {
    res.writeHead(304).end();
    return;
  }
  const body = JSON.stringify({ message: messageOf(err) }) + "\n";
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }).end(body);
}
