// Persistent network namespaces: one per container, kept alive by a bind
// mount of the namespace on a file under <exec-root>/netns, so the CNI plugins
// can wire it before the container exists and after it died, and berthd finds
// it again after a restart. util-linux's unshare makes it and brings lo up in
// the same exec (what the loopback plugin would do, one process cheaper).
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCommand } from "../archive/run-command.js";
import { isErrno } from "../errors.js";
import { unmount } from "../mount/mount.js";

export function netnsDir(execRoot: string): string {
  return join(execRoot, "netns");
}

/** Creates the netns file for a container (lo up) and returns its path; an existing one is replaced. */
export async function createNetns(dir: string, containerId: string): Promise<string> {
  const path = join(dir, containerId);
  await mkdir(dir, { recursive: true, mode: 0o711 });
  await removeNetns(path);
  await writeFile(path, "", { mode: 0o444 });
  await runCommand("unshare", [`--net=${path}`, "ip", "link", "set", "lo", "up"]);
  return path;
}

/** Unmounts and deletes a netns file; a no-op when it is gone. */
export async function removeNetns(path: string): Promise<void> {
  await unmount(path);
  await rm(path, { force: true });
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
