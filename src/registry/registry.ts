// The registry client: one repository on one registry, spoken to with the OCI
// distribution protocol (Docker Registry HTTP API v2). image/pull.ts and
// image/push.ts drive it; it never touches the image store itself.
//
// Lifecycle of a pull (image/pull.ts):
//   1. openRepository(ref, opts, "pull") maps the reference's domain to an
//      endpoint ("docker.io" → https://registry-1.docker.io; plain HTTP only for
//      insecure registries and localhost/127.0.0.0/8; CA from
//      <certsDir>/<host>/ca.crt) — no request yet.
//   2. getManifest(tag or digest) → the bytes and their digest (verified
//      against the requested digest, or Docker-Content-Digest). On the first
//      401 the client reads WWW-Authenticate: Basic → retries with the
//      credentials; Bearer → GETs a token from realm with service/scope
//      (credentials as Basic, or anonymous) and reuses it until it expires.
//   3. getBlob(digest, { offset }) streams a blob (Range when offset > 0); the
//      caller verifies the digest while ingesting (content/ store).
// Lifecycle of a push (image/push.ts): openRepository(ref, opts, "push");
// pushBlob() per layer and the config (HEAD first: a blob the registry has is
// skipped; mountFrom tries a cross-repository mount; else POST, PATCH the
// stream, PUT ?digest=); putManifest() last.
// Errors carry the typed kinds of errors.ts with Docker's wording:
// UnauthorizedError ("unauthorized: authentication required"), NotFoundError
// ("manifest for x:y not found: manifest unknown: manifest unknown"),
// InvalidArgumentError (a digest mismatch), SystemError for transport failures.
import type { Readable } from "node:stream";
import type { Digest } from "../oci/types.js";
import type { Reference } from "../oci/reference.js";

export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth refresh token (Docker's "identitytoken"), exchanged at the token endpoint. */
  identityToken?: string;
  /** A bearer token to send as is (Docker's "registrytoken"). */
  registryToken?: string;
}

export interface RegistryOptions {
  /** Credentials for a registry host as the reference names it ("docker.io", "localhost:5000"). */
  credentials(host: string): Credentials | undefined;
  /** Hosts ("host:port" or CIDR) reachable over plain HTTP; localhost and 127.0.0.0/8 always are. */
  insecureRegistries: string[];
  /** Directory of per-registry CAs: <certsDir>/<host[:port]>/ca.crt (Docker's /etc/docker/certs.d). */
  certsDir: string;
  userAgent?: string;
}

export interface ManifestResponse {
  digest: Digest;
  mediaType: string;
  bytes: Buffer;
}

export interface BlobDescriptor {
  digest: Digest;
  size: number;
}

export interface RepositoryClient {
  /** The registry host requests go to ("registry-1.docker.io", "localhost:5000"). */
  readonly host: string;
  /** The repository path ("library/busybox"). */
  readonly path: string;
  /** Any manifest kind (Docker schema2, OCI manifest, manifest list, OCI index); verified when a digest is known. */
  getManifest(reference: string, opts?: { signal?: AbortSignal }): Promise<ManifestResponse>;
  /** HEAD of a manifest: its digest, media type and size, or undefined when the registry does not have it. */
  statManifest(reference: string): Promise<{ digest: Digest; mediaType: string; size: number } | undefined>;
  /** PUT; returns the digest the registry reports (checked against the bytes'). */
  putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<Digest>;
  /** HEAD of a blob: its size, or undefined when absent. */
  statBlob(digest: Digest): Promise<number | undefined>;
  /** The blob's bytes from `offset` on. */
  getBlob(digest: Digest, opts?: { offset?: number; signal?: AbortSignal }): Promise<{ stream: Readable; size: number }>;
  /**
   * Makes the blob present in this repository: "exists" when HEAD finds it,
   * "mounted" when a cross-repository mount from `mountFrom` (a repository path
   * on the same registry) succeeds, else "uploaded" from `open()`.
   */
  pushBlob(
    blob: BlobDescriptor,
    open: () => Promise<Readable>,
    opts?: { mountFrom?: string; signal?: AbortSignal; onProgress?: (bytes: number) => void },
  ): Promise<"exists" | "mounted" | "uploaded">;
  /**
   * Uploads a blob whose digest is known only once it has all gone by (a
   * layer compressed on the way): POST, PATCH the stream while hashing it,
   * PUT ?digest=. No HEAD and no mount: nothing can match a digest not yet known.
   */
  uploadStream(body: Readable, opts?: { hashed?: Promise<BlobDescriptor>; signal?: AbortSignal; onProgress?: (bytes: number) => void }): Promise<BlobDescriptor>;
  /** Tags of the repository (all pages). */
  listTags(): Promise<string[]>;
}

export type { Reference };
