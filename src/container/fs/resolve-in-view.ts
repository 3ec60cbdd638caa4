// Resolving a path the way a process in the container would see it, across
// the container's mounts, without ever leaving them: symlinks are followed
// with an absolute target restarting at the container's root and ".."
// stopping there, and every component is lstat'ed on the host in the tree
// (rootfs or mount source) that holds it, so each host path used is made of
// components already checked to be real directories. Sound while nothing
// changes the trees meanwhile (see fs-view.ts: the container is stopped or frozen).
import type { Stats } from "node:fs";
import { lstat, readlink } from "node:fs/promises";
import { InvalidArgumentError, isErrno } from "../../errors.js";
import type { ViewMount } from "./fs-view.js";

const MAX_SYMLINKS = 40; // the kernel's limit (ELOOP)

export interface ViewPath {
  /** The path inside the container, symlinks resolved: "/" + components. */
  components: string[];
  /** The host path of it (in its mount's source). */
  host: string;
  mount: ViewMount;
  /** undefined when it does not exist. Never a symlink when followed. */
  stat?: Stats;
}

/** The mount holding `comps` and the host path of it there. */
export function hostPathOf(mounts: readonly ViewMount[], comps: readonly string[]): { host: string; mount: ViewMount } {
  let best = mounts[0]!;
  for (const m of mounts) {
    if (m.components.length <= best.components.length || m.components.length > comps.length) continue;
    if (m.components.every((c, i) => comps[i] === c)) best = m;
  }
  const rest = comps.slice(best.components.length);
  return { host: rest.length === 0 ? best.source : `${best.source}/${rest.join("/")}`, mount: best };
}

/** Resolves `p` (absolute in the container); the last component is followed only when `followLast`. */
export async function resolveInView(mounts: readonly ViewMount[], p: string, opts: { followLast: boolean }): Promise<ViewPath> {
  const pending = split(p);
  const resolved: string[] = [];
  let links = 0;
  for (;;) {
    const part = pending.shift();
    if (part === undefined) break;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const { host, mount } = hostPathOf(mounts, [...resolved, part]);
    let st: Stats;
    try {
      st = await lstat(host);
    } catch (err) {
      if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return { components: [...resolved, part, ...pending.filter((c) => c !== "..")], host, mount };
      throw err;
    }
    if (!st.isSymbolicLink() || (pending.length === 0 && !opts.followLast)) {
      resolved.push(part);
      if (pending.length === 0) return { components: resolved, host, mount, stat: st };
      if (!st.isDirectory()) return { components: [...resolved, ...pending], host: `${host}/${pending.join("/")}`, mount };
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new InvalidArgumentError(`too many levels of symbolic links: ${p}`);
    const target = await readlink(host);
    if (target.startsWith("/")) resolved.length = 0;
    pending.unshift(...split(target));
  }
  const { host, mount } = hostPathOf(mounts, resolved);
  return { components: resolved, host, mount, stat: await lstat(host) };
}

function split(p: string): string[] {
  return p.split("/").filter((c) => c !== "" && c !== ".");
}

/** "/" + components. */
export const containerPath = (comps: readonly string[]): string => `/${comps.join("/")}`;
