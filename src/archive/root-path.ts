// Confining untrusted paths (tar entry names, link targets) to a root directory.
//
// Node has no openat2(RESOLVE_IN_ROOT), so a path is checked component by
// component with lstat: every intermediate component must be a real directory
// inside the root, never a symlink, so that the kernel's own walk of the
// absolute path can only go where we looked. This holds because nothing else
// changes the tree while a layer is applied (a fresh, unmounted snapshot).
import { lstatSync, mkdirSync } from "node:fs";
import { InvalidArgumentError, isErrno } from "../errors.js";

/**
 * The components of `name` relative to the root, lexically cleaned the way
 * Docker cleans entry names ("a/../b" is "b"). Absolute names and names that
 * climb out of the root are rejected; [] is the root itself.
 */
export function entryComponents(name: string): string[] {
  if (name.startsWith("/")) throw breakout(name, "absolute path");
  const out: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) throw breakout(name, "path escapes the root");
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}

export function breakout(name: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid layer entry ${JSON.stringify(name)}: ${why}`);
}

/**
 * Directories inside one root, verified or created during one apply. The cache
 * spares an lstat per entry for the directories already seen; it is dropped
 * whenever a directory is removed.
 */
export interface RootDirs {
  readonly root: string;
  /** Makes every component a real directory (creating missing ones 0755), returns its absolute path. */
  ensure(comps: string[], entryName: string): string;
  /** The absolute path when every component already is a real directory, else undefined. */
  find(comps: string[], entryName: string): string | undefined;
  /** Records that `rel` is now a directory this apply made. */
  add(rel: string): void;
  /** Forgets everything: called after removing a directory. */
  reset(): void;
}

export function createRootDirs(root: string): RootDirs {
  let known = new Set<string>([""]);

  function walk(comps: string[], entryName: string, create: boolean): string | undefined {
    const rel = comps.join("/");
    if (known.has(rel)) return rel === "" ? root : `${root}/${rel}`;
    let prefix = "";
    for (const part of comps) {
      prefix = prefix === "" ? part : `${prefix}/${part}`;
      if (known.has(prefix)) continue;
      const abs = `${root}/${prefix}`;
      let isNew = false;
      try {
        const st = lstatSync(abs);
        if (st.isSymbolicLink()) throw breakout(entryName, `${JSON.stringify(prefix)} is a symlink`);
        if (!st.isDirectory()) throw breakout(entryName, `${JSON.stringify(prefix)} is not a directory`);
      } catch (err) {
        if (!isErrno(err, "ENOENT")) throw err;
        if (!create) return undefined;
        isNew = true;
      }
      if (isNew) mkdirSync(abs, 0o755);
      known.add(prefix);
    }
    return rel === "" ? root : `${root}/${rel}`;
  }

  return {
    root,
    ensure: (comps, entryName) => walk(comps, entryName, true)!,
    find: (comps, entryName) => walk(comps, entryName, false),
    add(rel) {
      known.add(rel);
    },
    reset() {
      known = new Set([""]);
    },
  };
}
