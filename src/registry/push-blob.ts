// Making one blob present in a repository (OCI distribution spec, "Pushing
// blobs"):
//   HEAD /v2/<name>/blobs/<digest>                          200 → "exists"
//   POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo> 201 → "mounted"
//        (202: the registry declined and opened an upload session instead)
//   POST /v2/<name>/blobs/uploads/                          202, Location
//   PATCH <Location>  the stream, chunked                   202, Location
//   PUT   <Location>&digest=<digest>                        201 → "uploaded"
// Each Location may be relative and carries the session's state in its query;
// the next step uses the newest one.
import type { IncomingMessage } from "node:http";
import { PassThrough, type Readable } from "node:stream";
import { createDigester } from "../oci/digest.js";
import { InvalidArgumentError, SystemError } from "../errors.js";
import type { Digest } from "../oci/types.js";
import { drain, header } from "./http.js";
import type { BlobDescriptor } from "./registry.js";
import { errorForResponse, readRegistryError } from "./registry-error.js";
import type { Transport } from "./transport.js";

export interface PushBlobOptions {
  /** The repository path pushed to ("team/app"). */
  repository: string;
  /** The push scope of that repository ("repository:team/app:pull,push"). */
  scope: string;
  blob: BlobDescriptor;
  open: () => Promise<Readable>;
  mountFrom?: string;
  signal?: AbortSignal;
  /** Bytes sent so far (cumulative). */
  onProgress?: (bytes: number) => void;
}

export async function pushBlob(transport: Transport, o: PushBlobOptions): Promise<"exists" | "mounted" | "uploaded"> {
  const { blob } = o;
  const signal = o.signal ? { signal: o.signal } : {};
  const uploads = `/v2/${o.repository}/blobs/uploads/`;
  const head = await transport.request({ method: "HEAD", target: `/v2/${o.repository}/blobs/${blob.digest}`, followRedirects: true, ...signal });
  if (head.statusCode === 200) {
    drain(head);
    return "exists";
  }
  if (head.statusCode !== 404) throw errorForResponse(await readRegistryError(head));
  drain(head);

  let session: URL | undefined;
  if (o.mountFrom && o.mountFrom !== o.repository) {
    const query = new URLSearchParams({ mount: blob.digest, from: o.mountFrom });
    const res = await transport.request({
      method: "POST",
      target: `${uploads}?${query}`,
      headers: { "content-length": 0 },
      body: Buffer.alloc(0),
      // Mounting needs pull access to the source as well.
      scopes: [o.scope, `repository:${o.mountFrom}:pull`],
      ...signal,
    });
    if (res.statusCode === 201) {
      drain(res);
      return "mounted";
    }
    // 202 opens a session we can use; any refusal (no access to the source…)
    // leaves a plain upload, as Docker falls back to one.
    if (res.statusCode === 202) session = await location(transport, res);
    else drain(res);
  }
  if (!session) {
    const res = await transport.request({
      method: "POST",
      target: uploads,
      headers: { "content-length": 0 },
      body: Buffer.alloc(0),
      ...signal,
    });
    if (res.statusCode !== 202) throw errorForResponse(await readRegistryError(res));
    session = await location(transport, res);
  }

  await patchAndPut(transport, session, await o.open(), () => blob, o);
  return "uploaded";
}

export interface UploadStreamOptions {
  repository: string;
  body: Readable;
  /**
   * The body's digest and size as the caller finds them, reading the same
   * bytes anyway (push stores what it sends): the body is not hashed twice.
   */
  hashed?: Promise<BlobDescriptor>;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
}

/** POST a session, PATCH `body` while hashing it, PUT with the digest it turned out to have. */
export async function uploadStream(transport: Transport, o: UploadStreamOptions): Promise<BlobDescriptor> {
  const signal = o.signal ? { signal: o.signal } : {};
  const post = await transport.request({
    method: "POST",
    target: `/v2/${o.repository}/blobs/uploads/`,
    headers: { "content-length": 0 },
    body: Buffer.alloc(0),
    ...signal,
  });
  if (post.statusCode !== 202) throw errorForResponse(await readRegistryError(post));
  const session = await location(transport, post);
  const known = o.hashed;
  if (known) return patchAndPut(transport, session, o.body, () => known, o);
  const digester = createDigester();
  const hashed = new PassThrough();
  o.body.on("data", (c: Buffer) => digester.update(c));
  o.body.on("error", (err) => hashed.destroy(err));
  o.body.pipe(hashed);
  // The digest is complete once the registry has answered the PATCH: the body has all gone by.
  return patchAndPut(transport, session, hashed, () => ({ digest: digester.digest(), size: digester.size }), o);
}

/** PATCH the body to the session, check the registry holds all of it, PUT ?digest= to finish. */
async function patchAndPut(
  transport: Transport,
  session: URL,
  body: Readable,
  blobOf: () => BlobDescriptor | Promise<BlobDescriptor>,
  o: { signal?: AbortSignal; onProgress?: (bytes: number) => void },
): Promise<BlobDescriptor> {
  const signal = o.signal ? { signal: o.signal } : {};
  const patch = await transport.request({
    method: "PATCH",
    target: session,
    headers: { "content-type": "application/octet-stream" },
    body,
    ...signal,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  if (patch.statusCode !== 202) throw errorForResponse(await readRegistryError(patch));
  const blob = await blobOf();
  checkRange(patch, blob.digest, blob.size);
  const done = new URL(await location(transport, patch));
  done.searchParams.append("digest", blob.digest);
  const put = await transport.request({ method: "PUT", target: done, headers: { "content-length": 0 }, body: Buffer.alloc(0), ...signal });
  if (put.statusCode !== 201) throw errorForResponse(await readRegistryError(put));
  drain(put);
  const reported = header(put, "docker-content-digest");
  if (reported && reported !== blob.digest) {
    throw new InvalidArgumentError(`registry stored blob ${blob.digest} as ${reported}`);
  }
  return blob;
}

async function location(transport: Transport, res: IncomingMessage): Promise<URL> {
  drain(res);
  const loc = res.headers.location;
  if (!loc) throw new SystemError(`registry answered ${res.statusCode} to an upload without a Location`);
  return new URL(loc, await transport.endpoint());
}

// Range: 0-<last> tells how much the registry holds; a short upload must not be committed.
function checkRange(res: IncomingMessage, digest: Digest, size: number): void {
  const m = /^(?:bytes=)?0-(\d+)$/.exec(res.headers.range ?? "");
  // distribution says "0-0" for both an empty and a one-byte upload.
  if (m && size > 1 && Number(m[1]) + 1 !== size) {
    throw new InvalidArgumentError(`upload of ${digest} was incomplete: the registry holds ${Number(m[1]) + 1} of ${size} bytes`);
  }
}
