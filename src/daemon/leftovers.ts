// What a crash can leave behind that no record reaches, collected once at
// start-up, after container recovery and before the API serves: the writable
// snapshot of a container whose creation was undone but not finished, and the
// blobs and layer snapshots of a load, import or commit that never recorded
// its image (image gc). Until then they would only take space: nothing lists them.
import type { ImageService } from "../image/image-service.js";
import type { Snapshotter } from "../snapshot/snapshotter.js";
import type { DB } from "../store/db.js";

export interface Leftovers {
  /** Container snapshots without a container. */
  rootfs: string[];
  /** Bytes image gc reclaimed. */
  reclaimed: number;
}

const CONTAINER_ID = /^[0-9a-f]{64}$/;

export async function collectLeftovers(deps: { db: DB; snapshotter: Snapshotter; images: ImageService }): Promise<Leftovers> {
  const containers = new Set(deps.db.prepare<[], { id: string }>("SELECT id FROM containers").all().map((r) => r.id));
  const rootfs: string[] = [];
  for (const snap of await deps.snapshotter.list()) {
    // Container snapshots are keyed by the container's ID; image layers by "sha256:…", unpacks by "extract-…".
    if (snap.kind !== "active" || !CONTAINER_ID.test(snap.key) || containers.has(snap.key)) continue;
    await deps.images.removeContainerRootfs(snap.key);
    rootfs.push(snap.key);
  }
  deps.images.releaseInterruptedLeases();
  const { reclaimed } = await deps.images.gc();
  return { rootfs, reclaimed };
}
