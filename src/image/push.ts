// docker push: an image's layers and config go to the registry, then its
// manifest (Docker schema2). Blobs the registry has are skipped (HEAD), and
// layers stored uncompressed (built, imported, loaded) are gzip-compressed on
// the way — several at once, since zlib works on the thread pool — into the
// content store, where the compressed blob replaces the plain one (save
// decompresses; the next push sends it as is).
import { randomBytes } from "node:crypto";
import { NotFoundError } from "../errors.js";
import { digestOf } from "../oci/digest.js";
import { familiarName, familiarString, parseNormalizedNamed, parseReference, repositoryName, withDefaultTag, type Reference } from "../oci/reference.js";
import { MediaType, type Digest } from "../oci/types.js";
import type { RepositoryClient } from "../registry/registry.js";
import { openRepository } from "../registry/repository.js";
import { Readable } from "node:stream";
import { adaptiveGzip } from "./adaptive-gzip.js";
import { chunkPipe, tee } from "./unpack.js";
import { refKey, type ImageContext } from "./context.js";
import type { PushOptions } from "./image-service.js";
import type { Leases } from "./leases.js";
import { layerId, progressReporter, type Report } from "./progress.js";
import type { RegistrySettings } from "./pull.js";
import type { LayerRow } from "./records.js";
import type { BlobSources } from "./blob-sources.js";

const PUSHES_AT_ONCE = 4;
const GZIP_LEVEL = 1; // fast: push time is what users wait for; the registry does not care

export async function pushImage(
  ctx: ImageContext & { leases: Leases; sources: BlobSources },
  registry: RegistrySettings,
  reference: string,
  opts: PushOptions,
  report: Report,
): Promise<void> {
  const named = parseNormalizedNamed(reference);
  const repoRef: Reference = { domain: named.domain, path: named.path };
  const tags = opts.allTags
    ? ctx.records
        .allRefs()
        .map((r) => parseReference(r.ref))
        .filter((r) => r.domain === named.domain && r.path === named.path && r.tag !== undefined)
    : [withDefaultTag(named)];
  if (tags.length === 0 || (!opts.allTags && !ctx.records.getRef(refKey(tags[0]!)))) {
    throw new NotFoundError(`An image does not exist locally with the tag: ${familiarName(named)}`);
  }
  report({ status: `The push refers to repository [${repositoryName(repoRef)}]` });
  const repo = openRepository(repoRef, { ...registry, credentials: () => opts.credentials }, "push");
  for (const tagged of tags) await pushTag(ctx, repo, tagged, opts, report);
}

async function pushTag(
  ctx: ImageContext & { leases: Leases; sources: BlobSources },
  repo: RepositoryClient,
  tagged: Reference,
  opts: PushOptions,
  report: Report,
): Promise<void> {
  const row = ctx.records.getRef(refKey(tagged));
  if (!row) throw new NotFoundError(`An image does not exist locally with the tag: ${familiarString(tagged)}`);
  const imageId = row.imageId;
  const layers = ctx.records.layersOf(imageId);
  const lease = `push:${randomBytes(8).toString("hex")}`;
  try {
    // As docker shows them: top layer first.
    for (const l of [...layers].reverse()) report({ status: "Preparing", progressDetail: {}, id: layerId(l.diffId) });
    const pushed = await inParallel(layers, PUSHES_AT_ONCE, (l) => pushLayer(ctx, repo, l, { lease, report, registry: tagged.domain, ...(opts.signal ? { signal: opts.signal } : {}) }));
    const config = await ctx.content.info(imageId);
    if (!config) throw new NotFoundError(`image config ${imageId} is missing from the content store`);
    await repo.pushBlob(config, () => ctx.content.read(imageId), opts.signal ? { signal: opts.signal } : {});
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.DockerManifest,
      config: { mediaType: MediaType.DockerConfig, size: config.size, digest: imageId },
      layers: pushed.map((b) => ({ mediaType: MediaType.DockerLayerGzip, size: b.size, digest: b.digest })),
    };
    // Indented by three spaces, as Docker writes it: the same image pushed by either gives the same digest.
    const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
    const tag = tagged.tag ?? "latest";
    const digest = await repo.putManifest(tag, MediaType.DockerManifest, bytes);
    if (digest !== digestOf(bytes)) throw new NotFoundError(`registry reported digest ${digest} for a manifest whose digest is ${digestOf(bytes)}`);
    ctx.records.setRef(refKey({ domain: tagged.domain, path: tagged.path, digest }), imageId);
    report({ status: `${tag}: digest: ${digest} size: ${bytes.length}` });
    report({ progressDetail: {}, aux: { Tag: tag, Digest: digest, Size: bytes.length } });
  } finally {
    ctx.leases.delete(lease);
  }
}

