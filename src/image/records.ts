// The image metadata in SQLite (tables layers, images, image_layers,
// image_refs of store/db.ts). Configs are not stored here: an image's config is
// the content-store blob whose digest is the image ID.
import type { DB } from "../store/db.js";
import type { Digest } from "../oci/types.js";

export interface LayerRow {
  chainId: Digest;
  diffId: Digest;
  parent?: Digest;
  /** The blob the layer was unpacked from (compressed or not), kept for save and push. */
  blobDigest?: Digest;
  blobMediaType?: string;
  blobSize?: number;
  /** Bytes of files in the layer, as the tar applier reported. */
  size: number;
}

export interface ImageRow {
  id: Digest;
  manifestDigest?: Digest;
  created?: string;
  size: number;
  added: string;
}

export interface RefRow {
  ref: string;
  imageId: Digest;
  added: string;
}

export interface ImageRecords {
  getImage(id: Digest): ImageRow | undefined;
  allImages(): ImageRow[];
  /** Full IDs whose hex starts with `hexPrefix`. */
  idsWithPrefix(hexPrefix: string): Digest[];
  layersOf(imageId: Digest): LayerRow[];
  getLayer(chainId: Digest): LayerRow | undefined;
  allLayers(): LayerRow[];
  /** True when some image lists the layer. */
  layerInUse(chainId: Digest): boolean;
  /** True when a blob is an image's config or manifest, or a layer's source. */
  blobInUse(digest: Digest): boolean;
  refsOf(imageId: Digest): RefRow[];
  allRefs(): RefRow[];
  getRef(ref: string): RefRow | undefined;
  /** Adds the image (if new), its layers (if new) and refs, in one transaction; returns refs moved from other images. */
  saveImage(image: ImageRow, layers: LayerRow[], refs: string[]): { ref: string; previous: Digest }[];
  /** Points a layer at another blob of the same content (its compressed form, made for a push). */
  setLayerBlob(chainId: Digest, blob: { digest: Digest; mediaType: string; size: number }): void;
  /** Records a layer no image lists yet (a build step's), if new. */
  saveLayer(layer: LayerRow): void;
  setRef(ref: string, imageId: Digest): void;
  deleteRef(ref: string): void;
  deleteImage(id: Digest): void;
  deleteLayer(chainId: Digest): void;
}

interface LayerSql {
  chain_id: string;
  diff_id: string;
  parent: string | null;
  blob_digest: string | null;
  blob_media_type: string | null;
  blob_size: number | null;
  size: number;
}
interface ImageSql {
  id: string;
  manifest_digest: string | null;
  created: string | null;
  size: number;
  added: string;
}
interface RefSql {
  ref: string;
  image_id: string;
  added: string;
}

