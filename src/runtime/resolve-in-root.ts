// Resolve a path inside an untrusted root filesystem the way the container
// would see it: symlinks are followed, but an absolute target restarts at the
// root and ".." stops at the root, so nothing leads out to the host. Meant for
// a root nobody else changes meanwhile (a rootfs before its container starts,
// a build step's parent image).
//
// The lstat and readlink calls are synchronous: each takes microseconds on a
// local filesystem, where an async call is a round trip to libuv's pool that
// costs the event loop ten times that, and a container start walks a few paths.
import { lstatSync as lstat, readlinkSync as readlink, type Stats } from "node:fs";
import path from "node:path";
import { InvalidArgumentError, isErrno } from "../errors.js";

const MAX_SYMLINKS = 40; // the kernel's limit (ELOOP)

export interface RootWalk {
  /** The path inside the root, symlinks resolved; from the first missing component on, the rest as written. */
  components: string[];
  /** What is there (never a symlink), or undefined when some component does not exist. */
  stat?: Stats;
}

/** Follows `p` (a path as seen inside `root`) component by component, the last one included. */
export async function walkInRoot(root: string, p: string): Promise<RootWalk> {
  const pending = p.split("/").filter((c) => c !== "" && c !== ".");
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const host = path.join(root, ...resolved, part);
    let st;
    try {
      st = lstat(host);
    } catch (err) {
      if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return { components: [...resolved, part, ...pending] };
      throw err;
    }
    if (!st.isSymbolicLink()) {
      resolved.push(part);
      if (pending.length === 0) return { components: resolved, stat: st };
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new InvalidArgumentError(`too many levels of symbolic links: ${p}`);
    const target = readlink(host);
    if (target.startsWith("/")) resolved.length = 0;
    pending.unshift(...target.split("/").filter((c) => c !== "" && c !== "."));
  }
  return { components: resolved, stat: lstat(path.join(root, ...resolved)) };
}

/**
 * The host path of `p` (a path as seen inside `root`), or undefined when some
 * component does not exist. The last component is resolved too.
 */
export async function resolveInRoot(root: string, p: string): Promise<string | undefined> {
  const walk = await walkInRoot(root, p);
  return walk.stat ? path.join(root, ...walk.components) : undefined;
}
