// dockerd's copy-up: the first time an empty volume is mounted where the
// image has content, that content is copied into the volume — owners, modes,
// timestamps, symlinks (as links) and all — and the volume's root takes the
// owner and mode of the image's directory. The path is resolved inside the
// rootfs (symlinks followed there, never out of it) before the container
// runs, while nothing else changes the rootfs.
import { execFile } from "node:child_process";
import { chmod, chown, readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { SystemError } from "../errors.js";
import { walkInRoot } from "../runtime/resolve-in-root.js";

const run = promisify(execFile);

/** Copies the rootfs' `destination` into `volumeDir` when the volume is empty and the image has a directory there. */
export async function copyUp(rootfs: string, destination: string, volumeDir: string): Promise<boolean> {
  if ((await readdir(volumeDir)).length > 0) return false;
  const walk = await walkInRoot(rootfs, destination);
  if (!walk.stat?.isDirectory()) return false;
  const source = join(rootfs, ...walk.components);
  try {
    // cp -a never dereferences: links inside the tree are copied as links.
    await run("cp", ["-a", "--", `${source}/.`, `${volumeDir}/`]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new SystemError(`copying image data to volume at ${destination}: ${stderr || (err as Error).message}`, { cause: err });
  }
  await chown(volumeDir, walk.stat.uid, walk.stat.gid);
  await chmod(volumeDir, walk.stat.mode & 0o7777);
  return true;
}
