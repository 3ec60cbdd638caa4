// `docker load`: reads a docker-archive — Docker 25+'s layout (blobs/sha256/…,
// index.json, manifest.json), the legacy one (<id>/layer.tar, <id>.json,
// manifest.json) or a bare OCI layout (index.json) — as a stream. Every file
// entry goes straight into the content store (verified against its name when
// the name is a digest), so no layer is held in memory; the small JSON index
// files are kept in memory. Then each image's layers are unpacked with their
// DiffIDs checked against the config, and the image is recorded.
import path from "node:path/posix";
import { finished, PassThrough, Readable } from "node:stream";
import tar from "tar-stream";
import { BerthError, InvalidArgumentError } from "../errors.js";
import { familiarString, parseReference } from "../oci/reference.js";
import type { Digest, Index, Manifest } from "../oci/types.js";
import type { JSONMessage } from "../api/types/index.js";
import { readConfig, storeImage, type ImageContext } from "./context.js";
import { decompress } from "./decompress.js";
import { hostPlatform, tagReference } from "./import.js";
import type { LayerRow } from "./records.js";
import { unpackLayer } from "./unpack.js";

const INDEX_FILES = new Set(["manifest.json", "index.json", "repositories", "oci-layout"]);
const MAX_INDEX_FILE = 32 << 20;

interface ArchiveItem {
  config: Digest;
  layers: Digest[];
  /** Names as written in the archive (familiar or full). */
  repoTags: string[];
}

interface Archive {
  files: Map<string, Buffer>;
  /** Archive path → digest of the blob it was stored as. */
  blobs: Map<string, Digest>;
  links: Map<string, string>;
}

/** Returns the blobs the archive held, some of which no image may use (see local-image-service.ts). */
export async function loadImages(
  ctx: ImageContext,
  source: Readable,
  onMessage: (m: JSONMessage) => void,
  onLoaded?: (id: Digest, names: string[]) => void,
): Promise<Digest[]> {
  return ctx.lock.shared(async () => {
    const archive = await readArchiveOf(ctx, source);
    for (const item of await archiveItems(ctx, archive)) {
      const refs = item.repoTags.map((t) => tagReference(t, "cannot load a digest reference"));
      const config = await readConfig(ctx, item.config);
      const diffIds = config.rootfs?.diff_ids ?? [];
      if (diffIds.length !== item.layers.length) {
        throw new InvalidArgumentError(
          `invalid manifest, layers length mismatch: expected ${diffIds.length}, got ${item.layers.length}`,
        );
      }
      const layers: LayerRow[] = [];
      for (const [i, blobDigest] of item.layers.entries()) {
        const info = await ctx.content.info(blobDigest);
        if (!info) throw new InvalidArgumentError(`invalid archive: layer ${blobDigest} is missing`);
        const parent = layers[layers.length - 1]?.chainId;
        layers.push(await unpackLayer(ctx, info, { parent, expectedDiffId: diffIds[i]! }));
      }
      const configBytes = await ctx.content.readBytes(item.config);
      const { id, moved } = await storeImage(ctx, { configBytes, layers, refs });
      for (const { ref, previous } of moved) {
        const name = familiarString(parseReference(ref));
        onMessage({ stream: `The image ${name} already exists, renaming the old one with ID ${previous} to empty string\n` });
      }
      if (refs.length === 0) onMessage({ stream: `Loaded image ID: ${id}\n` });
      for (const ref of refs) onMessage({ stream: `Loaded image: ${familiarString(parseReference(ref))}\n` });
      onLoaded?.(id, refs.length ? refs.map((r) => familiarString(parseReference(r))) : [id]);
    }
    return [...new Set(archive.blobs.values())];
  });
}

/**
 * Reads the whole archive (plain or gzip, as docker accepts) into the store.
 * On failure the rest of `source` is still read and dropped: the client is
 * mid-upload, and only a drained request lets it read the error we answer with.
 */
async function readArchiveOf(ctx: ImageContext, source: Readable): Promise<Archive> {
  const input = new PassThrough();
  finished(source, { writable: false }, (err) => {
    if (err) input.destroy(err);
  });
  source.pipe(input);
  try {
    const { stream } = await decompress(input);
    return await readArchive(ctx, stream);
  } catch (err) {
    source.unpipe(input);
    input.destroy();
    if (!source.destroyed) source.resume();
    throw archiveError(err);
  }
}

/** tar and gzip failures in Docker's words; the store's own errors pass through. */
function archiveError(err: unknown): unknown {
  if (err instanceof BerthError || !(err instanceof Error)) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && !code.startsWith("Z_")) return err;
  const truncated = err.message === "Unexpected end of data" || code === "Z_BUF_ERROR";
  const message = truncated ? "unexpected EOF" : err.message;
  return new InvalidArgumentError(`Error processing tar file: ${message}`, { cause: err });
}