export function createImageRecords(db: DB): ImageRecords {
  const q = {
    getImage: db.prepare<[string], ImageSql>("SELECT * FROM images WHERE id = ?"),
    allImages: db.prepare<[], ImageSql>("SELECT * FROM images"),
    idsWithPrefix: db.prepare<[string], { id: string }>("SELECT id FROM images WHERE id LIKE ? ESCAPE '\\'"),
    layersOf: db.prepare<[string], LayerSql>(
      "SELECT l.* FROM image_layers il JOIN layers l ON l.chain_id = il.chain_id WHERE il.image_id = ? ORDER BY il.idx",
    ),
    getLayer: db.prepare<[string], LayerSql>("SELECT * FROM layers WHERE chain_id = ?"),
    allLayers: db.prepare<[], LayerSql>("SELECT * FROM layers"),
    layerInUse: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM image_layers WHERE chain_id = ? LIMIT 1"),
    blobInUse: db.prepare<[string, string, string], { one: number }>(
      "SELECT 1 AS one FROM layers WHERE blob_digest = ? UNION ALL SELECT 1 FROM images WHERE id = ? OR manifest_digest = ? LIMIT 1",
    ),
    refsOf: db.prepare<[string], RefSql>("SELECT * FROM image_refs WHERE image_id = ? ORDER BY ref"),
    allRefs: db.prepare<[], RefSql>("SELECT * FROM image_refs ORDER BY ref"),
    getRef: db.prepare<[string], RefSql>("SELECT * FROM image_refs WHERE ref = ?"),
    insertImage: db.prepare(
      "INSERT OR IGNORE INTO images (id, manifest_digest, created, size, added) VALUES (@id, @manifest_digest, @created, @size, @added)",
    ),
    insertLayer: db.prepare(
      `INSERT OR IGNORE INTO layers (chain_id, diff_id, parent, blob_digest, blob_media_type, blob_size, size)
       VALUES (@chain_id, @diff_id, @parent, @blob_digest, @blob_media_type, @blob_size, @size)`,
    ),
    insertImageLayer: db.prepare("INSERT OR IGNORE INTO image_layers (image_id, idx, chain_id) VALUES (?, ?, ?)"),
    upsertRef: db.prepare(
      "INSERT INTO image_refs (ref, image_id, added) VALUES (?, ?, ?) ON CONFLICT(ref) DO UPDATE SET image_id = excluded.image_id, added = excluded.added",
    ),
    deleteRef: db.prepare("DELETE FROM image_refs WHERE ref = ?"),
    deleteImage: db.prepare("DELETE FROM images WHERE id = ?"),
    deleteLayer: db.prepare("DELETE FROM layers WHERE chain_id = ?"),
    setLayerBlob: db.prepare("UPDATE layers SET blob_digest = ?, blob_media_type = ?, blob_size = ? WHERE chain_id = ?"),
  };

  const setRef = (ref: string, imageId: Digest): void => {
    q.upsertRef.run(ref, imageId, new Date().toISOString());
  };

  const saveLayer = (l: LayerRow): void => {
    q.insertLayer.run({
      chain_id: l.chainId,
      diff_id: l.diffId,
      parent: l.parent ?? null,
      blob_digest: l.blobDigest ?? null,
      blob_media_type: l.blobMediaType ?? null,
      blob_size: l.blobSize ?? null,
      size: l.size,
    });
  };

  const saveImage = db.transaction((image: ImageRow, layers: LayerRow[], refs: string[]) => {
    for (const l of layers) saveLayer(l);
    q.insertImage.run({
      id: image.id,
      manifest_digest: image.manifestDigest ?? null,
      created: image.created ?? null,
      size: image.size,
      added: image.added,
    });
    layers.forEach((l, idx) => q.insertImageLayer.run(image.id, idx, l.chainId));
    const moved: { ref: string; previous: Digest }[] = [];
    for (const ref of refs) {
      const prev = q.getRef.get(ref);
      if (prev && prev.image_id !== image.id) moved.push({ ref, previous: prev.image_id });
      setRef(ref, image.id);
    }
    return moved;
  });

  return {
    getImage: (id) => toImage(q.getImage.get(id)),
    allImages: () => q.allImages.all().map((r) => toImage(r)!),
    idsWithPrefix: (hex) => q.idsWithPrefix.all(`sha256:${hex.replace(/[%_\\]/g, "\\$&")}%`).map((r) => r.id),
    layersOf: (id) => q.layersOf.all(id).map((r) => toLayer(r)!),
    getLayer: (chainId) => toLayer(q.getLayer.get(chainId)),
    allLayers: () => q.allLayers.all().map((r) => toLayer(r)!),
    layerInUse: (chainId) => q.layerInUse.get(chainId) !== undefined,
    blobInUse: (digest) => q.blobInUse.get(digest, digest, digest) !== undefined,
    refsOf: (id) => q.refsOf.all(id).map(toRef),
    allRefs: () => q.allRefs.all().map(toRef),
    getRef: (ref) => {
      const r = q.getRef.get(ref);
      return r && toRef(r);
    },
    saveImage: (image, layers, refs) => saveImage(image, layers, refs),
    saveLayer,
    setLayerBlob: (chainId, blob) => void q.setLayerBlob.run(blob.digest, blob.mediaType, blob.size, chainId),
    setRef,
    deleteRef: (ref) => void q.deleteRef.run(ref),
    deleteImage: (id) => void q.deleteImage.run(id),
    deleteLayer: (chainId) => void q.deleteLayer.run(chainId),
  };
}

function toImage(r: ImageSql | undefined): ImageRow | undefined {
  if (!r) return undefined;
  const out: ImageRow = { id: r.id, size: r.size, added: r.added };
  if (r.manifest_digest !== null) out.manifestDigest = r.manifest_digest;
  if (r.created !== null) out.created = r.created;
  return out;
}

function toLayer(r: LayerSql | undefined): LayerRow | undefined {
  if (!r) return undefined;
  const out: LayerRow = { chainId: r.chain_id, diffId: r.diff_id, size: r.size };
  if (r.parent !== null) out.parent = r.parent;
  if (r.blob_digest !== null) out.blobDigest = r.blob_digest;
  if (r.blob_media_type !== null) out.blobMediaType = r.blob_media_type;
  if (r.blob_size !== null) out.blobSize = r.blob_size;
  return out;
}

function toRef(r: RefSql): RefRow {
  return { ref: r.ref, imageId: r.image_id, added: r.added };
}
