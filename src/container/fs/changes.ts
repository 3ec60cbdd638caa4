// GET /containers/{id}/changes (docker diff): the container's overlay upper
// directory compared with the image's layers, by dockerd's rules
// (pkg/archive changes): a whiteout is a deletion; an entry the layers have
// is a change — except a directory whose size, mode and mtime are the same,
// which is only there because something below it changed — else an addition;
// the parent of an addition or deletion is always reported changed.
//
// What the runtime itself creates (the /etc files berth binds, mount points)
// lives in dockerd's init layer and never shows; here those placeholders are
// in the upper directory and are left out, with directories that hold nothing else.
import type { BigIntStats } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { NotImplementedError, isErrno } from "../../errors.js";
import { readXattrs } from "../../archive/xattrs.js";
import { driverData } from "../size.js";
import type { FilesystemChange } from "./container-fs-service.js";
import type { FsView } from "./fs-view.js";

const MODIFY = 0;
const ADD = 1;
const DELETE = 2;

/** Paths runc or berth create in a rootfs to mount over; empty ones are not the user's changes. */
export function placeholderPaths(view: FsView): Set<string> {
  return new Set(["/dev", "/proc", "/sys", ...view.mounts.slice(1).map((m) => m.destination)]);
}

export async function containerChanges(view: FsView): Promise<FilesystemChange[]> {
  const driver = driverData(view.rec.rootfsMounts, "");
  if (driver.name !== "overlay2" || driver.writable === undefined) {
    throw new NotImplementedError("docker diff is not supported on the vfs storage driver");
  }
  const upper = driver.writable;
  const lowers = driver.data.LowerDir ? driver.data.LowerDir.split(":") : [];
  const opaque = await readXattrs(upper, ["trusted.overlay.opaque"]);
  const placeholders = placeholderPaths(view);
  const changes: FilesystemChange[] = [];
  const changedDirs = new Set<string>();
  const skipped = new Set<string>();

  /** `inLowers[i]`: the directory exists as a real directory in lower i (so its children may). */
  async function walk(rel: string, inLowers: boolean[]): Promise<void> {
    for (const name of await sortedNames(`${upper}${rel}`)) {
      const path = `${rel}/${name}`;
      const f = await lstat(`${upper}${path}`, { bigint: true });
      const lower = await findInLowers(lowers, path, inLowers);
      let kind: 0 | 1 | 2 | undefined;
      if (f.isCharacterDevice() && f.rdev === 0n) kind = DELETE;
      else if (lower === undefined) kind = ADD;
      else if (!(f.isDirectory() && lower.st.isDirectory() && sameDir(f, lower.st))) kind = MODIFY;
      if (kind === ADD && placeholders.has(path) && (await isEmpty(`${upper}${path}`, f))) {
        skipped.add(path);
      } else if (kind !== undefined) {
        if (f.isDirectory()) changedDirs.add(path);
        if ((kind === ADD || kind === DELETE) && rel !== "" && !changedDirs.has(rel)) {
          changes.push({ Path: rel, Kind: MODIFY });
          changedDirs.add(rel);
        }
        changes.push({ Path: path, Kind: kind });
      }
      if (f.isDirectory()) {
        const isOpaque = opaque.get(`${upper}${path}`)?.get("trusted.overlay.opaque")?.toString() === "y";
        const below = lowers.map((_, i) => !isOpaque && lower !== undefined && lower.dirs[i] === true);
        await walk(path, below);
      }
    }
  }
  await walk("", lowers.map(() => true));
  return dropPlaceholderParents(changes, skipped);
}

/** Directories reported only because a placeholder was made in them. */
function dropPlaceholderParents(changes: FilesystemChange[], skipped: Set<string>): FilesystemChange[] {
  if (skipped.size === 0) return changes;
  const holdsPlaceholder = (dir: string): boolean => [...skipped].some((p) => p.startsWith(`${dir}/`));
  return changes.filter((c) => {
    if (c.Kind === DELETE || !holdsPlaceholder(c.Path)) return true;
    return changes.some((o) => o.Path.startsWith(`${c.Path}/`));
  });
}

/**
 * The entry at `path` in the topmost lower layer that has it (a whiteout
 * there hides the layers below), looking only where the parent directory is a
 * real directory in that layer, so no lookup passes through a layer's symlink.
 */
async function findInLowers(lowers: string[], path: string, parentIn: boolean[]): Promise<{ st: BigIntStats; dirs: boolean[] } | undefined> {
  for (let i = 0; i < lowers.length; i++) {
    if (!parentIn[i]) continue;
    let st: BigIntStats;
    try {
      st = await lstat(`${lowers[i]}${path}`, { bigint: true });
    } catch (err) {
      if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) continue;
      throw err;
    }
    if (st.isCharacterDevice() && st.rdev === 0n) return undefined;
    const dirs = await Promise.all(
      lowers.map(async (l, j) => {
        if (j < i || !parentIn[j]) return false;
        if (j === i) return st.isDirectory();
        try {
          return (await lstat(`${l}${path}`)).isDirectory();
        } catch (err) {
          if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return false;
          throw err;
        }
      }),
    );
    return { st, dirs };
  }
  return undefined;
}

function sameDir(a: BigIntStats, b: BigIntStats): boolean {
  return a.size === b.size && a.mode === b.mode && a.mtimeNs / 1000n === b.mtimeNs / 1000n;
}

async function isEmpty(host: string, st: BigIntStats): Promise<boolean> {
  if (st.isFile()) return st.size === 0n;
  if (st.isDirectory()) return (await readdir(host)).length === 0;
  return false;
}

async function sortedNames(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
