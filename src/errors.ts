// Typed errors. Code anywhere below the API throws one of these kinds; the API
// edge maps kinds to HTTP status codes in exactly one place (api/errors.ts) and
// the CLI maps them to exit codes. Messages are Docker's wording, because users'
// scripts match on them.

export type ErrorKind =
  | "invalid-argument" // 400
  | "unauthorized" // 401
  | "forbidden" // 403
  | "not-found" // 404
  | "conflict" // 409
  | "not-modified" // 304
  | "not-implemented" // 501
  | "unavailable" // 503
  | "system"; // 500

export class BerthError extends Error {
  readonly kind: ErrorKind = "system";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidArgumentError extends BerthError {
  override readonly kind = "invalid-argument";
}
export class UnauthorizedError extends BerthError {
  override readonly kind = "unauthorized";
}
export class ForbiddenError extends BerthError {
  override readonly kind = "forbidden";
}
export class NotFoundError extends BerthError {
  override readonly kind = "not-found";
}
export class ConflictError extends BerthError {
  override readonly kind = "conflict";
}
export class NotModifiedError extends BerthError {
  override readonly kind = "not-modified";
}
export class NotImplementedError extends BerthError {
  override readonly kind = "not-implemented";
}
export class UnavailableError extends BerthError {
  override readonly kind = "unavailable";
}
export class SystemError extends BerthError {
  override readonly kind = "system";
}

const classOfKind: Record<ErrorKind, new (message: string) => BerthError> = {
  "invalid-argument": InvalidArgumentError,
  unauthorized: UnauthorizedError,
  forbidden: ForbiddenError,
  "not-found": NotFoundError,
  conflict: ConflictError,
  "not-modified": NotModifiedError,
  "not-implemented": NotImplementedError,
  unavailable: UnavailableError,
  system: SystemError,
};

/** A typed error made again from its kind and message (one that crossed from a worker thread). */
export function errorOfKind(kind: ErrorKind, message: string): BerthError {
  return new classOfKind[kind](message);
}

/** The kind of any thrown value: ours carry one, everything else is a system error. */
export function errorKind(err: unknown): ErrorKind {
  return err instanceof BerthError ? err.kind : "system";
}

/** True when err is a Node system error with the given code (ENOENT, EEXIST…). */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as NodeJS.ErrnoException).code === code;
}
