// The registry server's error catalogue: the OCI distribution spec's codes, and
// the one function that turns anything thrown by a handler into a status and
// the spec's body {"errors":[{code,message,detail}]}. Handlers throw
// RegistryError with a code; other berth kinds map onto the nearest code.
import { BerthError, errorKind, type ErrorKind } from "../../errors.js";

export type OciCode =
  | "BLOB_UNKNOWN"
  | "BLOB_UPLOAD_INVALID"
  | "BLOB_UPLOAD_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_BLOB_UNKNOWN"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "SIZE_INVALID"
  | "TAG_INVALID"
  | "UNAUTHORIZED"
  | "DENIED"
  | "UNSUPPORTED"
  | "RANGE_INVALID"
  | "UNKNOWN";

/** Status and the spec's message for each code (messages as distribution words them). */
export const OCI_CODES: Record<OciCode, { status: number; message: string; kind: ErrorKind }> = {
  BLOB_UNKNOWN: { status: 404, message: "blob unknown to registry", kind: "not-found" },
  BLOB_UPLOAD_INVALID: { status: 400, message: "blob upload invalid", kind: "invalid-argument" },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: "blob upload unknown to registry", kind: "not-found" },
  DIGEST_INVALID: { status: 400, message: "provided digest did not match uploaded content", kind: "invalid-argument" },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: "manifest references a manifest or blob unknown to registry", kind: "invalid-argument" },
  MANIFEST_INVALID: { status: 400, message: "manifest invalid", kind: "invalid-argument" },
  MANIFEST_UNKNOWN: { status: 404, message: "manifest unknown", kind: "not-found" },
  NAME_INVALID: { status: 400, message: "invalid repository name", kind: "invalid-argument" },
  NAME_UNKNOWN: { status: 404, message: "repository name not known to registry", kind: "not-found" },
  SIZE_INVALID: { status: 400, message: "provided length did not match content length", kind: "invalid-argument" },
  TAG_INVALID: { status: 400, message: "manifest tag did not match URI", kind: "invalid-argument" },
  UNAUTHORIZED: { status: 401, message: "authentication required", kind: "unauthorized" },
  DENIED: { status: 403, message: "requested access to the resource is denied", kind: "forbidden" },
  UNSUPPORTED: { status: 405, message: "The operation is unsupported.", kind: "not-implemented" },
  // Not a spec code: a PATCH whose Content-Range does not continue the upload.
  RANGE_INVALID: { status: 416, message: "invalid content range", kind: "invalid-argument" },
  UNKNOWN: { status: 500, message: "unknown error", kind: "system" },
};

export class RegistryError extends BerthError {
  override readonly kind: ErrorKind;
  constructor(
    readonly code: OciCode,
    readonly detail?: unknown,
    opts: { status?: number; message?: string; headers?: Record<string, string> } = {},
  ) {
    super(opts.message ?? OCI_CODES[code].message);
    this.kind = OCI_CODES[code].kind;
    this.status = opts.status ?? OCI_CODES[code].status;
    this.headers = opts.headers ?? {};
  }
  readonly status: number;
  /** Extra response headers (WWW-Authenticate for UNAUTHORIZED, Range for 416). */
  readonly headers: Record<string, string>;
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { errors: { code: OciCode; message: string; detail?: unknown }[] };
}

const BY_KIND: Partial<Record<ErrorKind, OciCode>> = {
  unauthorized: "UNAUTHORIZED",
  forbidden: "DENIED",
  "not-implemented": "UNSUPPORTED",
};

// Kinds without an OCI code keep their usual status under the generic UNKNOWN.
const KIND_STATUS: Partial<Record<ErrorKind, number>> = { "invalid-argument": 400, "not-found": 404, conflict: 409, unavailable: 503 };

/** The one mapping from a thrown value to the registry's error response. */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof RegistryError) {
    const entry = { code: err.code, message: err.message, ...(err.detail === undefined ? {} : { detail: err.detail }) };
    return { status: err.status, headers: err.headers, body: { errors: [entry] } };
  }
  const kind = errorKind(err);
  const code = BY_KIND[kind] ?? "UNKNOWN";
  const status = code === "UNKNOWN" ? (KIND_STATUS[kind] ?? 500) : OCI_CODES[code].status;
  const message = err instanceof BerthError ? err.message : OCI_CODES.UNKNOWN.message;
  return { status, headers: {}, body: { errors: [{ code, message }] } };
}
