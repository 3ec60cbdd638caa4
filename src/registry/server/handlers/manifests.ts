// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<tag or digest>. A manifest is
// served with the media type it was pushed with; PUT verifies it first
// (manifest-check.ts), then stores bytes, revision, tag and referrer entry.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { API_VERSION_HEADER, sendEmpty, type RequestContext } from "../context.js";
import { RegistryError } from "../errors.js";
import { checkName, checkReference } from "../names.js";
import { deleteManifest, deleteTag, putManifest, readManifest, statManifest } from "../storage/manifests.js";
import { checkManifest } from "./manifest-check.js";

/** Distribution's limit: a manifest is metadata, so a bigger body is refused rather than buffered. */
const MAX_MANIFEST_BYTES = 4 << 20;

export async function getManifest(ctx: RequestContext, name: string, reference: string): Promise<void> {
  await ctx.authorize([{ type: "repository", name, actions: ["pull"] }]);
  const ref = checkReference(reference);
  const found = await statManifest(ctx.root, name, ref);
  // An unknown repository is MANIFEST_UNKNOWN too, as distribution answers.
  if (!found) throw new RegistryError("MANIFEST_UNKNOWN", "tag" in ref ? { tag: ref.tag } : { digest: ref.digest });
  const headers = {
    ...API_VERSION_HEADER,
    "Content-Type": found.mediaType,
    "Content-Length": found.size,
    "Docker-Content-Digest": found.digest,
    ETag: `"${found.digest}"`,
  };
  if (ctx.req.method === "HEAD") {
    ctx.res.writeHead(200, headers).end();
    return;
  }
  const bytes = await readManifest(ctx.root, found.digest);
  ctx.res.writeHead(200, { ...headers, "Content-Length": bytes.length }).end(bytes);
}

export async function putManifestHandler(ctx: RequestContext, name: string, reference: string): Promise<void> {
  await ctx.authorize([{ type: "repository", name, actions: ["pull", "push"] }]);
  checkName(name);
  const ref = checkReference(reference);
  const bytes = await readBody(ctx.req, MAX_MANIFEST_BYTES);
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if ("digest" in ref && ref.digest !== digest) throw new RegistryError("DIGEST_INVALID", { expected: ref.digest, actual: digest });
  const checked = await checkManifest(ctx.root, name, { bytes, digest, contentType: ctx.req.headers["content-type"] });
  await putManifest(ctx.root, name, {
    digest,
    mediaType: checked.mediaType,
    bytes,
    tag: "tag" in ref ? ref.tag : undefined,
    subject: checked.subject,
    referrer: checked.referrer,
  });
  sendEmpty(ctx.res, 201, {
    Location: `/v2/${name}/manifests/${digest}`,
    "Docker-Content-Digest": digest,
    ...(checked.subject ? { "OCI-Subject": checked.subject } : {}),
  });
}

export async function deleteManifestHandler(ctx: RequestContext, name: string, reference: string): Promise<void> {
  await ctx.authorize([{ type: "repository", name, actions: ["delete"] }]);
  if (!ctx.allowDelete) throw new RegistryError("UNSUPPORTED");
  const ref = checkReference(reference);
  if ("tag" in ref) await deleteTag(ctx.root, name, ref.tag);
  else await deleteManifest(ctx.root, name, ref.digest);
  sendEmpty(ctx.res, 202);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RegistryError("MANIFEST_INVALID", { reason: `manifest larger than ${limit} bytes` });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
