// What a build keeps that is not an image (yet): the layers of its steps,
// recorded like any layer and kept alive by leases — one per build in
// progress, one per build-cache entry — until an image or nothing uses them.
// Every layer is unpacked and leased under the shared lock, so garbage
// collection (exclusive) never sees it unreferenced.
import type { Readable } from "node:stream";
import { InvalidArgumentError } from "../errors.js";
import { chainIds, digestOf } from "../oci/digest.js";
import type { Digest, ImageConfig } from "../oci/types.js";
import type { DB } from "../store/db.js";
import { storeImage, type ImageContext } from "./context.js";
import type { LayerRow } from "./records.js";
import { createLeases } from "./leases.js";
import { unpackStream } from "./unpack.js";

export interface BuildLayers {
  /**
   * Unpacks `tar` (an uncompressed layer tar) on `parent`, records the layer
   * and adds its chain ID to lease `lease`. `size` is what the layer takes on
   * disk: its unpacked files plus its blob.
   */
  addLayer(parent: Digest | undefined, tar: Readable, opts: { lease: string }): Promise<{ chainId: Digest; diffId: Digest; size: number }>;
  /** True while the layer is recorded (a lease or an image keeps it). */
  hasLayer(chainId: Digest): boolean;
  /** True when some image lists the layer: pruning the cache would not free it. */
  imageUses(chainId: Digest): boolean;
  /** Adds resources (chain IDs, blob digests) to lease `id`, creating it. */
  lease(id: string, resources: string[]): void;
  deleteLease(id: string): void;
  /** Lease IDs starting with `prefix`. */
  leases(prefix: string): string[];
  /** An image of `config` (its rootfs names recorded layers), named by `refs`; returns its ID. */
  createImage(config: Buffer, refs: string[]): Promise<{ id: Digest; moved: { ref: string; previous: Digest }[] }>;
  /** Drops what no image, container or lease keeps (after builder prune). */
  collect(): Promise<number>;
}

export function createBuildLayers(ctx: ImageContext, db: DB, collect: () => Promise<number>): BuildLayers {
  const leases = createLeases(db);
  const lease = leases.add;
  return {
    addLayer: (parent, tar, opts) =>
      ctx.lock.shared(async () => {
        const row: LayerRow = await unpackStream(ctx, tar, parent !== undefined ? { parent } : {});
        ctx.records.saveLayer(row);
        lease(opts.lease, [row.chainId]);
        return { chainId: row.chainId, diffId: row.diffId, size: row.size + (row.blobSize ?? 0) };
      }),
    hasLayer: (chainId) => ctx.records.getLayer(chainId) !== undefined,
    imageUses: (chainId) => ctx.records.layerInUse(chainId),
    lease: (id, resources) => lease(id, resources),
    deleteLease: (id) => leases.delete(id),
    leases: (prefix) => leases.withPrefix(prefix),
    createImage: (config, refs) =>
      ctx.lock.shared(async () => {
        // A fully cached rebuild makes the image it made last time: nothing to write.
        const existing = digestOf(config);
        if (refs.length === 0 && ctx.records.getImage(existing)) return { id: existing, moved: [] };
        const parsed = JSON.parse(config.toString("utf8")) as ImageConfig;
        const layers = chainIds(parsed.rootfs.diff_ids).map((chainId) => {
          const row = ctx.records.getLayer(chainId);
          if (!row) throw new InvalidArgumentError(`layer ${chainId} of the built image is gone (pruned meanwhile?)`);
          return row;
        });
        return storeImage(ctx, { configBytes: config, layers, refs });
      }),
    collect,
  };
}
