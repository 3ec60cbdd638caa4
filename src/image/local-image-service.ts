// createImageService: the ImageService over the content store, the
// snapshotter, the archive applier and the metadata database. Each verb lives
// in its own module; this file wires them and the lock they share.
import { NotFoundError } from "../errors.js";
import { familiarString, parseDockerRef } from "../oci/reference.js";
import type { ContentStore } from "../content/store.js";
import type { Snapshotter } from "../snapshot/snapshotter.js";
import type { Digest } from "../oci/types.js";
import type { DB } from "../store/db.js";
import { loadRecord, resolveImageId, type ImageContext } from "./context.js";
import { collectGarbage } from "./gc.js";
import type { ImageService } from "./image-service.js";
import { commitLayer, importImage, tagReference } from "./import.js";
import { imageHistory, inspectImage } from "./inspect.js";
import { listImages } from "./list.js";
import { createImageRecords } from "./records.js";
import { createBuildLayers } from "./build-layers.js";
import { createLeases, type Leases } from "./leases.js";
import { createBlobSources, type BlobSources } from "./blob-sources.js";
import type { RegistrySettings } from "./pull.js";
import { removeImage } from "./remove.js";
import { pruneImages } from "./prune.js";
import { createRwLock } from "./rw-lock.js";
import type { ApplyLayer } from "./unpack.js";

/** Where image events go (the daemon's bus): tag, untag, delete, import, load, save. */
export interface ImageEvents {
  publish(type: "image", action: string, id: string, attributes?: Record<string, string>): void;
}

export interface ImageServiceDeps {
  db: DB;
  /** Insecure registries and certs.d for pull and push. */
  registry?: RegistrySettings;
  content: ContentStore;
  snapshotter: Snapshotter;
  applyLayer: ApplyLayer;
  events?: ImageEvents;
}

