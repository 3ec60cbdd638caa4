// Following symlinks inside a source tree (a build context index, a stage's
// rootfs) the way Docker's FollowSymlinkInScope does: an absolute target
// restarts at the tree root and ".." stops there, so nothing leads out.
// Only paths already resolved (every component a real directory) are ever
// passed to lstat, so a filesystem-backed tree never lets the kernel follow
// a symlink either.
import { InvalidArgumentError } from "../../errors.js";
import { joinRel } from "./clean-path.js";

const MAX_SYMLINKS = 40; // the kernel's limit (ELOOP)

export interface LinkLookup {
  /** What is at a resolved relative path, without following it; undefined when nothing is. */
  lstat(path: string): Promise<{ type: string; linkname?: string } | undefined>;
}

/**
 * The resolved relative path of `p` ("" is the root) and whether something
 * exists there. When a component is missing, the rest of `p` is appended to
 * what was resolved so far, cleaned lexically.
 */
export async function resolveInTree(tree: LinkLookup, p: string): Promise<{ path: string; exists: boolean }> {
  const pending = p.split("/").filter((c) => c !== "" && c !== ".");
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const here = joinRel(resolved.join("/"), part);
    const st = await tree.lstat(here);
    const last = pending.length === 0;
    if (st === undefined || (st.type !== "dir" && st.type !== "symlink" && !last)) {
      for (const rest of [part, ...pending]) {
        if (rest === "..") resolved.pop();
        else resolved.push(rest);
      }
      return { path: resolved.join("/"), exists: false };
    }
    if (st.type !== "symlink") {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new InvalidArgumentError(`too many levels of symbolic links: ${p}`);
    const target = st.linkname ?? "";
    if (target.startsWith("/")) resolved.length = 0;
    pending.unshift(...target.split("/").filter((c) => c !== "" && c !== "."));
  }
  return { path: resolved.join("/"), exists: true };
}
