// GET/HEAD/DELETE /v2/<name>/blobs/<digest>. GETs stream the file with large
// reads and honour a single Range (206), as http.ServeContent does in
// distribution; DELETE only unlinks the blob from the repository (202) and
// garbage collection reclaims the bytes.
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { API_VERSION_HEADER, sendEmpty, type RequestContext } from "../context.js";
import { RegistryError } from "../errors.js";
import { checkDigest } from "../names.js";
import { statBlob, unlinkBlob } from "../storage/blobs.js";
import { blobPath } from "../storage/layout.js";

export async function getBlob(ctx: RequestContext, name: string, rawDigest: string): Promise<void> {
  await ctx.authorize([{ type: "repository", name, actions: ["pull"] }]);
  const digest = checkDigest(rawDigest);
  const size = await statBlob(ctx.root, name, digest);
  if (size === undefined) throw new RegistryError("BLOB_UNKNOWN", { digest });
  const common = { ...API_VERSION_HEADER, "Docker-Content-Digest": digest, "Content-Type": "application/octet-stream", "Accept-Ranges": "bytes", ETag: `"${digest}"` };
  const range = parseRange(ctx.req.headers.range, size);
  if (range === "invalid") {
    throw new RegistryError("RANGE_INVALID", { range: ctx.req.headers.range }, { status: 416, headers: { "Content-Range": `bytes */${size}` } });
  }
  const [start, end] = range ?? [0, size - 1];
  const length = size === 0 ? 0 : end - start + 1;
  ctx.res.writeHead(range ? 206 : 200, {
    ...common,
    "Content-Length": length,
    ...(range ? { "Content-Range": `bytes ${start}-${end}/${size}` } : {}),
  });
  if (ctx.req.method === "HEAD" || length === 0) {
    ctx.res.end();
    return;
  }
  await pipeline(createReadStream(blobPath(ctx.root, digest), { start, end, highWaterMark: 1 << 20 }), ctx.res);
}

export async function deleteBlob(ctx: RequestContext, name: string, rawDigest: string): Promise<void> {
  await ctx.authorize([{ type: "repository", name, actions: ["delete"] }]);
  if (!ctx.allowDelete) throw new RegistryError("UNSUPPORTED", undefined, { message: "The operation is unsupported." });
  const digest = checkDigest(rawDigest);
  if (!(await unlinkBlob(ctx.root, name, digest))) throw new RegistryError("BLOB_UNKNOWN", { digest });
  sendEmpty(ctx.res, 202, { "Docker-Content-Digest": digest });
}

/** One "bytes=a-b" / "bytes=a-" / "bytes=-n" range; undefined for none, "invalid" when unsatisfiable. */
export function parseRange(header: string | undefined, size: number): [number, number] | undefined | "invalid" {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Multiple or malformed ranges: serve the whole blob, as HTTP allows.
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return "invalid";
  return [start, end];
}
