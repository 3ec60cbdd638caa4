// Persistent network namespaces: one per container, kept alive by a bind
// mount of the namespace on a file under <exec-root>/netns, so the CNI plugins
// can wire it before the container exists and after it died, and berthd finds
// it again after a restart. util-linux's unshare makes it and brings lo up in
// the same exec (what the loopback plugin would do, one process cheaper).
import { mkdirSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { programPath } from "../archive/helper-programs.js";
import { runCommand } from "../archive/run-command.js";
import { isErrno } from "../errors.js";
import { unmount } from "../mount/mount.js";

export function netnsDir(execRoot: string): string {
  return join(execRoot, "netns");
}

/** Creates the netns file for a container (lo up) and returns its path; an existing one is replaced. */
export async function createNetns(dir: string, containerId: string): Promise<string> {
  const path = join(dir, containerId);
  // Synchronous: under the exec root, a tmpfs (daemon/exec-root.ts), each
  // call takes microseconds, less than a round trip to libuv's pool.
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  await removeNetns(path);
  writeFileSync(path, "", { mode: 0o444 });
  await runCommand("unshare", [`--net=${path}`, programPath("ip"), "link", "set", "lo", "up"]);
  return path;
}

/** Unmounts and deletes a netns file; a no-op when it is gone. */
export async function removeNetns(path: string): Promise<void> {
  await unmount(path);
  rmSync(path, { force: true });
}

/**
 * Whether a process is still in the netns of this file: another container
 * joined it (--network container:<id>). Without one, unmounting the file ends
 * the namespace and the kernel deletes its interfaces; with one, they would
 * live on with addresses berth gives out again. False when the file is gone.
 */
export async function netnsInUse(path: string): Promise<boolean> {
  let ino: number;
  try {
    ino = (await stat(path)).ino;
  } catch (err) {
    if (isErrno(err, "ENOENT")) return false;
    throw err;
  }
  // The bind mount shows the namespace's own inode; an empty file (never mounted) matches no process.
  const wanted = `net:[${ino}]`;
  // Synchronous on purpose: a few hundred readlinks of procfs take well under a
  // millisecond in one go, far less than as many thread-pool round trips.
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readlinkSync(`/proc/${pid}/ns/net`) === wanted) return true;
    } catch (err) {
      // The process ended meanwhile, or is one berthd may not inspect (outside its user namespace: not a container of its own).
      if (!isErrno(err, "ENOENT") && !isErrno(err, "ESRCH") && !isErrno(err, "EACCES")) throw err;
    }
  }
  return false;
}

/** The container IDs that have a netns file. */
export async function listNetns(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return [];
    throw err;
  }
}
