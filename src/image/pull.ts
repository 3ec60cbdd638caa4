// docker pull: a reference's manifest (a list or index resolved for the
// platform), its config and its layers come from the registry and become an
// image. Every blob is verified while it streams into the content store;
// layers download three at a time, and each is unpacked as soon as it and
// the layers below it are in. A lease keeps what has landed from garbage
// collection until the image is recorded; a failure drops the lease, so the
// next gc takes what the pull left. Layers the store already has are not
// fetched again ("Already exists").
import { randomBytes } from "node:crypto";
import { InvalidArgumentError, NotFoundError, UnauthorizedError } from "../errors.js";
import { chainIdOf } from "../oci/digest.js";
import { familiarName, familiarString, parseNormalizedNamed, withDefaultTag, type Reference } from "../oci/reference.js";
import { MediaType, type Descriptor, type Digest, type ImageConfig, type Index, type Manifest } from "../oci/types.js";
import type { RegistryOptions, RepositoryClient } from "../registry/registry.js";
import { openRepository } from "../registry/repository.js";
import { refKey, storeImage, type ImageContext } from "./context.js";
import type { PullOptions } from "./image-service.js";
import { hostPlatform } from "./import.js";
import type { Leases } from "./leases.js";
import { counted, layerId, progressReporter, type Report } from "./progress.js";
import type { LayerRow } from "./records.js";
import { limited, retried } from "./download-queue.js";
import { pullStaged } from "./pull-staged.js";
import { unpackLayer } from "./unpack.js";
import { warmUnpackThreads } from "./unpack-threads.js";
import type { BlobSources } from "./blob-sources.js";

export type RegistrySettings = Omit<RegistryOptions, "credentials">;

const DOWNLOADS_AT_ONCE = 3;

/** Pulls one reference (or every tag with allTags); returns what was pulled, as image ID and name. */
export async function pullImage(
  ctx: ImageContext & { leases: Leases; sources: BlobSources },
  registry: RegistrySettings,
  reference: string,
  opts: PullOptions,
  report: Report,
): Promise<Array<{ id: Digest; name: string }>> {
  const named = parseNormalizedNamed(reference);
  const base: Reference = opts.allTags ? { domain: named.domain, path: named.path } : withDefaultTag(named);
  const repo = openRepository(base, { ...registry, credentials: () => opts.credentials }, "pull");
  const targets: Reference[] = opts.allTags ? (await denied(base, () => repo.listTags())).map((tag) => ({ ...base, tag })) : [base];
  const pulled: Array<{ id: Digest; name: string }> = [];
  for (const target of targets) pulled.push(await pullOne(ctx, repo, target, opts, report));
  return pulled;
}

