// Choosing the snapshotter for a data root: overlay2 where overlayfs works on
// that filesystem (it does not on top of another overlay, nor where trusted.*
// xattrs or whiteout devices cannot be made), vfs otherwise.
import { lstat, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { mknod } from "../archive/special-files.js";
import { setXattrs } from "../archive/xattrs.js";
import { SystemError, isErrno } from "../errors.js";
import { mountAll, unmount } from "../mount/mount.js";
import type { DB } from "../store/db.js";
import { removeDebris } from "./core.js";
import { createOverlaySnapshotter, removeOverlayDebris } from "./overlay.js";
import type { Snapshotter } from "./snapshotter.js";
import { createVfsSnapshotter } from "./vfs.js";

export async function chooseSnapshotter(
  dataRoot: string,
  db: DB,
  preferred?: "overlay2" | "vfs",
): Promise<Snapshotter> {
  if (preferred === "vfs") return openVfs(dataRoot, db);
  const failure = await probeOverlay(dataRoot);
  if (failure === undefined) {
    await removeOverlayDebris(`${dataRoot}/overlay2`, db);
    return createOverlaySnapshotter(`${dataRoot}/overlay2`, db);
  }
  // Asked for by name, overlay2 must work: silently storing layers elsewhere would hide them.
  if (preferred === "overlay2") throw new SystemError(`overlay2 is not supported on ${dataRoot}: ${failure}`);
  return openVfs(dataRoot, db);
}

/** Opening a snapshotter is the one moment nothing else uses its tree: the time to clear a crash's debris. */
async function openVfs(dataRoot: string, db: DB): Promise<Snapshotter> {
  await removeDebris(`${dataRoot}/vfs`, db, []);
  return createVfsSnapshotter(`${dataRoot}/vfs`, db);
}

/** Mounts a two-layer overlay with a whiteout and an opaque dir under dataRoot; returns why it failed, if it did. */
async function probeOverlay(dataRoot: string): Promise<string | undefined> {
  await mkdir(dataRoot, { recursive: true });
  const dir = await mkdtemp(`${dataRoot}/overlay-probe-`);
  const merged = `${dir}/merged`;
  try {
    for (const d of ["lower/opaque", "upper/opaque", "work", "merged"]) await mkdir(`${dir}/${d}`, { recursive: true });
    await writeFile(`${dir}/lower/file`, "lower");
    await writeFile(`${dir}/lower/gone`, "");
    await writeFile(`${dir}/lower/opaque/hidden`, "");
    await mknod(`${dir}/upper/gone`, { type: "char", major: 0, minor: 0 });
    await setXattrs(new Map([[`${dir}/upper/opaque`, new Map([["trusted.overlay.opaque", Buffer.from("y")]])]]));
    await mountAll(
      [{ type: "overlay", source: "overlay", options: [`lowerdir=${dir}/lower`, `upperdir=${dir}/upper`, `workdir=${dir}/work`] }],
      merged,
    );
    try {
      if ((await readFile(`${merged}/file`, "utf8")) !== "lower") return "lower layer not visible";
      if (await exists(`${merged}/gone`)) return "whiteouts not honoured";
      if (await exists(`${merged}/opaque/hidden`)) return "opaque directories not honoured";
      await writeFile(`${merged}/file`, "upper");
      if ((await readFile(`${dir}/upper/file`, "utf8")) !== "upper") return "copy-up failed";
    } finally {
      await unmount(merged);
    }
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (isErrno(err, "ENOENT")) return false;
    throw err;
  }
}
