// Sizes for inspect --size and ps --size: the bytes in the container's
// writable layer (overlay upperdir, or the whole vfs tree), counted without
// following symlinks, and the driver data inspect shows as GraphDriver.
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { isErrno } from "../errors.js";
import type { Mount } from "../snapshot/snapshotter.js";

export interface DriverData {
  name: "overlay2" | "vfs";
  data: Record<string, string>;
  /** The directory holding the container's own changes. */
  writable?: string;
}

export function driverData(mounts: Mount[], mergedDir: string): DriverData {
  const overlay = mounts.find((m) => m.type === "overlay");
  if (!overlay) {
    const bind = mounts[0];
    return { name: "vfs", data: {}, ...(bind ? { writable: bind.source } : {}) };
  }
  const opt = (key: string) => overlay.options.find((o) => o.startsWith(`${key}=`))?.slice(key.length + 1) ?? "";
  const upper = opt("upperdir");
  return {
    name: "overlay2",
    data: { LowerDir: opt("lowerdir"), MergedDir: mergedDir, UpperDir: upper, WorkDir: opt("workdir") },
    ...(upper ? { writable: upper } : {}),
  };
}

export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isErrno(err, "ENOENT")) return 0;
    throw err;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await dirSize(path);
    else total += (await lstat(path)).size;
  }
  return total;
}
