// Garbage collection: everything stored is reachable from a root — an image
// (its config blob, manifest, layers and their parents), a container or
// extract snapshot (its parent layers), or a lease — and what no root reaches
// is removed: layer records with their snapshots, then blobs.
// Called under the exclusive lock, so no unpack is half-recorded meanwhile.
import type { Digest } from "../oci/types.js";
import type { DB } from "../store/db.js";
import type { SnapshotInfo } from "../snapshot/snapshotter.js";
import type { ImageContext } from "./context.js";

export async function collectGarbage(
  ctx: ImageContext,
  db: DB,
): Promise<{ reclaimed: number; removedLayers: Digest[] }> {
  const { records, snapshotter, content } = ctx;
  const layers = new Map(records.allLayers().map((l) => [l.chainId, l]));
  const snapshots = new Map((await snapshotter.list()).map((s) => [s.key, s]));
  const leased = leasedResources(db);

  const parentOf = (key: string): string | undefined => layers.get(key)?.parent ?? snapshots.get(key)?.parent;
  const keep = new Set<string>();
  const keepWithAncestors = (key: string | undefined): void => {
    for (let k = key; k !== undefined && !keep.has(k); k = parentOf(k)) keep.add(k);
  };
  for (const image of records.allImages()) for (const l of records.layersOf(image.id)) keepWithAncestors(l.chainId);
  for (const s of snapshots.values()) {
    // Only our own kinds are collected here: layers (named by chain ID) and
    // leftover extract snapshots. Container snapshots and anything another
    // subsystem made are roots.
    const ours = layers.has(s.key) || s.key.startsWith("extract-") || (s.kind === "committed" && s.key.startsWith("sha256:"));
    if (!ours) keepWithAncestors(s.key);
  }
  for (const r of leased) keepWithAncestors(r);

  let reclaimed = 0;
  const removedLayers: Digest[] = [];
  const depth = (key: string): number => {
    let d = 0;
    for (let k = parentOf(key); k !== undefined; k = parentOf(k)) d++;
    return d;
  };
  // Stale extract snapshots first (leaves), then layers and orphaned snapshots, children before parents.
  const doomed = [...new Set([...layers.keys(), ...snapshots.keys()])]
    .filter((k) => !keep.has(k))
    .sort((a, b) => depth(b) - depth(a));
  for (const key of doomed) {
    const layer = layers.get(key);
    if (layer) {
      records.deleteLayer(key);
      removedLayers.push(key);
      reclaimed += layer.size;
    }
    const snap: SnapshotInfo | undefined = snapshots.get(key);
    if (snap) await snapshotter.remove(key);
  }

  const liveBlobs = new Set<string>(leased);
  for (const image of records.allImages()) {
    liveBlobs.add(image.id);
    if (image.manifestDigest) liveBlobs.add(image.manifestDigest);
  }
  for (const l of records.allLayers()) if (l.blobDigest) liveBlobs.add(l.blobDigest);
  for (const blob of await content.list()) {
    if (liveBlobs.has(blob.digest)) continue;
    await content.delete(blob.digest);
    reclaimed += blob.size;
  }
  return { reclaimed, removedLayers };
}

/** Leases (held by a pull or build in progress) name the digests and snapshot keys they protect. */
function leasedResources(db: DB): string[] {
  const rows = db.prepare<[], { resources: string }>("SELECT resources FROM leases").all();
  return rows.flatMap((r) => {
    const parsed: unknown = JSON.parse(r.resources);
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
  });
}