async function readArchive(ctx: ImageContext, source: Readable): Promise<Archive> {
  const archive: Archive = { files: new Map(), blobs: new Map(), links: new Map() };
  const extract = tar.extract();
  source.on("error", (err) => extract.destroy(err));
  source.pipe(extract as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of extract) {
      const name = cleanPath(entry.header.name);
      const body = Readable.from(entry, { objectMode: false });
      const { type } = entry.header;
      if (name !== undefined && (type === "symlink" || type === "link")) {
        const target = type === "symlink" ? path.join(path.dirname(name), entry.header.linkname) : entry.header.linkname;
        const clean = cleanPath(target);
        if (clean !== undefined) archive.links.set(name, clean);
        body.resume();
      } else if (name === undefined || type !== "file") {
        body.resume();
      } else if (INDEX_FILES.has(name)) {
        archive.files.set(name, await readSmall(body, name));
      } else if (/^blobs\/sha256\/[a-f0-9]{64}$/.test(name)) {
        const digest = `sha256:${path.basename(name)}`;
        await ctx.content.ingest(body, { digest, size: entry.header.size });
        archive.blobs.set(name, digest);
      } else if (name.endsWith(".tar") || name.endsWith(".json")) {
        const { digest } = await ctx.content.ingest(body, { size: entry.header.size });
        archive.blobs.set(name, digest);
      } else {
        body.resume();
      }
    }
  } catch (err) {
    source.destroy();
    throw err;
  }
  return archive;
}

async function archiveItems(ctx: ImageContext, archive: Archive): Promise<ArchiveItem[]> {
  const manifestJson = archive.files.get("manifest.json");
  if (manifestJson) {
    const parsed = parseJson<{ Config: string; RepoTags?: string[] | null; Layers: string[] }[]>(manifestJson, "manifest.json");
    return parsed.map((m) => ({
      config: blobAt(archive, m.Config),
      layers: m.Layers.map((l) => blobAt(archive, l)),
      repoTags: m.RepoTags ?? [],
    }));
  }
  const indexJson = archive.files.get("index.json");
  if (!indexJson) throw new InvalidArgumentError("invalid archive: no manifest.json or index.json found");
  return ociItems(ctx, parseJson<Index>(indexJson, "index.json"));
}

/** An OCI layout without manifest.json: names come from the index's annotations. */
async function ociItems(ctx: ImageContext, index: Index): Promise<ArchiveItem[]> {
  const items: ArchiveItem[] = [];
  for (const desc of index.manifests) {
    const name = desc.annotations?.["io.containerd.image.name"];
    const manifest = await resolveManifest(ctx, desc.digest);
    items.push({ config: manifest.config.digest, layers: manifest.layers.map((l) => l.digest), repoTags: name ? [name] : [] });
  }
  return items;
}

/** A manifest, or the host platform's manifest when the digest names an index. */
async function resolveManifest(ctx: ImageContext, digest: Digest): Promise<Manifest> {
  if (!(await ctx.content.info(digest))) throw new InvalidArgumentError(`invalid archive: blob ${digest} is missing`);
  const doc = parseJson<Manifest & Partial<Index>>(await ctx.content.readBytes(digest), digest);
  if (!Array.isArray(doc.manifests)) return doc;
  const host = hostPlatform();
  const pick =
    doc.manifests.find((m) => m.platform?.os === host.os && m.platform.architecture === host.architecture) ??
    doc.manifests[0];
  if (!pick) throw new InvalidArgumentError(`invalid archive: index ${digest} is empty`);
  return resolveManifest(ctx, pick.digest);
}

function blobAt(archive: Archive, name: string): Digest {
  let p = cleanPath(name);
  for (let hops = 0; p !== undefined && hops < 16; hops++) {
    const digest = archive.blobs.get(p);
    if (digest) return digest;
    p = archive.links.get(p);
  }
  throw new InvalidArgumentError(`invalid archive: ${name} is missing`);
}

/** Archive paths are untrusted: relative, normalised, never above the archive root. */
function cleanPath(name: string): string | undefined {
  const p = path.normalize(name.replace(/^\/+/, ""));
  if (p === "." || p === ".." || p.startsWith("../")) return undefined;
  return p.replace(/\/+$/, "");
}

async function readSmall(body: Readable, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_INDEX_FILE) throw new InvalidArgumentError(`invalid archive: ${name} is too large`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson<T>(data: Buffer, name: string): T {
  try {
    return JSON.parse(data.toString("utf8")) as T;
  } catch (err) {
    if (err instanceof SyntaxError) throw new InvalidArgumentError(`invalid archive: ${name}: ${err.message}`);
    throw err;
  }
}
