// Maps a daemon's error response to the kinds of src/errors.ts. The daemon
// sends {"message": "..."}; the CLI prints that message with Docker's prefix
// only for errors that really came from the daemon, hence fromDaemon().
import {
  BerthError,
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  NotModifiedError,
  SystemError,
  UnauthorizedError,
  UnavailableError,
} from "../errors.js";

const daemonErrors = new WeakSet<object>();

/** True when err is an error response the daemon sent (not a local or connection failure). */
export function fromDaemon(err: unknown): err is BerthError {
  return typeof err === "object" && err !== null && daemonErrors.has(err);
}

export function errorForStatus(status: number, body: string): BerthError {
  const message = messageOf(body) || `request returned ${status} with an empty body`;
  const err = new (kindOf(status))(message);
  daemonErrors.add(err);
  return err;
}

/** A JSON-message stream reports failure in-band; treat it like an error response. */
export function streamError(message: string): BerthError {
  const err = new SystemError(message);
  daemonErrors.add(err);
  return err;
}

function kindOf(status: number): new (message: string) => BerthError {
  switch (status) {
    case 304:
      return NotModifiedError;
    case 400:
      return InvalidArgumentError;
    case 401:
      return UnauthorizedError;
    case 403:
      return ForbiddenError;
    case 404:
      return NotFoundError;
    case 409:
      return ConflictError;
    case 501:
      return NotImplementedError;
    case 503:
      return UnavailableError;
    default:
      return SystemError;
  }
}

function messageOf(body: string): string {
  const text = body.trim();
  if (!text) return "";
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && typeof (parsed as { message?: unknown }).message === "string") {
      return (parsed as { message: string }).message;
    }
  } catch {
    // Not JSON: a proxy or an old daemon answered in plain text.
  }
  return text;
}
