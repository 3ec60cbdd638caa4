// Blob uploads: POST /v2/<name>/blobs/uploads/ opens a session (or uploads
// monolithically with ?digest=, or mounts with ?mount=&from=); PATCH appends a
// chunk in order; PUT ?digest= appends the last chunk and commits; GET reports
// progress; DELETE cancels. Bodies are streamed to disk (storage/uploads.ts).
import type { IncomingMessage } from "node:http";
import { contentLength, sendEmpty, type RequestContext } from "../context.js";
import { RegistryError } from "../errors.js";
import { checkDigest, isDigestRef, isRepositoryName } from "../names.js";
import { linkBlob, statBlob } from "../storage/blobs.js";
import { appendUpload, cancelUpload, createUpload, finishUpload, rangeHeader, uploadSize } from "../storage/uploads.js";

export async function postUpload(ctx: RequestContext, name: string): Promise<void> {
  await ctx.authorize([{ type: "repository", name, actions: ["pull", "push"] }]);
  const q = ctx.url.searchParams;
  const mount = q.get("mount");
  const from = q.get("from");
  if (mount !== null && from !== null && isDigestRef(mount) && isRepositoryName(from) && (await mayMount(ctx, from, mount))) {
    await linkBlob(ctx.root, name, mount);
    sendEmpty(ctx.res, 201, { Location: blobLocation(name, mount), "Docker-Content-Digest": mount });
    return;
  }
  const digestParam = q.get("digest");
  const uuid = await createUpload(ctx.root, name);
  if (digestParam !== null) {
    const digest = checkDigest(digestParam);
    await finishUpload(ctx.root, name, { uuid, digest, body: ctx.req, length: contentLength(ctx.req) });
    sendEmpty(ctx.res, 201, { Location: blobLocation(name, digest), "Docker-Content-Digest": digest });
    return;
  }
  sendEmpty(ctx.res, 202, { Location: uploadLocation(name, uuid), Range: "0-0", "Docker-Upload-UUID": uuid });
}

export async function patchUpload(ctx: RequestContext, name: string, uuid: string): Promise<void> {
  await ctx.authorize([{ type: "repository", name, actions: ["pull", "push"] }]);
  const range = parseContentRange(ctx.req);
  const length = contentLength(ctx.req);
  if (range && length !== undefined && range.end - range.start + 1 !== length) {
    throw new RegistryError("SIZE_INVALID", { contentRange: ctx.req.headers["content-range"], contentLength: length });
  }
  const size = await appendUpload(ctx.root, name, { uuid, body: ctx.req, start: range?.start, length });
  sendEmpty(ctx.res, 202, { Location: uploadLocation(name, uuid), Range: rangeHeader(size), "Docker-Upload-UUID": uuid });
}

export async function putUpload(ctx: RequestContext, name: string, uuid: string): Promise<void> {
  await ctx.authorize([{ type: "repository", name, actions: ["pull", "push"] }]);
  const digestParam = ctx.url.searchParams.get("digest");
  if (digestParam === null) throw new RegistryError("DIGEST_INVALID", undefined, { message: "digest parameter required" });
  const digest = checkDigest(digestParam);
  const body = hasBody(ctx.req) ? ctx.req : undefined;
  await finishUpload(ctx.root, name, { uuid, digest, body, start: parseContentRange(ctx.req)?.start, length: contentLength(ctx.req) });
  sendEmpty(ctx.res, 201, { Location: blobLocation(name, digest), "Docker-Content-Digest": digest });
}

export async function getUpload(ctx: RequestContext, name: string, uuid: string): Promise<void> {
  await ctx.authorize([{ type: "repository", name, actions: ["pull"] }]);
  const size = await uploadSize(ctx.root, name, uuid);
  sendEmpty(ctx.res, 204, { Location: uploadLocation(name, uuid), Range: rangeHeader(size), "Docker-Upload-UUID": uuid });
}

export async function deleteUpload(ctx: RequestContext, name: string, uuid: string): Promise<void> {
  await ctx.authorize([{ type: "repository", name, actions: ["push"] }]);
  await cancelUpload(ctx.root, name, uuid);
  sendEmpty(ctx.res, 204);
}

/** A cross-repository mount needs pull on `from` and the blob there; otherwise the client uploads. */
async function mayMount(ctx: RequestContext, from: string, digest: string): Promise<boolean> {
  try {
    await ctx.authorize([{ type: "repository", name: from, actions: ["pull"] }]);
  } catch (err) {
    if (err instanceof RegistryError && (err.code === "UNAUTHORIZED" || err.code === "DENIED")) return false;
    throw err;
  }
  return (await statBlob(ctx.root, from, digest)) !== undefined;
}

/** The spec's "Content-Range: <start>-<end>" (a "bytes " prefix and "/total" are tolerated). */
function parseContentRange(req: IncomingMessage): { start: number; end: number } | undefined {
  const raw = req.headers["content-range"];
  if (raw === undefined) return undefined;
  const m = /^(?:bytes )?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(raw.trim());
  if (!m || Number(m[2]) < Number(m[1])) throw new RegistryError("RANGE_INVALID", { contentRange: raw }, { status: 416 });
  return { start: Number(m[1]), end: Number(m[2]) };
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || (contentLength(req) ?? 0) > 0;
}

function blobLocation(name: string, digest: string): string {
  return `/v2/${name}/blobs/${digest}`;
}

function uploadLocation(name: string, uuid: string): string {
  return `/v2/${name}/blobs/uploads/${uuid}`;
}
