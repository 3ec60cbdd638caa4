// `docker save`: the docker-archive layout Docker 25+ writes, which is also an
// OCI image layout:
//   blobs/sha256/<hex>   configs, OCI manifests, and layers as uncompressed tars
//   index.json, oci-layout
//   manifest.json        [{Config, RepoTags, Layers}] for older readers
//   repositories         {"busybox": {"latest": "<hex of the top layer>"}}
// Entries stream out; no layer is held in memory.
import { Readable } from "node:stream";
import tar from "tar-stream";
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import { digestHex, digestOf } from "../oci/digest.js";
import {
  familiarName,
  familiarString,
  parseAnyReference,
  parseReference,
  referenceString,
  repositoryName,
  type Reference,
} from "../oci/reference.js";
import { MediaType, type Descriptor, type Digest, type Index, type Manifest } from "../oci/types.js";
import { readConfig, resolveImageId, type ImageContext } from "./context.js";
import { decompress } from "./decompress.js";
import type { LayerRow } from "./records.js";

interface SaveItem {
  id: Digest;
  /** Tagged names to record, fully qualified. */
  tags: Reference[];
}

export async function saveImages(ctx: ImageContext, names: string[]): Promise<Readable> {
  const items = selectImages(ctx, names);
  const pack = tar.pack();
  writeArchive(ctx, pack, items).then(
    () => pack.finalize(),
    (err: unknown) => pack.destroy(err as Error),
  );
  // tar-stream is built on streamx; callers get a Node stream.
  return Readable.from(pack, { objectMode: false });
}

/** moby's parseNames: a bare repository name means all of its tags; an ID saves no names. */
function selectImages(ctx: ImageContext, names: string[]): SaveItem[] {
  const byId = new Map<Digest, SaveItem>();
  const add = (id: Digest, tag?: Reference): void => {
    let item = byId.get(id);
    if (!item) byId.set(id, (item = { id, tags: [] }));
    if (tag && !item.tags.some((t) => referenceString(t) === referenceString(tag))) item.tags.push(tag);
  };
  for (const name of names) {
    const parsed = parseAnyReference(name);
    if (parsed.kind === "named" && parsed.ref.tag === undefined && parsed.ref.digest === undefined) {
      const repo = repositoryName(parsed.ref);
      const tagged = ctx.records
        .allRefs()
        .map((r) => ({ r, ref: parseReference(r.ref) }))
        .filter(({ ref }) => repositoryName(ref) === repo && ref.tag !== undefined);
      if (tagged.length > 0) {
        for (const { r, ref } of tagged) add(r.imageId, ref);
        continue;
      }
    }
    const id = resolveImageId(ctx, name);
    if (parsed.kind === "named" && parsed.ref.digest === undefined && ctx.records.getRef(referenceString(withTag(parsed.ref)))) {
      add(id, withTag(parsed.ref));
    } else add(id);
  }
  if (byId.size === 0) throw new InvalidArgumentError("no image names given");
  return [...byId.values()];
}

function withTag(ref: Reference): Reference {
  return ref.tag === undefined ? { ...ref, tag: "latest" } : ref;
}

async function writeArchive(ctx: ImageContext, pack: tar.Pack, items: SaveItem[]): Promise<void> {
  const written = new Set<string>();
  const addBuffer = async (name: string, data: Buffer): Promise<void> => {
    await entry(pack, { name, size: data.length, mode: 0o644, mtime: EPOCH }, data);
  };
  const addBlob = async (digest: Digest, data: Buffer): Promise<void> => {
    if (written.has(digest)) return;
    written.add(digest);
    await addBuffer(`blobs/sha256/${digestHex(digest)}`, data);
  };
  await entry(pack, { name: "blobs/", type: "directory", mode: 0o755, mtime: EPOCH });
  await entry(pack, { name: "blobs/sha256/", type: "directory", mode: 0o755, mtime: EPOCH });

  const manifestJson: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const indexEntries: Descriptor[] = [];
  for (const item of items) {
    const config = await readConfig(ctx, item.id);
    const configBytes = await ctx.content.readBytes(item.id);
    await addBlob(item.id, configBytes);
    const layerDescs: Descriptor[] = [];
    for (const layer of ctx.records.layersOf(item.id)) {
      const size = await writeLayer(ctx, pack, layer, written);
      layerDescs.push({ mediaType: MediaType.OciLayer, digest: layer.diffId, size });
    }
    const platform = { architecture: config.architecture, os: config.os, ...(config.variant ? { variant: config.variant } : {}) };
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: item.id, size: configBytes.length, platform },
      layers: layerDescs,
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const manifestDigest = digestOf(manifestBytes);
    await addBlob(manifestDigest, manifestBytes);

    const top = layerDescs[layerDescs.length - 1];
    for (const tag of item.tags) {
      if (top) (repositories[familiarName(tag)] ??= {})[tag.tag!] = digestHex(top.digest);
      indexEntries.push({
        mediaType: MediaType.OciManifest,
        digest: manifestDigest,
        size: manifestBytes.length,
        platform,
        annotations: {
          "io.containerd.image.name": referenceString(tag),
          "org.opencontainers.image.ref.name": tag.tag!,
        },
      });
    }
    // An image saved by ID has no name, but OCI readers still need to find it.
    if (item.tags.length === 0) {
      indexEntries.push({ mediaType: MediaType.OciManifest, digest: manifestDigest, size: manifestBytes.length, platform });
    }
    manifestJson.push({
      Config: `blobs/sha256/${digestHex(item.id)}`,
      RepoTags: item.tags.length > 0 ? item.tags.map(familiarString) : null,
      Layers: layerDescs.map((d) => `blobs/sha256/${digestHex(d.digest)}`),
    });
  }
  const index: Index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: indexEntries };
  await addBuffer("index.json", Buffer.from(JSON.stringify(index)));
  await addBuffer("manifest.json", Buffer.from(`${JSON.stringify(manifestJson)}\n`));
  await addBuffer("oci-layout", Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" })));
  if (Object.keys(repositories).length > 0) {
    await addBuffer("repositories", Buffer.from(`${JSON.stringify(repositories)}\n`));
  }
}

/** Writes a layer as an uncompressed tar named by its DiffID; returns its size. */
async function writeLayer(ctx: ImageContext, pack: tar.Pack, layer: LayerRow, written: Set<string>): Promise<number> {
  if (!layer.blobDigest) throw new NotFoundError(`layer ${layer.chainId} has no stored blob`);
  const blob = layer.blobDigest;
  const open = async (): Promise<Readable> => (await decompress(await ctx.content.read(blob))).stream;
  // A tar header needs the size first: an uncompressed blob knows it, a compressed one is measured.
  let size: number;
  if (blob === layer.diffId && layer.blobSize !== undefined) size = layer.blobSize;
  else {
    size = 0;
    for await (const chunk of await open()) size += (chunk as Buffer).length;
  }
  if (written.has(layer.diffId)) return size;
  written.add(layer.diffId);
  await entry(pack, { name: `blobs/sha256/${digestHex(layer.diffId)}`, size, mode: 0o644, mtime: EPOCH }, await open());
  return size;
}

const EPOCH = new Date(0);

type TarHeader = Partial<tar.Header> & Pick<tar.Header, "name">;

function entry(pack: tar.Pack, header: TarHeader, body?: Buffer | Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    if (body === undefined || Buffer.isBuffer(body)) {
      pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
      return;
    }
    const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    body.on("error", (err) => {
      sink.destroy(err);
      reject(err);
    });
    body.pipe(sink);
  });
}
