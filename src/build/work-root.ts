// A step's view of a filesystem: a writable snapshot on a result's top layer,
// mounted under the build's directory. RUN runs in it and its changes become
// the layer; COPY only looks things up in it (RootView); COPY --from reads it.
import { randomBytes } from "node:crypto";
import { mkdir, rmdir } from "node:fs/promises";
import path from "node:path";
import { mountAll, unmount } from "../mount/mount.js";
import { walkInRoot } from "../runtime/resolve-in-root.js";
import type { Digest } from "../oci/types.js";
import type { Snapshotter } from "../snapshot/snapshotter.js";
import type { RootView, SourceEntryType } from "./context/build-context.js";

/** Snapshot keys (and runc IDs) of build steps; what a crash leaves of them is removed at start-up. */
export const BUILD_KEY_PREFIX = "build-";

export interface WorkRoot {
  key: string;
  /** Where the snapshot is mounted. */
  dir: string;
  unmount(): Promise<void>;
  /** Unmounts (if still mounted) and removes the snapshot. */
  release(): Promise<void>;
}

export async function openWorkRoot(snapshotter: Snapshotter, parent: Digest | undefined, opts: { under: string }): Promise<WorkRoot> {
  const key = `${BUILD_KEY_PREFIX}${randomBytes(12).toString("hex")}`;
  const dir = path.join(opts.under, key);
  const mounts = await snapshotter.prepare(key, parent);
  let mounted = false;
  try {
    await mkdir(dir, { recursive: true });
    await mountAll(mounts, dir);
    mounted = true;
  } catch (err) {
    await snapshotter.remove(key).catch(() => undefined);
    throw err;
  }
  const doUnmount = async (): Promise<void> => {
    if (!mounted) return;
    await unmount(dir);
    mounted = false;
    await rmdir(dir).catch(() => undefined);
  };
  return {
    key,
    dir,
    unmount: doUnmount,
    async release() {
      await doUnmount();
      await snapshotter.remove(key);
    },
  };
}

/** RootView over a directory holding a root filesystem: symlinks are followed inside it, never out. */
export function rootViewOf(root: string): RootView {
  return {
    async resolve(p) {
      const { components, stat: st } = await walkInRoot(root, p);
      const resolved = `/${components.join("/")}`;
      if (!st) return { path: resolved };
      const type: SourceEntryType | "other" = st.isDirectory() ? "dir" : st.isFile() ? "file" : "other";
      return { path: resolved, stat: { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs } };
    },
  };
}
