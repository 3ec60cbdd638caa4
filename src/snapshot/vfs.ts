// vfs: every snapshot is a full copy of its parent's tree, for filesystems
// where overlayfs does not work. Slow and large, but it needs nothing.
//
//   <root>/<id>/fs    the snapshot's whole tree
//
// The copy is `cp -a --reflink=auto`: it keeps modes, owners, times, xattrs and
// hard links, and shares blocks where the filesystem can (btrfs, xfs).
import { mkdir } from "node:fs/promises";
import { diffTrees, packDirectory } from "../archive/diff.js";
import { runCommand } from "../archive/run-command.js";
import type { DB } from "../store/db.js";
import { createSnapshotterCore } from "./core.js";
import type { Snapshotter } from "./snapshotter.js";

export function createVfsSnapshotter(root: string, db: DB): Snapshotter {
  return createSnapshotterCore(root, db, {
    name: "vfs",
    whiteoutMode: "remove",
    // Each tree is a full copy of its parent's: a layer can only be applied on top of it.
    standalone: false,

    async populate(dir, parentDir) {
      if (parentDir === undefined) await mkdir(`${dir}/fs`, { mode: 0o755 });
      else await runCommand("cp", ["-a", "--reflink=auto", "--", `${parentDir}/fs`, `${dir}/fs`]);
    },

    tree: (dir) => `${dir}/fs`,

    mounts(kind, [self]) {
      return [{ type: "bind", source: `${self!}/fs`, options: ["rbind", kind === "active" ? "rw" : "ro"] }];
    },

    diff: (dir, parentDir) => (parentDir === undefined ? packDirectory(`${dir}/fs`) : diffTrees(`${parentDir}/fs`, `${dir}/fs`)),

    async committed() {},
    async removing() {},
  });
}