async function pullOne(
  ctx: ImageContext & { leases: Leases; sources: BlobSources },
  repo: RepositoryClient,
  target: Reference,
  opts: PullOptions,
  report: Report,
): Promise<{ id: Digest; name: string }> {
  const tagOrDigest = target.digest ?? target.tag!;
  // As dockerd: nothing is reported before the manifest is in, so a missing
  // image or a refused pull is the request's error (404, 401), not in-band.
  const top = await denied(target, () => repo.getManifest(tagOrDigest, opts.signal ? { signal: opts.signal } : {}));
  report({ status: `Pulling from ${target.path}`, id: tagOrDigest });
  let manifest = top;
  if (isIndex(top.mediaType, top.bytes)) {
    const index = parseJson<Index>(top.bytes, "manifest list");
    const chosen = choosePlatform(index.manifests, opts.platform);
    manifest = await repo.getManifest(chosen.digest, opts.signal ? { signal: opts.signal } : {});
  }
  const m = parseJson<Manifest>(manifest.bytes, "manifest");
  if (!m.config?.digest || !Array.isArray(m.layers)) throw new InvalidArgumentError(`invalid manifest ${manifest.digest}: no config or layers`);

  const refs = [refKey(target), refKey({ domain: target.domain, path: target.path, digest: top.digest })];
  const name = familiarString(target);
  const lease = `pull:${randomBytes(8).toString("hex")}`;
  try {
    const existing = ctx.records.getImage(m.config.digest);
    // dockerd says "up to date" only when the name already meant this image; a name
    // made or moved by the pull is "newer", even when no byte had to be fetched.
    const unchanged = ctx.records.getRef(refs[0]!)?.imageId === m.config.digest;
    const status = unchanged ? `Image is up to date for ${name}` : `Downloaded newer image for ${name}`;
    if (existing) {
      for (const ref of refs) ctx.records.setRef(ref, m.config.digest);
    } else {
      // The unpack threads start (~50 ms) while the config comes in.
      if (ctx.snapshotter.staging && m.layers.length > 0) warmUnpackThreads();
      const configBytes = await fetchSmall(repo, m.config, opts.signal);
      await ctx.content.ingest(configBytes, { digest: m.config.digest, size: m.config.size });
      ctx.leases.add(lease, [m.config.digest]);
      const config = parseJson<ImageConfig>(configBytes, "image config");
      const diffIds = config.rootfs?.diff_ids ?? [];
      if (diffIds.length !== m.layers.length) {
        throw new InvalidArgumentError(`invalid image ${m.config.digest}: ${m.layers.length} layers in the manifest, ${diffIds.length} in the config`);
      }
      const layers = await fetchLayers(ctx, repo, m.layers, diffIds, { lease, report, ...(opts.signal ? { signal: opts.signal } : {}) });
      for (const d of m.layers) ctx.sources.record(d.digest, target.domain, target.path);
      await ctx.content.ingest(manifest.bytes, { digest: manifest.digest });
      await ctx.lock.shared(() => storeImage(ctx, { configBytes, layers, refs, manifestDigest: manifest.digest }));
    }
    report({ status: `Digest: ${top.digest}` });
    report({ status: `Status: ${status}` });
    return { id: m.config.digest, name };
  } finally {
    ctx.leases.delete(lease);
  }
}

/** Downloads what is missing (three at a time) and unpacks bottom-up as soon as each layer and those below it are in. */
async function fetchLayers(
  ctx: ImageContext & { leases: Leases; sources: BlobSources },
  repo: RepositoryClient,
  descs: Descriptor[],
  diffIds: Digest[],
  o: { lease: string; report: Report; signal?: AbortSignal },
): Promise<LayerRow[]> {
  const chains: Digest[] = [];
  for (const [i, diffId] of diffIds.entries()) chains.push(chainIdOf(chains[i - 1], diffId));
  const present = chains.map((c) => ctx.records.getLayer(c));
  for (const [i, d] of descs.entries()) o.report({ status: present[i] ? "Already exists" : "Pulling fs layer", progressDetail: {}, id: layerId(d.digest) });
  for (const [i, d] of descs.entries()) if (!present[i] && i >= DOWNLOADS_AT_ONCE) o.report({ status: "Waiting", progressDetail: {}, id: layerId(d.digest) });
  const staging = ctx.snapshotter.staging;
  if (staging) {
    const layers = descs.map((desc, i) => ({
      desc,
      diffId: diffIds[i]!,
      chainId: chains[i]!,
      ...(i > 0 ? { parent: chains[i - 1]! } : {}),
      ...(present[i] ? { present: present[i]! } : {}),
    }));
    return pullStaged(ctx, staging, repo, layers, { ...o, width: DOWNLOADS_AT_ONCE });
  }
  const downloads = limited(
    descs.map((d, i) => (present[i] ? undefined : () => download(ctx, repo, d, o))),
    DOWNLOADS_AT_ONCE,
  );
  // A download that fails while an earlier layer unpacks is reported when its turn comes.
  for (const p of downloads) p?.catch(() => undefined);

  const rows: LayerRow[] = [];
  for (const [i, d] of descs.entries()) {
    const have = present[i];
    if (have) {
      rows.push(have);
      continue;
    }
    const blob = await downloads[i]!;
    const id = layerId(d.digest);
    o.report({ status: "Extracting", progressDetail: { current: 0, total: d.size }, id });
    const row = await ctx.lock.shared(async () => {
      const unpacked = await unpackLayer(ctx, blob, { parent: chains[i - 1], expectedDiffId: diffIds[i]! });
      ctx.leases.add(o.lease, [unpacked.chainId]);
      return unpacked;
    });
    o.report({ status: "Pull complete", progressDetail: {}, id });
    rows.push(row);
  }
  return rows;
}