export function createImageService(deps: ImageServiceDeps): ImageService {
  const { db } = deps;
  const ctx: ImageContext & { leases: Leases; sources: BlobSources } = {
    leases: createLeases(db),
    sources: createBlobSources(db),
    records: createImageRecords(db),
    content: deps.content,
    snapshotter: deps.snapshotter,
    applyLayer: deps.applyLayer,
    lock: createRwLock(),
  };
  const { records, snapshotter, lock } = ctx;
  const registry: RegistrySettings = deps.registry ?? { insecureRegistries: [], certsDir: "/etc/docker/certs.d" };
  const publish = (action: string, id: string, name: string) => deps.events?.publish("image", action, id, { name });
  const namesOf = async (id: string) => {
    const refs = (await loadRecord(ctx, id)).refs;
    return refs.length ? refs.map((r) => familiarString(parseDockerRef(r))) : [id];
  };

  /**
   * A load or import that fails part-way leaves blobs and snapshots that no
   * image reaches; they are collected at once, so a failure leaves nothing behind.
   */
  async function collectOnFailure<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      try {
        await lock.exclusive(() => collectGarbage(ctx, db));
      } catch (cleanupErr) {
        (err as { cleanupError?: unknown }).cleanupError = cleanupErr;
      }
      throw err;
    }
  }

  /**
   * Blobs a load or import stored that no image ended up using — a layer
   * that was already unpacked from another blob, the legacy v1 configs Docker
   * 25 archives carry — are collected at once rather than at the next rmi.
   */
  async function collectUnused(digests: Digest[]): Promise<void> {
    if (digests.some((d) => !records.blobInUse(d))) await lock.exclusive(() => collectGarbage(ctx, db));
  }

  return {
    resolve: async (refOrId) => loadRecord(ctx, resolveImageId(ctx, refOrId)),
    list: (opts) => listImages(ctx, opts),
    inspect: (refOrId) => inspectImage(ctx, refOrId),
    history: (refOrId) => imageHistory(ctx, refOrId),
    async tag(source, target) {
      const id = resolveImageId(ctx, source);
      const ref = tagReference(target, "refusing to create a tag with a digest reference");
      records.setRef(ref, id);
      publish("tag", id, familiarString(parseDockerRef(ref)));
    },
    async remove(refOrId, opts) {
      const id = resolveImageId(ctx, refOrId);
      const items = await lock.exclusive(() => removeImage(ctx, db, refOrId, opts));
      for (const item of items) {
        // As moby: the untag event names the image by its ID, not by the removed name.
        if (item.Untagged) publish("untag", id, id);
        else if (item.Deleted === id) publish("delete", id, id);
      }
      return items;
    },
    async prune(filters, opts) {
      const report = await lock.exclusive(() =>
        pruneImages(ctx, db, filters, {
          usedBy: opts.usedBy,
          onRemoved(id, items) {
            for (const item of items) {
              if (item.Untagged) publish("untag", id, id);
              else if (item.Deleted === id) publish("delete", id, id);
            }
          },
        }),
      );
      deps.events?.publish("image", "prune", "", { reclaimed: String(report.SpaceReclaimed) });
      return report;
    },
    async import(source, opts) {
      const { id, blob } = await collectOnFailure(() => importImage(ctx, source, opts));
      await collectUnused([blob]);
      publish("import", id, (await namesOf(id))[0]!);
      return id;
    },
    async save(refsOrIds) {
      // save and load are loaded on first use, as pull and push: tar-stream and streamx are
      // much code to compile at start for what most daemons seldom do.
      const { saveImages } = await import("./save.js");
      const stream = await saveImages(ctx, refsOrIds);
      for (const r of refsOrIds) {
        // A bare repository name saves all its tags and names no single image.
        let id: string | undefined;
        try {
          id = resolveImageId(ctx, r);
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
        publish("save", id ?? r, r);
      }
      return stream;
    },
    async load(source, onMessage) {
      const { loadImages } = await import("./load.js");
      const loaded: [string, string[]][] = [];
      await collectUnused(await collectOnFailure(() => loadImages(ctx, source, onMessage, (id, names) => loaded.push([id, names]))));
      for (const [id, names] of loaded) for (const name of names) publish("load", id, name);
    },
    prepareContainerRootfs: (imageId, containerId) =>
      lock.shared(async () => {
        const layers = records.layersOf(resolveImageId(ctx, imageId));
        return snapshotter.prepare(containerId, layers[layers.length - 1]?.chainId);
      }),
    async removeContainerRootfs(containerId) {
      const info = await snapshotter.stat(containerId);
      if (!info) return;
      try {
        await snapshotter.remove(containerId);
      } catch (err) {
        // Removed meanwhile by another caller: the outcome asked for.
        if (!(err instanceof NotFoundError)) throw err;
      }
      // The image was removed (rmi -f) while this container used it: the
      // layers only the container kept are released now, as Docker releases them.
      if (info.parent !== undefined && !records.layerInUse(info.parent)) {
        await lock.exclusive(() => collectGarbage(ctx, db));
      }
    },
    containerDiff: (containerId) => snapshotter.diff(containerId),
    commitLayer: (parentId, layer, config) => commitLayer(ctx, parentId, layer, config),
    async pull(reference, opts, onMessage) {
      // A failed pull leaves blobs and layers only its (dropped) lease kept: collect them now.
      // Loaded on first use: the registry client is much code most daemons seldom need.
      const { pullImage } = await import("./pull.js");
      const pulled = await collectOnFailure(() => pullImage(ctx, registry, reference, opts, onMessage));
      for (const { id, name } of pulled) publish("pull", id, name);
    },
    async push(reference, opts, onMessage) {
      const { pushImage } = await import("./push.js");
      await pushImage(ctx, registry, reference, opts, onMessage);
      publish("push", reference, familiarString(parseDockerRef(reference)));
    },
    build: createBuildLayers(ctx, db, () => lock.exclusive(async () => (await collectGarbage(ctx, db)).reclaimed)),
    releaseInterruptedLeases() {
      for (const prefix of ["pull:", "push:"]) for (const id of ctx.leases.withPrefix(prefix)) ctx.leases.delete(id);
    },
    gc: () => lock.exclusive(async () => ({ reclaimed: (await collectGarbage(ctx, db)).reclaimed })),
  };
}
