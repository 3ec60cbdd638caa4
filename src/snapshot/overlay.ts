// overlay2: each snapshot is an overlayfs layer, laid out as Docker lays it out.
//
//   <root>/<id>/diff    the layer's own tree (a container's upperdir)
//   <root>/<id>/work    overlayfs' workdir
//   <root>/<id>/link    the short name below, for people reading the tree
//   <root>/l/<short>    → ../<id>/diff, for committed snapshots only
//
// The kernel takes mount options from one page (4095 bytes), so lowerdirs are
// named by the short links: `<root>/l/<16 hex>` costs len(root) + 20 bytes per
// layer. With the default root /var/lib/berth/overlay2 that fits about 90
// layers (Docker's relative `l/<short>` names need a chdir, which a daemon
// cannot do per mount); mountAll refuses longer option strings with a clear
// error rather than letting the kernel truncate them.
import { readFile, readdir, mkdir, rename, stat, symlink, unlink, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { isErrno } from "../errors.js";
import { diffOverlay } from "../archive/diff.js";
import type { DB } from "../store/db.js";
import { createSnapshotterCore, removeDebris } from "./core.js";
import type { Snapshotter } from "./snapshotter.js";

export function createOverlaySnapshotter(root: string, db: DB): Snapshotter {
  const links = `${root}/l`;
  const shortOf = (dir: string): string => basename(dir).slice(0, 16);
  const lower = (dir: string): string => `${links}/${shortOf(dir)}`;

  return createSnapshotterCore(root, db, {
    name: "overlay2",
    whiteoutMode: "overlay",
    // diff/ holds this layer's changes only (whiteouts as overlay devices): it can be unpacked before its parent exists.
    standalone: true,

    async populate(dir) {
      await mkdir(`${dir}/diff`, { mode: 0o755 });
      await mkdir(`${dir}/work`, { mode: 0o700 });
    },

    tree: (dir) => `${dir}/diff`,

    mounts(kind, chain) {
      const [self, ...parents] = chain as [string, ...string[]];
      if (kind === "committed") {
        // A read-only view: overlayfs without an upperdir needs two lowers.
        if (parents.length === 0) return [{ type: "bind", source: `${self}/diff`, options: ["rbind", "ro"] }];
        return [{ type: "overlay", source: "overlay", options: [`lowerdir=${chain.map(lower).join(":")}`] }];
      }
      if (parents.length === 0) return [{ type: "bind", source: `${self}/diff`, options: ["rbind", "rw"] }];
      return [
        {
          type: "overlay",
          source: "overlay",
          options: [`lowerdir=${parents.map(lower).join(":")}`, `upperdir=${self}/diff`, `workdir=${self}/work`],
        },
      ];
    },

    diff: (dir) => diffOverlay(`${dir}/diff`),

    async committed(dir) {
      await mkdir(links, { recursive: true });
      const short = shortOf(dir);
      const tmp = `${links}/.${short}.tmp`;
      await unlink(tmp).catch((err: unknown) => {
        if (!isErrno(err, "ENOENT")) throw err;
      });
      await symlink(`../${basename(dir)}/diff`, tmp);
      await rename(tmp, `${links}/${short}`);
      await writeFile(`${dir}/link`, short);
    },

    async removing(dir) {
      try {
        // Only the link this snapshot owns: a crash may have left another's there.
        const short = (await readFile(`${dir}/link`, "utf8")).trim();
        if (short === shortOf(dir)) await unlink(`${links}/${short}`);
      } catch (err) {
        if (!isErrno(err, "ENOENT")) throw err;
      }
    },
  });
}

/**
 * Crash debris of overlay2 (see removeDebris), plus short links in l/ whose
 * snapshot is gone: a crash between making a link and recording its snapshot.
 */
export async function removeOverlayDebris(root: string, db: DB): Promise<void> {
  await removeDebris(root, db, ["l"]);
  const links = `${root}/l`;
  let names: string[];
  try {
    names = await readdir(links);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return;
    throw err;
  }
  for (const name of names) {
    try {
      await stat(`${links}/${name}`);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
      await unlink(`${links}/${name}`);
    }
  }
}