/** One blob into the content store, verified; a broken connection is retried from the start. */
async function download(
  ctx: ImageContext & { leases: Leases; sources: BlobSources },
  repo: RepositoryClient,
  d: Descriptor,
  o: { lease: string; report: Report; signal?: AbortSignal },
): Promise<{ digest: Digest; size: number }> {
  const id = layerId(d.digest);
  const have = await ctx.content.info(d.digest);
  if (have) {
    ctx.leases.add(o.lease, [d.digest]);
    o.report({ status: "Download complete", progressDetail: {}, id });
    return have;
  }
  return retried({ ...o, id }, async () => {
    const { stream } = await repo.getBlob(d.digest, o.signal ? { signal: o.signal } : {});
    const tick = progressReporter(o.report, id, "Downloading", d.size);
    const blob = await ctx.content.ingest(counted(stream, tick), { digest: d.digest, size: d.size });
    tick(d.size, true);
    ctx.leases.add(o.lease, [blob.digest]);
    o.report({ status: "Verifying Checksum", progressDetail: {}, id });
    o.report({ status: "Download complete", progressDetail: {}, id });
    return blob;
  });
}

async function fetchSmall(repo: RepositoryClient, d: Descriptor, signal?: AbortSignal): Promise<Buffer> {
  if (d.size > 16 * 1024 * 1024) throw new InvalidArgumentError(`image config ${d.digest} is too large (${d.size} bytes)`);
  const { stream } = await repo.getBlob(d.digest, signal ? { signal } : {});
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > d.size) throw new InvalidArgumentError(`image config ${d.digest} is larger than its descriptor says`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function isIndex(mediaType: string, bytes: Buffer): boolean {
  if (mediaType === MediaType.OciIndex || mediaType === MediaType.DockerManifestList) return true;
  if (mediaType === MediaType.OciManifest || mediaType === MediaType.DockerManifest) return false;
  // Some registries omit the media type: an index has manifests and no layers.
  const parsed = parseJson<{ manifests?: unknown; layers?: unknown }>(bytes, "manifest");
  return Array.isArray(parsed.manifests) && !Array.isArray(parsed.layers);
}

/** The manifest for `platform` (the host's by default), as Docker picks it from a list. */
export function choosePlatform(manifests: Descriptor[], platform: string | undefined): Descriptor {
  const host = hostPlatform();
  const [os = host.os, architecture = host.architecture, variant] = (platform || `${host.os}/${host.architecture}`).toLowerCase().split("/");
  const matches = manifests.filter(
    (d) => d.platform?.os === os && d.platform.architecture === architecture && (variant === undefined || d.platform.variant === variant),
  );
  const chosen = matches.find((d) => d.platform?.variant === undefined) ?? matches[0];
  if (!chosen) throw new NotFoundError(`no matching manifest for ${[os, architecture, variant].filter(Boolean).join("/")} in the manifest list entries`);
  return chosen;
}

function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString("utf8")) as T;
  } catch {
    throw new InvalidArgumentError(`invalid ${what}: not JSON`);
  }
}

/** dockerd's answer when the registry refuses a pull: it cannot tell "missing" from "private". */
async function denied<T>(ref: Reference, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof UnauthorizedError) {
      throw new NotFoundError(
        `pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${err.message}`,
      );
    }
    throw err;
  }
}