async function pushLayer(
  ctx: ImageContext & { leases: Leases; sources: BlobSources },
  repo: RepositoryClient,
  layer: LayerRow,
  o: { lease: string; report: Report; registry: string; signal?: AbortSignal },
): Promise<{ digest: Digest; size: number }> {
  const id = layerId(layer.diffId);
  if (!isGzipped(layer)) return compressAndUpload(ctx, repo, layer, o);
  const blob = { digest: layer.blobDigest!, size: layer.blobSize! };
  const tick = progressReporter(o.report, id, "Pushing", blob.size);
  // Another repository on this registry that has the blob (from a pull or push): mount it from there.
  const mountFrom = ctx.sources.on(blob.digest, o.registry).find((r) => r !== repo.path);
  const outcome = await repo.pushBlob(blob, () => ctx.content.read(blob.digest), {
    onProgress: (n) => tick(n),
    ...(mountFrom !== undefined ? { mountFrom } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  ctx.sources.record(blob.digest, o.registry, repo.path);
  const status = outcome === "exists" ? "Layer already exists" : outcome === "mounted" ? `Mounted from ${mountFrom}` : "Pushed";
  o.report({ status, progressDetail: {}, id });
  return blob;
}

const isGzipped = (layer: LayerRow): boolean =>
  layer.blobDigest !== undefined &&
  layer.blobSize !== undefined &&
  (layer.blobMediaType === MediaType.OciLayerGzip || layer.blobMediaType === MediaType.DockerLayerGzip);

/**
 * A layer stored uncompressed: compressed once, and the compressed bytes go
 * to the registry and to the content store in the same pass (the registry
 * cannot have a blob whose digest nobody knew yet, so there is nothing to
 * HEAD or mount). The stored gzip blob then replaces the plain one.
 */
async function compressAndUpload(
  ctx: ImageContext & { leases: Leases; sources: BlobSources },
  repo: RepositoryClient,
  layer: LayerRow,
  o: { lease: string; report: Report; registry: string; signal?: AbortSignal },
): Promise<{ digest: Digest; size: number }> {
  if (!layer.blobDigest) throw new NotFoundError(`layer ${layer.chainId} has no stored blob to push`);
  const id = layerId(layer.diffId);
  const gz = adaptiveGzip(await ctx.content.read(layer.blobDigest), GZIP_LEVEL);
  const toStore = chunkPipe(1 << 20);
  const stored = ctx.content.ingest(toStore, { approxSize: layer.size });
  stored.catch(() => undefined);
  // The compressed size is not known up front: show bytes sent against the plain size.
  const tick = progressReporter(o.report, id, "Pushing", layer.size);
  let uploaded;
  try {
    uploaded = await repo.uploadStream(Readable.from(tee(gz, toStore), { objectMode: false }), {
      // The store hashes what it is given, which is what is sent.
      hashed: stored,
      onProgress: (n) => tick(n),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  } catch (err) {
    toStore.destroy(err as Error);
    await stored.catch(() => undefined);
    throw err;
  }
  const blob = await stored;
  if (blob.digest !== uploaded.digest) throw new NotFoundError(`compressed layer ${id} stored as ${blob.digest} but sent as ${uploaded.digest}`);
  ctx.leases.add(o.lease, [blob.digest]);
  ctx.records.setLayerBlob(layer.chainId, { digest: blob.digest, mediaType: MediaType.OciLayerGzip, size: blob.size });
  ctx.sources.record(blob.digest, o.registry, repo.path);
  o.report({ status: "Pushed", progressDetail: {}, id });
  return blob;
}

async function inParallel<T, R>(items: T[], width: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await job(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}
