// openRepository: the RepositoryClient of registry.ts over one transport.
// Each method is one or a few requests under /v2/<path>/; refusals become
// the typed errors of errors.ts (registry-error.ts), with dockerd's wording
// where users know it.
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { InvalidArgumentError, NotFoundError, SystemError } from "../errors.js";
import { assertDigest, digestOf, isDigest } from "../oci/digest.js";
import { familiarString, isValidTag, type Reference } from "../oci/reference.js";
import { MediaType, type Digest } from "../oci/types.js";
import { drain, header, readBody, skipBytes } from "./http.js";
import { registryHost } from "./hosts.js";
import { pushBlob, uploadStream } from "./push-blob.js";
import type { ManifestResponse, RegistryOptions, RepositoryClient } from "./registry.js";
import { errorForResponse, formatRegistryErrors, readRegistryError } from "./registry-error.js";
import { openTransport, type Transport } from "./transport.js";

const MANIFEST_LIMIT = 4 << 20;
const TAGS_LIMIT = 16 << 20;
const MANIFEST_ACCEPT = [MediaType.DockerManifest, MediaType.DockerManifestList, MediaType.OciManifest, MediaType.OciIndex].join(", ");

export function openRepository(ref: Reference, opts: RegistryOptions, access: "pull" | "push"): RepositoryClient {
  const host = registryHost(ref.domain);
  const scope = `repository:${ref.path}:${access === "push" ? "pull,push" : "pull"}`;
  const credentials = opts.credentials(ref.domain);
  const transport = openTransport(host, { options: opts, scopes: [scope], ...(credentials ? { credentials } : {}) });
  const base = `/v2/${ref.path}`;
  // The reference becomes a URL path segment: only a tag or a digest may, never "../x".
  const manifestPath = (reference: string): string => {
    if (!isDigest(reference) && !isValidTag(reference)) throw new InvalidArgumentError("invalid reference format");
    return `${base}/manifests/${reference}`;
  };

  // "busybox:latest" / "localhost:5000/x@sha256:…", as dockerd names a manifest in errors.
  const named = (reference: string): string =>
    familiarString(isDigest(reference) ? { domain: ref.domain, path: ref.path, digest: reference } : { domain: ref.domain, path: ref.path, tag: reference });

  async function manifestError(res: IncomingMessage, reference: string): Promise<Error> {
    const err = await readRegistryError(res);
    if (res.statusCode !== 404) return errorForResponse(err);
    const why = formatRegistryErrors(err.errors) || "manifest unknown: manifest unknown";
    return new NotFoundError(`manifest for ${named(reference)} not found: ${why}`, { cause: err });
  }

  return {
    host,
    path: ref.path,

    async getManifest(reference, o = {}) {
      const res = await transport.request({
        method: "GET",
        target: manifestPath(reference),
        headers: { accept: MANIFEST_ACCEPT },
        followRedirects: true,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      if (res.statusCode !== 200) throw await manifestError(res, reference);
      const bytes = await readBody(res, MANIFEST_LIMIT).catch((err: unknown) => {
        if (err instanceof InvalidArgumentError) {
          throw new InvalidArgumentError(`manifest for ${named(reference)} is larger than ${MANIFEST_LIMIT} bytes`);
        }
        throw err;
      });
      const digest = verifyManifest(bytes, reference, header(res, "docker-content-digest"));
      return { digest, mediaType: manifestMediaType(res.headers["content-type"], bytes), bytes } satisfies ManifestResponse;
    },

    async statManifest(reference) {
      const res = await transport.request({
        method: "HEAD",
        target: manifestPath(reference),
        headers: { accept: MANIFEST_ACCEPT },
        followRedirects: true,
      });
      if (res.statusCode === 404) {
        drain(res);
        return undefined;
      }
      if (res.statusCode !== 200) throw await manifestError(res, reference);
      drain(res);
      const claimed = header(res, "docker-content-digest");
      const digest = isDigest(reference) ? reference : claimed && isDigest(claimed) ? claimed : undefined;
      const size = Number(res.headers["content-length"]);
      const contentType = mediaTypeOf(res.headers["content-type"]);
      if (digest && Number.isSafeInteger(size) && contentType && contentType !== "application/json") {
        return { digest, mediaType: contentType, size };
      }
      // A HEAD that does not say enough: ask for the manifest itself.
      const m = await this.getManifest(reference);
      return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
    },

    async putManifest(reference, mediaType, bytes) {
      const res = await transport.request({
        method: "PUT",
        target: manifestPath(reference),
        headers: { "content-type": mediaType, "content-length": bytes.length },
        body: bytes,
      });
      if (res.statusCode !== 201 && res.statusCode !== 200) throw errorForResponse(await readRegistryError(res));
      drain(res);
      const digest = digestOf(bytes);
      const reported = header(res, "docker-content-digest");
      if (reported && reported !== digest) {
        throw new InvalidArgumentError(`registry reported digest ${reported} for a manifest whose digest is ${digest}`);
      }
      return digest;
    },

    async statBlob(digest) {
      const res = await transport.request({ method: "HEAD", target: `${base}/blobs/${assertDigest(digest)}`, followRedirects: true });
      if (res.statusCode !== 200 && res.statusCode !== 404) throw errorForResponse(await readRegistryError(res));
      drain(res);
      if (res.statusCode === 404) return undefined;
      const size = Number(res.headers["content-length"]);
      if (!Number.isSafeInteger(size)) throw new SystemError(`registry sent no size for blob ${digest}`);
      return size;
    },

    async getBlob(digest, o = {}) {
      const offset = o.offset ?? 0;
      const res = await transport.request({
        method: "GET",
        target: `${base}/blobs/${assertDigest(digest)}`,
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
        followRedirects: true,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      return blobBody(res, digest, offset);
    },

    uploadStream: (body, o = {}) => uploadStream(transport, { repository: ref.path, body, ...o }),
    pushBlob(blob, open, o = {}) {
      assertDigest(blob.digest);
      return pushBlob(transport, { repository: ref.path, scope, blob, open, ...o });
    },

    async listTags() {
      return listTags(transport, `${base}/tags/list`);
    },
  };
}

async function blobBody(res: IncomingMessage, digest: Digest, offset: number): Promise<{ stream: Readable; size: number }> {
  if (res.statusCode === 404) {
    const err = await readRegistryError(res);
    throw new NotFoundError(formatRegistryErrors(err.errors) || `blob unknown: blob unknown to registry: ${digest}`, { cause: err });
  }
  const length = Number(res.headers["content-length"]);
  if (res.statusCode === 206 && offset > 0) {
    // Content-Range: bytes <first>-<last>/<total>; the total may be "*".
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers["content-range"] ?? "");
    if (!m || Number(m[1]) !== offset) {
      res.destroy();
      throw new SystemError(`registry answered a range request for ${digest} with ${res.headers["content-range"] ?? "no Content-Range"}`);
    }
    return { stream: res, size: m[3] === "*" ? Number(m[2]) + 1 : Number(m[3]) };
  }
  if (res.statusCode !== 200) throw errorForResponse(await readRegistryError(res));
  if (!Number.isSafeInteger(length)) {
    res.destroy();
    throw new SystemError(`registry sent blob ${digest} without its length`);
  }
  // A registry that ignores Range sends the whole blob: skip what we have.
  return { stream: offset > 0 ? skipBytes(res, offset) : res, size: length };
}

/** The digest of manifest bytes, checked against the one asked for or the one the registry claims. */
function verifyManifest(bytes: Buffer, reference: string, header: string | undefined): Digest {
  const actual = digestOf(bytes);
  // A non-sha256 Docker-Content-Digest cannot be checked with our hash; the requested digest always can.
  const expected = isDigest(reference) ? reference : header && isDigest(header) ? header : undefined;
  if (expected && expected !== actual) {
    throw new InvalidArgumentError(`manifest verification failed for digest ${expected}: the content has digest ${actual}`);
  }
  return actual;
}

function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(";")[0]!.trim() || undefined;
}

// Some registries serve manifests as application/json: the body's own mediaType tells then.
function manifestMediaType(contentType: string | undefined, bytes: Buffer): string {
  const declared = mediaTypeOf(contentType);
  if (declared && declared !== "application/json" && declared !== "text/plain") return declared;
  const json = parseJson(bytes.toString("utf8"), "manifest");
  const o = (typeof json === "object" && json !== null ? json : {}) as { mediaType?: unknown; manifests?: unknown };
  if (typeof o.mediaType === "string" && o.mediaType) return o.mediaType;
  return Array.isArray(o.manifests) ? MediaType.OciIndex : MediaType.OciManifest;
}

async function listTags(transport: Transport, first: string): Promise<string[]> {
  const tags: string[] = [];
  const seen = new Set<string>();
  // A Link loop would page forever: each page is fetched once.
  for (let url: URL | undefined = new URL(first, await transport.endpoint()); url && !seen.has(url.href); ) {
    seen.add(url.href);
    const res = await transport.request({ method: "GET", target: url, followRedirects: true });
    if (res.statusCode !== 200) throw errorForResponse(await readRegistryError(res));
    const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(res, "link") ?? "");
    const body = (parseJson((await readBody(res, TAGS_LIMIT)).toString("utf8"), "tag list") ?? {}) as { tags?: unknown };
    if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === "string"));
    // Link targets are relative to the page that named them.
    url = next ? new URL(next[1]!, url) : undefined;
  }
  return tags;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) throw new InvalidArgumentError(`invalid ${what} from registry: ${err.message}`);
    throw err;
  }
}
